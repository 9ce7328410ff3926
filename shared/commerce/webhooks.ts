// Provider webhooks: the signature is checked over the raw bytes before anything else is read; a bad
// one is a 400 and an ops.security_events row. Each event is recorded under a unique key (Stripe: the
// event id; Paystack, which has none: event, data id or reference, and status) and applied once, in
// the same transaction, forward only. Paystack charges are verified with Paystack after commit.
import { asService, rpc, rpcRows, type Tx } from "../db.ts";
import { badRequest } from "../errors.ts";
import { recordSecurityEvent } from "../security.ts";
import { verifyPaystackSignature } from "./paystack.ts";
import { commerceSettings } from "./settings.ts";
import { verifyStripeSignature } from "./stripe.ts";

export interface WebhookOutcome {
  received: true;
  duplicate: boolean;
  outcome: string;
}

type Json = Record<string, unknown>;

async function rejectSignature(provider: string, verdict: string, ip: string | null): Promise<never> {
  await recordSecurityEvent({
    kind: "webhook_signature_rejected",
    severity: "warning",
    ip,
    functionName: "payments-webhook",
    details: { provider, verdict },
  });
  throw badRequest("invalid_signature", `The ${provider} signature does not verify (${verdict}).`);
}

function parse(raw: Uint8Array): Json {
  try {
    const value = JSON.parse(new TextDecoder().decode(raw));
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Json;
  } catch { /* falls through */ }
  throw badRequest("malformed_json", "The webhook body is not a JSON object.");
}

async function record(tx: Tx, provider: string, key: string, type: string, payload: Json) {
  const [row] = await rpcRows<{ webhook_event_id: number; duplicate: boolean }>(
    tx,
    "commerce.record_webhook_event",
    {
      provider,
      event_key: key,
      event_type: type,
      payload,
    },
  );
  return row;
}

const str = (value: unknown) => (typeof value === "string" && value ? value : undefined);
const int = (value: unknown) => {
  const n = typeof value === "string" ? Number(value) : value;
  return typeof n === "number" && Number.isInteger(n) ? n : undefined;
};
const uuidOrUndefined = (value: unknown) =>
  typeof value === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)
    ? value
    : undefined;

const STRIPE_PAYMENT_STATUS: Record<string, string> = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "failed",
  "payment_intent.processing": "pending",
};
const STRIPE_REFUND_STATUS: Record<string, string> = {
  succeeded: "succeeded",
  pending: "pending",
  failed: "failed",
  canceled: "failed",
};

export async function stripeWebhook(
  raw: Uint8Array,
  signature: string | undefined,
  ip: string | null,
): Promise<WebhookOutcome> {
  const settings = commerceSettings();
  const verdict = await verifyStripeSignature(
    signature,
    raw,
    settings.STRIPE_WEBHOOK_SECRET.split(","),
    settings.STRIPE_WEBHOOK_TOLERANCE_S,
  );
  if (verdict !== "valid") return await rejectSignature("stripe", verdict, ip);
  const event = parse(raw);
  const id = str(event.id);
  const type = str(event.type);
  const object = ((event.data as Json | undefined)?.object ?? {}) as Json;
  if (!id || !type) throw badRequest("invalid_event", "A Stripe event needs an id and a type.");
  return await asService(async (tx) => {
    const recorded = await record(tx, "stripe", id, type, event);
    if (recorded.duplicate) return { received: true, duplicate: true, outcome: "duplicate" };
    const metadata = (object.metadata ?? {}) as Json;
    let outcome: string;
    if (STRIPE_PAYMENT_STATUS[type]) {
      outcome = await rpc<string>(tx, "commerce.apply_payment_update", {
        webhook_event_id: recorded.webhook_event_id,
        provider: "stripe",
        reference: str(object.id) ?? null,
        payment_id: uuidOrUndefined(metadata.payment_id) ?? null,
        new_status: STRIPE_PAYMENT_STATUS[type],
        amount_minor: int(object.amount_received) || int(object.amount) || null,
        currency: str(object.currency)?.toUpperCase() ?? null,
      });
    } else if (type.startsWith("refund.") && STRIPE_REFUND_STATUS[str(object.status) ?? ""]) {
      outcome = await rpc<string>(tx, "commerce.apply_refund_update", {
        webhook_event_id: recorded.webhook_event_id,
        provider: "stripe",
        refund_reference: str(object.id) ?? null,
        refund_id: uuidOrUndefined(metadata.refund_id) ?? null,
        new_status: STRIPE_REFUND_STATUS[str(object.status)!],
        amount_minor: int(object.amount) ?? null,
      });
    } else {
      // charge.refunded repeats what refund.updated says per refund; other types are not acted on.
      outcome = await rpc<string>(tx, "commerce.settle_webhook_event", {
        webhook_event_id: recorded.webhook_event_id,
        outcome: "ignored",
        detail: `${type} is not acted on`,
      });
    }
    return { received: true, duplicate: false, outcome };
  });
}

const PAYSTACK_REFUND_STATUS: Record<string, string> = {
  "refund.processed": "succeeded",
  "refund.failed": "failed",
  "refund.pending": "pending",
};

export async function paystackWebhook(
  raw: Uint8Array,
  signature: string | undefined,
  ip: string | null,
): Promise<WebhookOutcome> {
  const verdict = await verifyPaystackSignature(signature, raw, commerceSettings().PAYSTACK_SECRET_KEY);
  if (verdict !== "valid") return await rejectSignature("paystack", verdict, ip);
  const event = parse(raw);
  const type = str(event.event);
  const data = (event.data ?? {}) as Json;
  if (!type) throw badRequest("invalid_event", "A Paystack event needs an event name.");
  const subject = String(
    data.id ?? data.refund_reference ?? data.reference ?? data.transaction_reference ?? "",
  );
  if (!subject) throw badRequest("invalid_event", "A Paystack event needs data.id or a reference.");
  const key = `${type}:${subject}:${String(data.reference ?? data.transaction_reference ?? "")}:${
    String(data.status ?? "")
  }`;
  return await asService(async (tx) => {
    const recorded = await record(tx, "paystack", key, type, event);
    if (recorded.duplicate) return { received: true, duplicate: true, outcome: "duplicate" };
    if (type === "charge.success") return { received: true, duplicate: false, outcome: "received" };
    if (PAYSTACK_REFUND_STATUS[type]) {
      const outcome = await rpc<string>(tx, "commerce.apply_refund_update", {
        webhook_event_id: recorded.webhook_event_id,
        provider: "paystack",
        refund_reference: data.id === undefined ? null : String(data.id),
        refund_id: null,
        new_status: PAYSTACK_REFUND_STATUS[type],
        amount_minor: int(data.amount) ?? null,
      });
      return { received: true, duplicate: false, outcome };
    }
    const outcome = await rpc<string>(tx, "commerce.settle_webhook_event", {
      webhook_event_id: recorded.webhook_event_id,
      outcome: "ignored",
      detail: `${type} is not acted on`,
    });
    return { received: true, duplicate: false, outcome };
  });
}
