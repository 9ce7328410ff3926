// Checkout: one database transaction (commerce.checkout: price, fraud score, order, payment row,
// reservations all or none), then the provider payment through its HTTP API after commit. A failed
// provider call answers 502 and releases the Idempotency-Key; the client's retry with the same key
// finds the same order (orders.checkout_key) and only creates the payment.
import type { Caller } from "../auth.ts";
import { asService, asUser, rpc } from "../db.ts";
import { HttpError } from "../errors.ts";
import { log } from "../log.ts";
import { initializeTransaction } from "./paystack.ts";
import { ProviderError } from "./provider-http.ts";
import type { CheckoutInput, CheckoutResult } from "./schemas.ts";
import { createPaymentIntent } from "./stripe.ts";

interface CheckoutRow {
  blocked?: boolean;
  score?: number;
  rulesFired?: unknown[];
  orderId: string;
  number: string;
  status: string;
  reviewStatus: string;
  subtotal: number;
  discount: number;
  tax: number;
  shipping: number;
  shippingDiscount: number;
  total: number;
  currency: string;
  lines: CheckoutResult["lines"];
  email: string;
  decision: string;
  continued: boolean;
  payment: { id: string; provider: "stripe" | "paystack"; status: string; reference: string | null };
}

export interface CheckoutContext {
  checkoutKey: string;
  clientIp: string | null;
  requestId: string;
}

const isIp = (value: string | null) => !!value && /^[0-9a-f.:]+$/i.test(value);

export async function checkout(
  who: Caller,
  input: CheckoutInput,
  context: CheckoutContext,
): Promise<CheckoutResult> {
  // As the service role with the verified user's claims: commerce.checkout reads the buyer from auth.uid()
  // and is not executable by the authenticated role (the Data API must not reach it).
  const row = await asUser(
    { ...who.claims, role: "service_role" },
    (tx) =>
      rpc<CheckoutRow>(tx, "commerce.checkout", {
        items: input.items,
        provider: input.provider,
        coupon_code: input.couponCode,
        checkout_key: context.checkoutKey,
        client_ip: isIp(context.clientIp) ? context.clientIp : undefined,
        billing_country: input.billingCountry,
      }),
  );
  if (row.blocked) {
    throw new HttpError(
      403,
      "fraud_blocked",
      "This checkout cannot be accepted. Contact support if you think this is wrong.",
      [
        { code: "fraud_score", message: `score ${row.score}` },
      ],
    );
  }
  const payment = await createProviderPayment(row, context);
  return {
    orderId: row.orderId,
    number: row.number,
    status: row.status,
    reviewStatus: row.reviewStatus,
    subtotal: row.subtotal,
    discount: row.discount,
    tax: row.tax,
    shipping: row.shipping,
    shippingDiscount: row.shippingDiscount,
    total: row.total,
    currency: row.currency,
    lines: row.lines,
    payment,
  };
}

async function createProviderPayment(
  row: CheckoutRow,
  context: CheckoutContext,
): Promise<CheckoutResult["payment"]> {
  try {
    if (row.payment.provider === "stripe") {
      // The same Idempotency-Key (pb-payment-<payment id>) on every attempt and every retry of the
      // checkout: Stripe answers with the one PaymentIntent it created first.
      const intent = await createPaymentIntent({
        amountMinor: row.total,
        currency: row.currency,
        orderId: row.orderId,
        paymentId: row.payment.id,
        email: row.email,
      });
      await recordReference(row.payment.id, intent.id);
      return { provider: "stripe", reference: intent.id, clientSecret: intent.client_secret };
    }
    const initialized = await initializeTransaction({
      amountMinor: row.total,
      currency: row.currency,
      email: row.email,
      baseReference: `${row.number}-${row.payment.id.slice(0, 8)}`,
      orderId: row.orderId,
      paymentId: row.payment.id,
    });
    await recordReference(row.payment.id, initialized.reference);
    return {
      provider: "paystack",
      reference: initialized.reference,
      authorizationUrl: initialized.authorization_url,
    };
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    log("error", "payment creation failed", {
      requestId: context.requestId,
      orderId: row.orderId,
      provider: error.provider,
      code: error.providerCode,
      status: error.status,
    });
    throw new HttpError(
      502,
      "payment_provider_unavailable",
      "The payment provider did not accept the payment; retry with the same Idempotency-Key.",
      [{ code: error.providerCode, message: error.message }],
    );
  }
}

function recordReference(paymentId: string, reference: string): Promise<void> {
  return asService((tx) => rpc<void>(tx, "commerce.payment_created", { payment_id: paymentId, reference }));
}
