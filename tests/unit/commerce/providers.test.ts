// The provider clients against in-process stand-ins (no stack): retries on timeouts, 5xx and 429 with
// the same Idempotency-Key create one PaymentIntent; a 4xx is not retried; Paystack attempts use a
// fresh reference; a Paystack refund is listed before it is retried.
import assert from "node:assert/strict";
import { initializeTransaction, refundTransaction } from "../../../shared/commerce/paystack.ts";
import { ProviderError } from "../../../shared/commerce/provider-http.ts";
import { type CommerceSettings, parseCommerceSettings } from "../../../shared/commerce/settings.ts";
import { createPaymentIntent } from "../../../shared/commerce/stripe.ts";
import { PAYSTACK_SECRET_KEY, startPaystackFake } from "../../support/fakes/paystack.ts";
import { startStripeFake, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET } from "../../support/fakes/stripe.ts";

function settingsFor(stripeUrl: string, paystackUrl: string): CommerceSettings {
  return parseCommerceSettings({
    STRIPE_API_BASE: stripeUrl,
    STRIPE_SECRET_KEY,
    STRIPE_WEBHOOK_SECRET,
    PAYSTACK_API_BASE: paystackUrl,
    PAYSTACK_SECRET_KEY,
    COMMERCE_PROVIDER_TIMEOUT_MS: "300",
    COMMERCE_PROVIDER_RETRIES: "3",
  });
}

const test = (name: string, fn: () => Promise<void>) =>
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
const input = {
  amountMinor: 4900,
  currency: "USD",
  orderId: "order-1",
  paymentId: crypto.randomUUID(),
  email: "a@b.test",
};

test("stripe client: a timeout (after Stripe did the work), a 500 and a 429 end in one PaymentIntent", async () => {
  const stripe = startStripeFake();
  stripe.standin.control.holdMs = 1_000;
  stripe.standin.control.faults.push({ kind: "timeout" }, { kind: "500" }, { kind: "429" });
  try {
    const intent = await createPaymentIntent(input, settingsFor(stripe.url, "http://127.0.0.1:9"));
    assert.equal(stripe.standin.control.calls.length, 4);
    assert.equal(new Set(stripe.standin.control.calls.map((c) => c.idempotencyKey)).size, 1);
    assert.equal(stripe.standin.intents.size, 1);
    assert.equal([...stripe.standin.intents.keys()][0], intent.id);
  } finally {
    await stripe.close();
  }
});

test("stripe client: a 4xx is not retried and surfaces Stripe's code", async () => {
  const stripe = startStripeFake();
  try {
    await assert.rejects(
      createPaymentIntent({ ...input, amountMinor: 10 }, settingsFor(stripe.url, "http://127.0.0.1:9")),
      (error: unknown) =>
        error instanceof ProviderError && error.providerCode === "amount_too_small" && !error.retryable,
    );
    assert.equal(stripe.standin.control.calls.length, 1);
  } finally {
    await stripe.close();
  }
});

test("stripe client: retries give up after the configured attempts", async () => {
  const stripe = startStripeFake();
  stripe.standin.control.faults.push({ kind: "503" }, { kind: "503" }, { kind: "503" }, { kind: "503" });
  try {
    await assert.rejects(
      createPaymentIntent(input, settingsFor(stripe.url, "http://127.0.0.1:9")),
      (error: unknown) => error instanceof ProviderError && error.status === 503 && error.retryable,
    );
    assert.equal(stripe.standin.control.calls.length, 4);
    assert.equal(stripe.standin.intents.size, 0);
  } finally {
    await stripe.close();
  }
});

test("paystack client: each initialize attempt uses a fresh reference; only the answered one is returned", async () => {
  const paystack = startPaystackFake();
  paystack.standin.control.holdMs = 1_000;
  paystack.standin.control.faults.push({ kind: "timeout" });
  try {
    const answer = await initializeTransaction(
      {
        amountMinor: 100000,
        currency: "NGN",
        email: "a@b.test",
        baseReference: "PB-1-abc",
        orderId: "o",
        paymentId: "p",
      },
      settingsFor("http://127.0.0.1:9", paystack.url),
    );
    assert.equal(answer.reference, "PB-1-abc-2");
    assert.deepEqual([...paystack.standin.transactions.keys()], ["PB-1-abc-1", "PB-1-abc-2"]);
    assert.equal(JSON.parse(paystack.standin.control.calls[0].body).amount, 100000, "kobo as given");
  } finally {
    await paystack.close();
  }
});

test("paystack client: a refund whose answer timed out is found by listing, not made twice", async () => {
  const paystack = startPaystackFake();
  paystack.standin.control.holdMs = 1_000;
  const settings = settingsFor("http://127.0.0.1:9", paystack.url);
  try {
    const init = await initializeTransaction(
      {
        amountMinor: 500000,
        currency: "NGN",
        email: "r@b.test",
        baseReference: "PB-2-def",
        orderId: "o",
        paymentId: "p",
      },
      settings,
    );
    await fetch(init.authorization_url).then((r) => r.body?.cancel());
    paystack.standin.control.faults.push({ kind: "timeout", match: "/refund" });
    const refundId = crypto.randomUUID();
    const refund = await refundTransaction({
      reference: init.reference,
      amountMinor: 100000,
      refundId,
      earlierAttempts: 0,
    }, settings);
    assert.equal(refund.merchant_note, `powerbase refund ${refundId}`);
    const again = await refundTransaction({
      reference: init.reference,
      amountMinor: 100000,
      refundId,
      earlierAttempts: 1,
    }, settings);
    assert.equal(again.id, refund.id);
    assert.equal(paystack.standin.refunds.length, 1);
  } finally {
    await paystack.close();
  }
});

Deno.test("settings: secrets are validated with their names", () => {
  assert.throws(
    () => parseCommerceSettings({ STRIPE_SECRET_KEY: "nope" }),
    /STRIPE_SECRET_KEY.*STRIPE_WEBHOOK_SECRET is missing/s,
  );
});
