// Webhook signature schemes as pure code: Stripe (t=, v1= HMAC-SHA256 of "t.body", several v1 while a
// secret rotates, v0 ignored, tolerance both ways) and Paystack (hex HMAC-SHA512 of the body).
import assert from "node:assert/strict";
import { paystackSignature, verifyPaystackSignature } from "../../../shared/commerce/paystack.ts";
import { formEncode, stripeSignatureHeader, verifyStripeSignature } from "../../../shared/commerce/stripe.ts";

const body = new TextEncoder().encode('{"id":"evt_1","type":"payment_intent.succeeded"}');
const secret = "whsec_unit_test_secret";
const now = 1_800_000_000;

Deno.test("stripe: a signature made with the secret over the exact bytes verifies", async () => {
  const header = await stripeSignatureHeader(body, [secret], now);
  assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
  assert.equal(await verifyStripeSignature(header, body, [secret], 300, now), "valid");
  const changed = new TextEncoder().encode('{"id":"evt_1","type":"payment_intent.payment_failed"}');
  assert.equal(await verifyStripeSignature(header, changed, [secret], 300, now), "mismatch");
});

Deno.test("stripe: any one of several v1 signatures counts; v0 and unknown schemes are ignored", async () => {
  const rotated = await stripeSignatureHeader(body, ["whsec_retired_secret", secret], now);
  assert.equal(rotated.split(",").filter((part) => part.startsWith("v1=")).length, 2);
  assert.equal(await verifyStripeSignature(rotated, body, [secret], 300, now), "valid");
  const [t, v1] = (await stripeSignatureHeader(body, [secret], now)).split(",");
  const v0 = await stripeSignatureHeader(body, [secret], now).then((h) =>
    h.split(",")[1].replace("v1=", "v0=")
  );
  assert.equal(
    await verifyStripeSignature(`${t},${v0}`, body, [secret], 300, now),
    "malformed",
    "v0 alone is not a signature",
  );
  assert.equal(await verifyStripeSignature(`${t},${v0},v9=abc,${v1}`, body, [secret], 300, now), "valid");
  assert.equal(await verifyStripeSignature(rotated, body, ["whsec_other"], 300, now), "mismatch");
});

Deno.test("stripe: the 300 s tolerance applies both ways", async () => {
  const header = await stripeSignatureHeader(body, [secret], now);
  assert.equal(await verifyStripeSignature(header, body, [secret], 300, now + 300), "valid");
  assert.equal(await verifyStripeSignature(header, body, [secret], 300, now + 301), "stale");
  assert.equal(
    await verifyStripeSignature(header, body, [secret], 300, now - 301),
    "stale",
    "a pre-dated signature fails too",
  );
});

Deno.test("stripe: missing or malformed headers", async () => {
  assert.equal(await verifyStripeSignature(undefined, body, [secret], 300, now), "missing");
  assert.equal(await verifyStripeSignature("garbage", body, [secret], 300, now), "malformed");
  assert.equal(
    await verifyStripeSignature("t=abc,v1=" + "a".repeat(64), body, [secret], 300, now),
    "malformed",
  );
  assert.equal(await verifyStripeSignature(`t=${now},v1=xyz`, body, [secret], 300, now), "malformed");
});

Deno.test("paystack: hex HMAC-SHA512 of the raw body with the secret key", async () => {
  const key = "sk_test_unit_secret";
  const signature = await paystackSignature(body, key);
  assert.match(signature, /^[0-9a-f]{128}$/);
  assert.equal(await verifyPaystackSignature(signature, body, key), "valid");
  assert.equal(await verifyPaystackSignature(signature.toUpperCase(), body, key), "valid");
  assert.equal(await verifyPaystackSignature(signature, body, "sk_test_other_secret"), "mismatch");
  assert.equal(await verifyPaystackSignature(null, body, key), "missing");
  assert.equal(await verifyPaystackSignature(signature.slice(2), body, key), "mismatch");
});

Deno.test("stripe: parameters are form-encoded with bracket notation", () => {
  assert.equal(
    formEncode({
      amount: 2000,
      currency: "usd",
      metadata: { order_id: "o 1" },
      skip: undefined,
      automatic_payment_methods: { enabled: true },
    }),
    "amount=2000&currency=usd&metadata%5Border_id%5D=o%201&automatic_payment_methods%5Benabled%5D=true",
  );
});
