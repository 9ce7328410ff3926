// The failures of the anchors, reproduced against the running stack: a hot SKU under 50 concurrent
// checkouts, lines sharing one item, a storm of duplicated, shuffled and forged webhooks, provider
// timeouts and 5xx while creating payments, and reservations expiring while their payment succeeds.
// The ledger invariant is checked after each.
import assert from "node:assert/strict";
import { api, dbTest, sql, type TestUser } from "../../support/harness.ts";
import { runningPaystack } from "../../support/fakes/paystack.ts";
import {
  runningStripe,
  STRIPE_WEBHOOK_SECRET,
  stripeDelivery,
  stripeEvent,
} from "../../support/fakes/stripe.ts";
import { assertLedgerInvariant, checkoutAs, createCustomer, createSku } from "./_helpers.ts";

async function customers(n: number): Promise<TestUser[]> {
  const out: TestUser[] = [];
  for (let i = 0; i < n; i += 10) {
    out.push(...await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => createCustomer())));
  }
  return out;
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

async function inBatches<T, R>(items: T[], width: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  }));
  return results;
}

dbTest("reliability: 50 concurrent checkouts for the last 10 units give exactly 10 orders", async () => {
  // Split over both locations (7 + 3) so the reservation has to combine levels under the lock.
  const sku = await createSku(7, { elsewhere: 3 });
  const buyers = await customers(50);
  const answers = await Promise.all(
    buyers.map((buyer) => checkoutAs(buyer, { items: [{ sku, quantity: 1 }], provider: "stripe" })),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 10, JSON.stringify(statuses));
  assert.equal(statuses.filter((s) => s === 409).length, 40);
  assert.ok(answers.filter((a) => a.status === 409).every((a) => a.body.error.code === "out_of_stock"));
  const [level] = await sql()`
    select sum(r.quantity)::int as reserved, count(distinct r.order_id)::int as orders
    from commerce.reservations r join commerce.variants v on v.id = r.variant_id where v.sku = ${sku} and r.status = 'active'`;
  assert.deepEqual({ ...level }, { reserved: 10, orders: 10 });
  const [available] = await sql()`select available from commerce.catalog_availability(array[${sku}])`;
  assert.equal(available.available, 0);
  await assertLedgerInvariant();
});

dbTest("reliability: two lines sharing one item never over-reserve", async () => {
  const sku = await createSku(10);
  const buyers = await customers(20);
  const answers = await Promise.all(
    buyers.map((buyer) =>
      checkoutAs(buyer, { items: [{ sku, quantity: 3 }, { sku, quantity: 3 }], provider: "stripe" })
    ),
  );
  assert.equal(answers.filter((a) => a.status === 201).length, 1, "6 + 6 > 10: only one order fits");
  const [reserved] = await sql()`
    select sum(r.quantity)::int as n from commerce.reservations r join commerce.variants v on v.id = r.variant_id
    where v.sku = ${sku} and r.status = 'active'`;
  assert.equal(reserved.n, 6);
  await assertLedgerInvariant();
});

dbTest(
  "reliability: 500 deliveries (each event 1-3 times, shuffled, 5% forged) apply each event once",
  async () => {
    const sku = await createSku(400);
    const buyers = await customers(100);
    const orders = await inBatches(buyers, 10, async (buyer) => {
      const response = await checkoutAs(buyer, { items: [{ sku, quantity: 1 }], provider: "stripe" });
      assert.equal(response.status, 201, response.text);
      return {
        orderId: response.body.orderId as string,
        pi: response.body.payment.reference as string,
        total: response.body.total as number,
      };
    });
    // Orders 0-59 fail once and then succeed; 60-79 only succeed; 80-99 only fail.
    const events: Array<{ event: ReturnType<typeof stripeEvent>; index: number }> = [];
    orders.forEach((order, index) => {
      const object = {
        id: order.pi,
        object: "payment_intent",
        amount: order.total,
        amount_received: order.total,
        currency: "usd",
        metadata: {},
      };
      if (index < 60 || index >= 80) {
        events.push({
          index,
          event: stripeEvent("payment_intent.payment_failed", {
            ...object,
            status: "requires_payment_method",
          }),
        });
      }
      if (index < 80) {
        events.push({
          index,
          event: stripeEvent("payment_intent.succeeded", { ...object, status: "succeeded" }),
        });
      }
    });
    const deliveries: Array<{ body: string; headers: Record<string, string>; forged: boolean }> = [];
    for (const { event } of events) {
      const times = 1 + Math.floor(Math.random() * 3);
      for (let i = 0; i < times; i++) deliveries.push({ ...(await stripeDelivery(event)), forged: false });
    }
    while (deliveries.length < 475) {
      deliveries.push({
        ...(await stripeDelivery(events[deliveries.length % events.length].event)),
        forged: false,
      });
    }
    for (let i = 0; deliveries.length < 500; i++) {
      deliveries.push({
        ...(await stripeDelivery(events[i].event, { secrets: ["whsec_forged_by_someone"] })),
        forged: true,
      });
    }
    shuffle(deliveries);
    const answers = await inBatches(
      deliveries,
      20,
      (d) => api("payments-webhook/stripe", { body: d.body, headers: d.headers }),
    );
    deliveries.forEach((d, i) => assert.equal(answers[i].status, d.forged ? 400 : 200, answers[i].text));

    const ids = events.map((e) => e.event.id);
    const [recorded] =
      await sql()`select count(*)::int as n, count(distinct event_key)::int as distinct_keys from commerce.webhook_events where event_key = any(${ids})`;
    assert.deepEqual(
      { ...recorded },
      { n: events.length, distinct_keys: events.length },
      "every event recorded once",
    );
    const [unsettled] =
      await sql()`select count(*)::int as n from commerce.webhook_events where event_key = any(${ids}) and outcome = 'received'`;
    assert.equal(unsettled.n, 0);
    const rows = await sql()`
    select o.id, o.status, p.status as payment_status,
           (select count(*)::int from commerce.payment_events e where e.payment_id = p.id and e.kind = 'status_changed' and e.to_status = 'succeeded') as successes
    from commerce.orders o join commerce.payments p on p.order_id = o.id where o.id = any(${
      orders.map((o) => o.orderId)
    })`;
    const byId = new Map(rows.map((row) => [row.id, row]));
    orders.forEach((order, index) => {
      const row = byId.get(order.orderId)!;
      if (index < 80) {
        assert.equal(row.status, "paid", `order ${index}`);
        assert.equal(row.payment_status, "succeeded");
        assert.equal(row.successes, 1, "settled once");
      } else {
        assert.equal(row.status, "pending_payment", `order ${index}`);
        assert.equal(row.payment_status, "failed");
      }
    });
    const [allocated] = await sql()`
    select sum(l.allocated)::int as n from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id where v.sku = ${sku}`;
    assert.equal(allocated.n, 80, "one unit allocated per paid order, none twice");
    await assertLedgerInvariant();
  },
);

dbTest(
  "reliability: Stripe timeouts and 5xx while creating the payment: retried with one Idempotency-Key, one PaymentIntent",
  async () => {
    const buyer = await createCustomer();
    const sku = await createSku(5);
    const match = encodeURIComponent(buyer.email);
    // The first call times out after Stripe created the intent; the second gets a 500; the third answers.
    await runningStripe.faults([{ kind: "timeout", match }, { kind: "500", match }]);
    const response = await checkoutAs(buyer, { items: [{ sku, quantity: 1 }], provider: "stripe" });
    assert.equal(response.status, 201, response.text);
    const calls = await runningStripe.calls(match);
    assert.equal(calls.length, 3);
    assert.equal(new Set(calls.map((c) => c.idempotencyKey)).size, 1, "every attempt carries the same key");
    const intents = (await runningStripe.objects(buyer.email)).filter((o) => o.object === "payment_intent");
    assert.equal(intents.length, 1);
    assert.equal(intents[0].id, response.body.payment.reference);

    // Exhausted retries answer 502 and release the key; the client's retry continues the same order.
    const second = await createCustomer();
    const secondMatch = encodeURIComponent(second.email);
    await runningStripe.faults([{ kind: "503", match: secondMatch }, { kind: "503", match: secondMatch }, {
      kind: "429",
      match: secondMatch,
    }]);
    const key = crypto.randomUUID();
    const failed = await checkoutAs(second, { items: [{ sku, quantity: 2 }], provider: "stripe" }, key);
    assert.equal(failed.status, 502, failed.text);
    assert.equal(failed.body.error.code, "payment_provider_unavailable");
    const retried = await checkoutAs(second, { items: [{ sku, quantity: 2 }], provider: "stripe" }, key);
    assert.equal(retried.status, 201, retried.text);
    const [orders] =
      await sql()`select count(*)::int as n from commerce.orders where customer_id = ${second.id}`;
    assert.equal(orders.n, 1, "the retry continued the first order");
    assert.equal(
      (await runningStripe.objects(second.email)).filter((o) => o.object === "payment_intent").length,
      1,
    );
    const [reserved] =
      await sql()`select sum(quantity)::int as n from commerce.reservations where order_id = ${retried.body.orderId} and status = 'active'`;
    assert.equal(reserved.n, 2, "reserved once");
    await assertLedgerInvariant();
  },
);

dbTest(
  "reliability: a Paystack initialize that timed out is not reused; the answered reference is the one recorded",
  async () => {
    const buyer = await createCustomer();
    const sku = await createSku(5, { currency: "NGN", price: 100000 });
    await runningPaystack.faults([{ kind: "timeout", match: buyer.email }]);
    const response = await checkoutAs(buyer, { items: [{ sku, quantity: 1 }], provider: "paystack" });
    assert.equal(response.status, 201, response.text);
    const initialized = (await runningPaystack.objects(buyer.email)).filter((o) =>
      typeof o.access_code === "string"
    );
    assert.equal(initialized.length, 2, "the timed-out attempt and the answered one");
    assert.ok(response.body.payment.reference.endsWith("-2"));
    const [payment] =
      await sql()`select reference from commerce.payments where order_id = ${response.body.orderId}`;
    assert.equal(payment.reference, response.body.payment.reference);
  },
);

dbTest(
  "reliability: a reservation expiring while its payment succeeds ends paid with stock or refunded, never both nor neither",
  async () => {
    const outcomes: string[] = [];
    for (let round = 0; round < 8; round++) {
      const sku = await createSku(2);
      const buyer = await createCustomer();
      const response = await checkoutAs(buyer, { items: [{ sku, quantity: 2 }], provider: "stripe" });
      assert.equal(response.status, 201, response.text);
      const { orderId, total } = response.body;
      const pi = response.body.payment.reference;
      await sql()`update commerce.reservations set expires_at = now() - interval '1 second' where order_id = ${orderId}`;
      // In half the rounds someone else buys the released units before the payment lands.
      const rival = round % 2 === 1 ? await createCustomer() : null;
      const event = stripeEvent("payment_intent.succeeded", {
        id: pi,
        object: "payment_intent",
        amount: total,
        amount_received: total,
        currency: "usd",
        status: "succeeded",
        metadata: {},
      });
      const delivery = await stripeDelivery(event, { secrets: [STRIPE_WEBHOOK_SECRET] });
      const [, , webhook] = await Promise.all([
        sql()`select private.commerce_release_expired_reservations()`,
        rival ? checkoutAs(rival, { items: [{ sku, quantity: 2 }], provider: "stripe" }) : Promise.resolve(),
        api("payments-webhook/stripe", { body: delivery.body, headers: delivery.headers }),
      ]);
      // The webhook racing the expiry job must settle, not fail (a deadlock here was a 500).
      assert.equal(webhook.status, 200, `round ${round}: ${webhook.text}`);
      const [state] = await sql()`
      select o.status,
             (select coalesce(sum(m.allocated_delta), 0)::int from commerce.stock_movements m where m.order_id = o.id) as allocated,
             (select count(*)::int from commerce.refunds r where r.order_id = o.id and r.automatic) as refunds
      from commerce.orders o where o.id = ${orderId}`;
      const paidWithStock = state.status === "paid" && state.allocated === 2 && state.refunds === 0;
      const refunded = state.status === "canceled" && state.allocated === 0 && state.refunds === 1;
      assert.ok(paidWithStock || refunded, `round ${round}: ${JSON.stringify(state)}`);
      outcomes.push(paidWithStock ? "paid" : "refunded");
    }
    assert.ok(outcomes.includes("paid"), "some late payments found their stock again");
    await assertLedgerInvariant();
  },
);
