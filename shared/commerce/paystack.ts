// Paystack's API as we use it: transaction/initialize (amounts in kobo, our own reference),
// transaction/verify/:reference, refund (create and list) with Bearer auth and JSON bodies, and the
// webhook signature (x-paystack-signature: hex HMAC-SHA512 of the raw body keyed with the secret key).
// Paystack has no idempotency keys: initialize is made safe by a fresh reference per attempt (only the
// reference we hand to the customer can be paid), refunds by listing before retrying.
import { callProvider, ProviderError } from "./provider-http.ts";
import { type CommerceSettings, commerceSettings } from "./settings.ts";
import { hmacHex, timingSafeEqualHex } from "./stripe.ts";

interface Envelope<T> {
  status: boolean;
  message: string;
  data: T;
}

export interface PaystackTransaction {
  id: number;
  status: string;
  reference: string;
  amount: number;
  currency: string;
  metadata?: Record<string, unknown> | string | null;
  authorization?: { signature?: string | null } | null;
}

export interface PaystackRefund {
  id: number;
  status: string;
  amount: number;
  currency: string;
  merchant_note?: string | null;
  transaction: { id: number; reference: string } | number;
}

async function call<T>(
  method: "GET" | "POST",
  path: (attempt: number) => string,
  body: ((attempt: number) => unknown) | undefined,
  settings: CommerceSettings,
  retries = settings.COMMERCE_PROVIDER_RETRIES,
): Promise<T> {
  const answer = await callProvider({
    provider: "paystack",
    timeoutMs: settings.COMMERCE_PROVIDER_TIMEOUT_MS,
    retries,
    request: (attempt) => ({
      url: `${settings.PAYSTACK_API_BASE}${path(attempt)}`,
      init: {
        method,
        headers: {
          authorization: `Bearer ${settings.PAYSTACK_SECRET_KEY}`,
          "content-type": "application/json",
        },
        body: body ? JSON.stringify(body(attempt)) : undefined,
      },
    }),
  });
  const envelope = answer.body as Envelope<T> | null;
  if (answer.status >= 200 && answer.status < 300 && envelope?.status) return envelope.data;
  throw new ProviderError(
    "paystack",
    answer.status,
    "paystack_error",
    envelope?.message ?? `Paystack answered ${answer.status}`,
    false,
    answer.body,
  );
}

/** Initializes a transaction; attempt n uses `${baseReference}-${n}` so a timed-out attempt is never reused. */
export async function initializeTransaction(
  input: {
    amountMinor: number;
    currency: string;
    email: string;
    baseReference: string;
    orderId: string;
    paymentId: string;
  },
  settings = commerceSettings(),
): Promise<{ authorization_url: string; access_code: string; reference: string }> {
  return await call("POST", () => "/transaction/initialize", (attempt) => ({
    email: input.email,
    amount: input.amountMinor,
    currency: input.currency,
    reference: `${input.baseReference}-${attempt + 1}`,
    callback_url: settings.PAYSTACK_CALLBACK_URL,
    metadata: { order_id: input.orderId, payment_id: input.paymentId },
  }), settings);
}

export function verifyTransaction(
  reference: string,
  settings = commerceSettings(),
  retries = settings.COMMERCE_PROVIDER_RETRIES,
): Promise<PaystackTransaction> {
  return call(
    "GET",
    () => `/transaction/verify/${encodeURIComponent(reference)}`,
    undefined,
    settings,
    retries,
  );
}

/** A refund; before a retry, the refunds of the transaction are listed so a refund is never made twice. */
export async function refundTransaction(
  input: { reference: string; amountMinor: number; refundId: string; earlierAttempts: number },
  settings = commerceSettings(),
): Promise<PaystackRefund> {
  const note = `powerbase refund ${input.refundId}`;
  const existing = async () => {
    const listed = await call<PaystackRefund[]>(
      "GET",
      () => `/refund?transaction=${encodeURIComponent(input.reference)}`,
      undefined,
      settings,
    );
    return listed.find((refund) => refund.merchant_note === note);
  };
  if (input.earlierAttempts > 0) {
    const found = await existing();
    if (found) return found;
  }
  try {
    // One attempt per dispatch: a timeout is ambiguous, so the next dispatch lists before it retries.
    return await call<PaystackRefund>(
      "POST",
      () => "/refund",
      () => ({
        transaction: input.reference,
        amount: input.amountMinor,
        merchant_note: note,
      }),
      settings,
      0,
    );
  } catch (error) {
    if (error instanceof ProviderError && error.retryable) {
      const found = await existing().catch(() => undefined);
      if (found) return found;
    }
    throw error;
  }
}

export async function paystackSignature(body: Uint8Array | string, secret: string): Promise<string> {
  return await hmacHex("SHA-512", secret, typeof body === "string" ? new TextEncoder().encode(body) : body);
}

export async function verifyPaystackSignature(
  header: string | null | undefined,
  body: Uint8Array,
  secret: string,
): Promise<"valid" | "missing" | "mismatch"> {
  if (!header) return "missing";
  const expected = await paystackSignature(body, secret);
  return timingSafeEqualHex(header.trim().toLowerCase(), expected) ? "valid" : "mismatch";
}
