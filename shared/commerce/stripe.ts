// Stripe's REST API as we use it: PaymentIntents (create, retrieve) and Refunds, form-encoded with
// Bearer auth and an Idempotency-Key on every POST (a retried call returns the first result), plus
// the webhook signature scheme (Stripe-Signature: t=<unix>, v1=<hex HMAC-SHA256 of "t.body">, ...).
import { callProvider, ProviderError } from "./provider-http.ts";
import { type CommerceSettings, commerceSettings } from "./settings.ts";

export interface PaymentIntent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received?: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
}

export interface StripeRefund {
  id: string;
  object: "refund";
  amount: number;
  status: string;
  payment_intent: string;
  metadata: Record<string, string>;
}

/** Stripe's bracket notation for nested parameters: metadata[order_id]=... */
export function formEncode(params: Record<string, unknown>, prefix = ""): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    const name = prefix ? `${prefix}[${key}]` : key;
    if (typeof value === "object") parts.push(formEncode(value as Record<string, unknown>, name));
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.filter(Boolean).join("&");
}

async function post<T>(
  path: string,
  params: Record<string, unknown>,
  idempotencyKey: string,
  settings: CommerceSettings,
) {
  const body = formEncode(params);
  const answer = await callProvider({
    provider: "stripe",
    timeoutMs: settings.COMMERCE_PROVIDER_TIMEOUT_MS,
    retries: settings.COMMERCE_PROVIDER_RETRIES,
    request: () => ({
      url: `${settings.STRIPE_API_BASE}${path}`,
      init: {
        method: "POST",
        headers: {
          authorization: `Bearer ${settings.STRIPE_SECRET_KEY}`,
          "content-type": "application/x-www-form-urlencoded",
          "idempotency-key": idempotencyKey,
        },
        body,
      },
    }),
  });
  return unwrap<T>(answer.status, answer.body);
}

function unwrap<T>(status: number, body: unknown): T {
  if (status >= 200 && status < 300) return body as T;
  const error = (body as { error?: { type?: string; code?: string; message?: string } })?.error ?? {};
  throw new ProviderError(
    "stripe",
    status,
    error.code ?? error.type ?? "stripe_error",
    error.message ?? `Stripe answered ${status}`,
    false,
    body,
  );
}

export function createPaymentIntent(
  input: { amountMinor: number; currency: string; orderId: string; paymentId: string; email: string },
  settings = commerceSettings(),
): Promise<PaymentIntent> {
  return post<PaymentIntent>(
    "/v1/payment_intents",
    {
      amount: input.amountMinor,
      currency: input.currency.toLowerCase(),
      "automatic_payment_methods": { enabled: true },
      receipt_email: input.email,
      metadata: { order_id: input.orderId, payment_id: input.paymentId },
    },
    `pb-payment-${input.paymentId}`,
    settings,
  );
}

export function createRefund(
  input: { paymentIntent: string; amountMinor: number; refundId: string },
  settings = commerceSettings(),
): Promise<StripeRefund> {
  return post<StripeRefund>(
    "/v1/refunds",
    {
      payment_intent: input.paymentIntent,
      amount: input.amountMinor,
      metadata: { refund_id: input.refundId },
    },
    `pb-refund-${input.refundId}`,
    settings,
  );
}

const encoder = new TextEncoder();

async function hmacHex(algorithm: "SHA-256" | "SHA-512", secret: string, data: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    encoder.encode(secret),
    { name: "HMAC", hash: algorithm },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, data as BufferSource));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function timingSafeEqualHex(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

export { hmacHex };

function concat(head: string, body: Uint8Array): Uint8Array {
  const prefix = encoder.encode(head);
  const out = new Uint8Array(prefix.length + body.length);
  out.set(prefix);
  out.set(body, prefix.length);
  return out;
}

/** The Stripe-Signature header for a payload (what Stripe sends; used by the stand-in and the tests). */
export async function stripeSignatureHeader(
  body: Uint8Array | string,
  secrets: string[],
  timestamp: number,
): Promise<string> {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const v1 = await Promise.all(
    secrets.map((secret) => hmacHex("SHA-256", secret, concat(`${timestamp}.`, bytes))),
  );
  return [`t=${timestamp}`, ...v1.map((signature) => `v1=${signature}`)].join(",");
}

export type SignatureVerdict = "valid" | "missing" | "malformed" | "stale" | "mismatch";

/**
 * Verifies a Stripe-Signature over the raw body: any v1 signature made with any of our secrets counts
 * (Stripe signs with every active secret while one is rolled), v0 and unknown schemes are ignored, and
 * the timestamp must lie within the tolerance both ways (a replayed or pre-dated delivery fails).
 */
export async function verifyStripeSignature(
  header: string | null | undefined,
  body: Uint8Array,
  secrets: string[],
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<SignatureVerdict> {
  if (!header) return "missing";
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(",")) {
    const [scheme, value] = part.trim().split("=", 2);
    if (scheme === "t" && /^\d{1,12}$/.test(value ?? "")) timestamp = Number(value);
    else if (scheme === "v1" && /^[0-9a-f]{64}$/.test(value ?? "")) signatures.push(value!);
  }
  if (timestamp === undefined || signatures.length === 0) return "malformed";
  if (Math.abs(nowSeconds - timestamp) > toleranceSeconds) return "stale";
  const signed = concat(`${timestamp}.`, body);
  for (const secret of secrets) {
    const expected = await hmacHex("SHA-256", secret, signed);
    if (signatures.some((signature) => timingSafeEqualHex(signature, expected))) return "valid";
  }
  return "mismatch";
}
