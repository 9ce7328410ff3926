// A fake CRM webhook receiver speaking the outbox's protocol: it verifies
// `X-Powerbase-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` with a 300 s
// tolerance (401 when it does not verify), de-duplicates on X-Powerbase-Event-Id, and can be told
// to fail its first N deliveries with a 5xx, as real CRMs do during incidents.
import { Buffer } from "node:buffer";
import { createHmac, timingSafeEqual } from "node:crypto";
import { type FakeServer, type RecordedRequest, startFakeServer } from "../harness.ts";

export interface CrmEvent {
  eventId: string;
  type: string;
  payload: Record<string, unknown>;
}

export interface FakeCrm extends FakeServer {
  /** Events accepted (2xx), each once however often it was delivered. */
  accepted: CrmEvent[];
  /** Deliveries refused for a bad or stale signature. */
  rejectedSignatures: number;
}

export function signature(secret: string, timestamp: string, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export function verifySignature(
  secret: string,
  header: string | null,
  body: string,
  nowSeconds = Date.now() / 1000,
): boolean {
  const match = header?.match(/^t=(\d+),v1=([0-9a-f]{64})$/);
  if (!match) return false;
  if (Math.abs(nowSeconds - Number(match[1])) > 300) return false;
  const expected = Buffer.from(signature(secret, match[1], body), "hex");
  return timingSafeEqual(expected, Buffer.from(match[2], "hex"));
}

export function startFakeCrm(options: { secret: string; failFirst?: number; failStatus?: number }): FakeCrm {
  let failuresLeft = options.failFirst ?? 0;
  const seen = new Set<string>();
  const crm = {} as FakeCrm;
  const server = startFakeServer((request: RecordedRequest) => {
    if (!verifySignature(options.secret, request.headers.get("x-powerbase-signature"), request.body)) {
      crm.rejectedSignatures++;
      return Response.json({ error: "bad signature" }, { status: 401 });
    }
    if (failuresLeft > 0) {
      failuresLeft--;
      return Response.json({ error: "temporarily unavailable" }, { status: options.failStatus ?? 503 });
    }
    const eventId = request.headers.get("x-powerbase-event-id") ?? "";
    if (!seen.has(eventId)) {
      seen.add(eventId);
      const payload = JSON.parse(request.body);
      crm.accepted.push({ eventId, type: request.headers.get("x-powerbase-event") ?? "", payload });
    }
    return Response.json({ received: true });
  });
  return Object.assign(crm, server, { accepted: [], rejectedSignatures: 0 });
}
