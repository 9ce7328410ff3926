// Idempotency-Key middleware over ops.idempotency_keys (migration 20261122000500): the first response
// to a key is stored and replayed for the same key and request; the same key with another request is
// a 422; the same key while its first request still runs is a 409. Responses of 500 and above are not
// stored: the key is released, so the client's retry runs the request again.
import type { MiddlewareHandler } from "hono";
import { db, type Sql } from "./db.ts";
import { badRequest, conflict, HttpError } from "./errors.ts";
import type { AppContext, AppEnv } from "./http.ts";
import { log } from "./log.ts";

const KEY = /^[\x21-\x7e]{8,255}$/;

export interface IdempotencyOptions {
  /** Names the endpoint family: keys of different scopes never meet (`checkout`, `vend`). */
  scope: string;
  /** Whose key it is (the signed-in user's id, a device id); runs after authentication. */
  owner: (c: AppContext) => string | Promise<string>;
  /** Refuse requests without the header (400 `idempotency_key_required`); default true. */
  required?: boolean;
  /** How long a started request holds its key before a retry may take it over (default 60 s). */
  leaseSeconds?: number;
  /** How long a stored response is replayed (default 24 h). */
  retentionHours?: number;
  /** The database to keep keys in (default: the isolate's pool). */
  sql?: () => Sql;
}

export type BeginOutcome =
  | { outcome: "started" }
  | { outcome: "replay"; status: number; body: string; contentType: string }
  | { outcome: "mismatch" }
  | { outcome: "in_flight" };

export interface KeyRef {
  scope: string;
  owner: string;
  key: string;
  requestHash: string;
}

/** SHA-256 over method, path and the raw body bytes: "the same request" means byte-identical. */
export async function requestHash(method: string, path: string, body: string): Promise<string> {
  const bytes = new TextEncoder().encode(`${method.toUpperCase()} ${path}\n${body}`);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function beginKey(
  sql: Sql,
  ref: KeyRef,
  leaseSeconds = 60,
  retentionHours = 24,
): Promise<BeginOutcome> {
  const [row] = await sql`
    select outcome, response_status, response_body, response_content_type
    from private.idempotency_begin(${ref.scope}, ${ref.owner}, ${ref.key}, ${ref.requestHash},
                                   make_interval(secs => ${leaseSeconds}),
                                   make_interval(hours => ${retentionHours}))`;
  if (row.outcome === "replay") {
    return {
      outcome: "replay",
      status: row.response_status,
      body: row.response_body ?? "",
      contentType: row.response_content_type ?? "application/json",
    };
  }
  return { outcome: row.outcome } as BeginOutcome;
}

export async function completeKey(
  sql: Sql,
  ref: KeyRef,
  status: number,
  body: string,
  contentType: string,
): Promise<boolean> {
  const [row] = await sql`
    select private.idempotency_complete(${ref.scope}, ${ref.owner}, ${ref.key}, ${ref.requestHash},
                                        ${status}, ${body}, ${contentType}) as stored`;
  return row.stored;
}

export async function releaseKey(sql: Sql, ref: KeyRef): Promise<boolean> {
  const [row] = await sql`
    select private.idempotency_release(${ref.scope}, ${ref.owner}, ${ref.key}, ${ref.requestHash}) as released`;
  return row.released;
}

/** Route middleware: `app.post("/", idempotent({ scope, owner }), handler)`. */
export function idempotent(options: IdempotencyOptions): MiddlewareHandler<AppEnv> {
  const required = options.required ?? true;
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (key === undefined) {
      if (required) {
        throw badRequest(
          "idempotency_key_required",
          "Send an Idempotency-Key header (8-255 visible characters).",
        );
      }
      return await next();
    }
    if (!KEY.test(key)) {
      throw badRequest(
        "invalid_idempotency_key",
        "The Idempotency-Key must be 8-255 visible ASCII characters.",
      );
    }
    const sql = (options.sql ?? db)();
    const ref: KeyRef = {
      scope: options.scope,
      owner: await options.owner(c),
      key,
      // Hono caches the body text, so the handler's readJson reads the same bytes again.
      requestHash: await requestHash(c.req.method, new URL(c.req.url).pathname, await c.req.text()),
    };
    const begun = await beginKey(sql, ref, options.leaseSeconds, options.retentionHours);
    if (begun.outcome === "replay") {
      return c.body(begun.body, begun.status as 200, {
        "Content-Type": begun.contentType,
        "Idempotent-Replayed": "true",
      });
    }
    if (begun.outcome === "mismatch") {
      throw new HttpError(
        422,
        "idempotency_key_reused",
        "This Idempotency-Key was used for a different request; use a new key for a new request.",
      );
    }
    if (begun.outcome === "in_flight") {
      const error = conflict(
        "idempotency_key_in_flight",
        "A request with this Idempotency-Key is still being processed; retry shortly.",
      );
      throw new HttpError(error.status, error.code, error.message, [], { "Retry-After": "1" });
    }
    await next();
    // Errors thrown by the handler have been turned into c.res by the app's onError by now.
    const response = c.res;
    try {
      if (response.status >= 500) {
        await releaseKey(sql, ref);
      } else {
        const body = await response.clone().text();
        await completeKey(
          sql,
          ref,
          response.status,
          body,
          response.headers.get("content-type") ?? "application/json",
        );
      }
    } catch (error) {
      // The response already happened; an unsaved key only costs the client a 409 until the lease ends.
      log("error", "idempotency key not settled", { scope: ref.scope, error: String(error) });
    }
  };
}
