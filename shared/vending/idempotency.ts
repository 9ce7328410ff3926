// Idempotency-Key for POST /vend and POST /vend/batches, with checkout's semantics: the first request
// with a key runs and its answer is stored; a repeat with the same key and the same request gets the
// stored answer (Idempotent-Replayed: true); the same key with a different request is 422
// idempotency_key_reused; a repeat while the first is still running is 409 idempotency_in_progress.
// A request that fails with an error leaves no key behind, so the client can retry it.
// The commerce module's generic store (ops.idempotency_keys) had not landed when this was written;
// this file keeps the same shape (withIdempotency(c, scope, ...)) so switching is one import.
import { asService } from "../db.ts";
import { badRequest, conflict, HttpError } from "../errors.ts";
import type { AppContext } from "../http.ts";

export interface StoredAnswer {
  status: number;
  body: unknown;
}

const KEY = /^[\x21-\x7e]{8,255}$/;

export function idempotencyKey(c: AppContext): string {
  const key = c.req.header("idempotency-key");
  if (!key) {
    throw badRequest(
      "idempotency_key_required",
      "Send an Idempotency-Key header (8-255 visible characters).",
    );
  }
  if (!KEY.test(key)) {
    throw badRequest(
      "invalid_idempotency_key",
      "The Idempotency-Key must be 8-255 visible ASCII characters.",
    );
  }
  return key;
}

function replay(c: AppContext, answer: StoredAnswer): Response {
  c.header("Idempotent-Replayed", "true");
  return c.json(answer.body as Record<string, unknown>, answer.status as 200);
}

/**
 * Runs `work` once per (caller, scope, key). `requestHash` is the request's fingerprint when it is
 * known up front (JSON bodies); for streamed bodies pass `null` and return `hash` from `work`, and
 * give `hashOnly`, which computes the fingerprint of a repeat without doing the work.
 */
export async function withIdempotency(
  c: AppContext,
  scope: string,
  customerId: string,
  requestHash: string | null,
  work: () => Promise<StoredAnswer & { hash?: string }>,
  hashOnly?: () => Promise<string>,
): Promise<Response> {
  const key = idempotencyKey(c);
  const [inserted] = await asService((tx) =>
    tx`
    insert into vending.idempotency_keys (customer_id, scope, key, request_hash)
    values (${customerId}, ${scope}, ${key}, ${requestHash})
    on conflict do nothing returning key`
  );
  if (!inserted) {
    const [stored] = await asService((tx) =>
      tx`
      select request_hash, state, response_status, response from vending.idempotency_keys
      where customer_id = ${customerId} and scope = ${scope} and key = ${key}`
    );
    if (!stored) {
      throw conflict("idempotency_in_progress", "A request with this Idempotency-Key just ended; retry it.");
    }
    if (stored.state === "in_progress") {
      throw conflict("idempotency_in_progress", "A request with this Idempotency-Key is still running.");
    }
    const hash = requestHash ?? (hashOnly ? await hashOnly() : null);
    if (stored.request_hash !== hash) {
      throw new HttpError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different request.",
      );
    }
    return replay(c, { status: stored.response_status, body: stored.response });
  }
  let answer: StoredAnswer & { hash?: string };
  try {
    answer = await work();
  } catch (error) {
    await asService((tx) =>
      tx`delete from vending.idempotency_keys where customer_id = ${customerId} and scope = ${scope} and key = ${key}`
    );
    throw error;
  }
  await asService((tx) =>
    tx`
    update vending.idempotency_keys
    set state = 'completed', response_status = ${answer.status}, response = ${tx.json(answer.body as never)},
        request_hash = coalesce(${answer.hash ?? null}, request_hash)
    where customer_id = ${customerId} and scope = ${scope} and key = ${key}`
  );
  return c.json(answer.body as Record<string, unknown>, answer.status as 200);
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
