// POST /functions/v1/payments-webhook/{stripe,paystack}: signatures over the raw bytes before anything
// else, each event once, state only forward, Paystack charges verified against Paystack.
import assert from "node:assert/strict";
import { api, dbTest, envelope, sql } from "../../support/harness.ts";
import { paystackDelivery, runningPaystack } from "../../support/fakes/paystack.ts";
import { STRIPE_WEBHOOK_SECRET, stripeDelivery, stripeEvent } from "../../support/fakes/stripe.ts";
import {
  assertLedgerInvariant,
  checkoutAs,
  createCustomer,
  createSku,
  orderStatus,
  waitForOrderStatus,
} from "./_helpers.ts";

async function stripeOrder(quantity = 1) {
  const user = await createCustomer();
  const sku = await createSku(5);
  const response = await checkoutAs(user, { items: [{ sku, quantity }], provider: "stripe" });
  assert.equal(response.status, 201, response.text);
  return {
    user,
    sku,
    orderId: response.body.orderId as string,
    pi: response.body.payment.reference as string,
    total: response.body.total as number,
  };
}

const intent = (pi: string, amount: number, extra: Record<string, unknown> = {}) => ({
  id: pi,
  object: "payment_intent",
  amount,
  amount_received: amount,
  currency: "usd",
  status: "succeeded",
  metadata: {},
  ...extra,
});

async function postStripe(event: unknown, options: Parameters<typeof stripeDelivery>[1] = {}) {
  const { body, headers } = await stripeDelivery(event, options);
  return await api("payments-webhook/stripe", { body, headers });
}

dbTest(
  "webhooks: a bad, stale, pre-dated or missing Stripe signature is a 400 and a security event; nothing applied",
  async () => {
    const order = await stripeOrder();
    const event = stripeEvent("payment_intent.succeeded", intent(order.pi, order.total));
    const now = Math.floor(Date.now() / 1000);
    const forged = [
      await postStripe(event, { secrets: ["whsec_not_the_secret_at_all"] }),
      await postStripe(event, { timestamp: now - 400 }),
      await postStripe(event, { timestamp: now + 400 }),
      await api("payments-webhook/stripe", {
        body: JSON.stringify(event),
        headers: { "content-type": "application/json" },
      }),
    ];
    for (const [index, response] of forged.entries()) {
      assert.equal(response.status, 400, `forgery ${index}: ${response.text}`);
      assert.equal(envelope(response).code, "invalid_signature");
    }
    // A valid signature over other bytes (the body changed after signing) fails too.
    const { headers } = await stripeDelivery(event);
    const tampered = await api("payments-webhook/stripe", {
      body: JSON.stringify({ ...event, id: "evt_other" }),
      headers,
    });
    assert.equal(tampered.status, 400);
    assert.equal(await orderStatus(order.orderId), "pending_payment");
    const [events] =
      await sql()`select count(*)::int as n from commerce.webhook_events where payload -> 'data' -> 'object' ->> 'id' = ${order.pi}`;
    assert.equal(events.n, 0, "a refused delivery is never recorded as an event");
    const [security] = await sql()`
    select count(*)::int as n from ops.security_events
    where kind = 'webhook_signature_rejected' and occurred_at > now() - interval '1 minute'`;
    assert.ok(security.n >= 5);
  },
);

dbTest("webhooks: a rotated secret still verifies (one of several v1), v0 is ignored", async () => {
  const order = await stripeOrder();
  const event = stripeEvent("payment_intent.succeeded", intent(order.pi, order.total));
  const v0Only = await stripeDelivery(event, {
    secrets: ["whsec_old_secret_rotated"],
    extra: "v0=" + "0".repeat(64),
  });
  const onlyOld = await api("payments-webhook/stripe", { body: v0Only.body, headers: v0Only.headers });
  assert.equal(onlyOld.status, 400, "a v0 or a foreign v1 does not count");
  const rotated = await postStripe(event, { secrets: ["whsec_old_secret_rotated", STRIPE_WEBHOOK_SECRET] });
  assert.equal(rotated.status, 200, rotated.text);
  assert.equal(rotated.body.outcome, "applied");
  assert.equal(await orderStatus(order.orderId), "paid");
});

dbTest("webhooks: duplicates are applied once and a late failure never undoes a success", async () => {
  const order = await stripeOrder(2);
  const succeeded = stripeEvent("payment_intent.succeeded", intent(order.pi, order.total));
  const failed = stripeEvent(
    "payment_intent.payment_failed",
    intent(order.pi, order.total, { status: "requires_payment_method" }),
  );
  const answers = await Promise.all([postStripe(succeeded), postStripe(succeeded), postStripe(succeeded)]);
  assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
  assert.equal(
    answers.filter((a) => a.body.outcome === "applied").length,
    1,
    "three concurrent deliveries settle it once",
  );
  const late = await postStripe(failed);
  assert.equal(late.status, 200);
  assert.equal(late.body.outcome, "ignored");
  const [payment] =
    await sql()`select status, captured_minor::int from commerce.payments where reference = ${order.pi}`;
  assert.deepEqual({ ...payment }, { status: "succeeded", captured_minor: order.total });
  const [events] = await sql()`
    select count(*)::int as n from commerce.payment_events e join commerce.payments p on p.id = e.payment_id
    where p.reference = ${order.pi} and e.kind = 'status_changed'`;
  assert.equal(events.n, 1);
  await assertLedgerInvariant();
});

dbTest(
  "webhooks: a failure first releases the reservation; a later success re-reserves and pays",
  async () => {
    const order = await stripeOrder(2);
    const failed = await postStripe(
      stripeEvent(
        "payment_intent.payment_failed",
        intent(order.pi, order.total, { status: "requires_payment_method" }),
      ),
    );
    assert.equal(failed.body.outcome, "applied");
    const [released] =
      await sql()`select count(*)::int as n from commerce.reservations where order_id = ${order.orderId} and status = 'active'`;
    assert.equal(released.n, 0);
    const ok = await postStripe(stripeEvent("payment_intent.succeeded", intent(order.pi, order.total)));
    assert.equal(ok.body.outcome, "applied");
    assert.equal(await orderStatus(order.orderId), "paid");
    await assertLedgerInvariant();
  },
);

dbTest("webhooks: an amount that does not match the payment is rejected", async () => {
  const order = await stripeOrder();
  const response = await postStripe(
    stripeEvent("payment_intent.succeeded", intent(order.pi, order.total - 1)),
  );
  assert.equal(response.status, 200);
  assert.equal(response.body.outcome, "rejected");
  assert.equal(await orderStatus(order.orderId), "pending_payment");
});

dbTest(
  "webhooks: malformed JSON with a valid signature is a 400; unknown events are recorded and ignored",
  async () => {
    const signed = await stripeDelivery("{not json");
    const malformed = await api("payments-webhook/stripe", { body: signed.body, headers: signed.headers });
    assert.equal(malformed.status, 400);
    assert.equal(envelope(malformed).code, "malformed_json");
    const unknown = await postStripe(stripeEvent("customer.created", { id: "cus_1", object: "customer" }));
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.outcome, "ignored");
  },
);

dbTest(
  "webhooks: Paystack signature is HMAC-SHA512 of the body; a bad one is 400, a forged amount is rejected by verify",
  async () => {
    const user = await createCustomer();
    const sku = await createSku(5, { currency: "NGN", price: 100000 });
    const response = await checkoutAs(user, { items: [{ sku, quantity: 1 }], provider: "paystack" });
    assert.equal(response.status, 201, response.text);
    const reference = response.body.payment.reference;
    const event = {
      event: "charge.success",
      data: { id: 991, status: "success", reference, amount: response.body.total, currency: "NGN" },
    };
    const bad = await paystackDelivery(event, { secret: "sk_test_wrong_secret_key" });
    const refused = await api("payments-webhook/paystack", { body: bad.body, headers: bad.headers });
    assert.equal(refused.status, 400);
    assert.equal(envelope(refused).code, "invalid_signature");
    // Signed, but Paystack never charged it: verification says pending, so the event is rejected.
    const good = await paystackDelivery(event);
    const accepted = await api("payments-webhook/paystack", { body: good.body, headers: good.headers });
    assert.equal(accepted.status, 200, accepted.text);
    assert.equal(accepted.body.outcome, "received");
    const again = await api("payments-webhook/paystack", { body: good.body, headers: good.headers });
    assert.equal(again.body.duplicate, true);
    const [settled] = await (async () => {
      for (let i = 0; i < 100; i++) {
        const rows =
          await sql()`select outcome from commerce.webhook_events where provider = 'paystack' and payload -> 'data' ->> 'reference' = ${reference}`;
        if (rows[0] && rows[0].outcome !== "received") return rows;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return [{ outcome: "timeout" }];
    })();
    assert.equal(settled.outcome, "rejected");
    assert.equal(await orderStatus(response.body.orderId), "pending_payment");
    // The real charge then arrives through the stand-in and counts.
    await runningPaystack.pay(response.body.payment.authorizationUrl);
    await waitForOrderStatus(response.body.orderId, "paid");
  },
);
