// Marketing follows orders through commerce's order feed: a paid order becomes an order fact (customer
// analytics), pending loyalty points and an order confirmation to the order's e-mail; fulfilment sends
// the shipping notice; a cancellation after payment claws the points back and turns the fact canceled;
// the refund window releases the rest. Orders go through the real checkout, the Stripe fake and the
// order routes; the consumer is the cron job's function, run here so the test need not wait a minute.
import assert from "node:assert/strict";
import { api, dbTest, eventually, sql } from "../../support/harness.ts";
import { runningStripe } from "../../support/fakes/stripe.ts";
import { checkoutAs, createCustomer, createSku, waitForOrderStatus } from "../commerce/_helpers.ts";
import { mailTo, uniqueEmail } from "./_helpers.ts";
import { createUser } from "../../support/harness.ts";

async function paidOrder(email: string, quantity: number, price: number) {
  const buyer = await createUser({ email });
  await sql()`update auth.users set email_confirmed_at = now() where id = ${buyer.id}`;
  const sku = await createSku(10, { price });
  const response = await checkoutAs(buyer, { items: [{ sku, quantity }], provider: "stripe" });
  assert.equal(response.status, 201, response.text);
  await runningStripe.confirm(response.body.payment.reference);
  await waitForOrderStatus(response.body.orderId, "paid");
  return { buyer, sku, orderId: response.body.orderId as string };
}

/** Runs the consumer until the check holds (the feed serves an event once older transactions end). */
function consumeUntil<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 20_000): Promise<T> {
  return eventually(async () => {
    await sql()`select private.marketing_consume_orders()`;
    return await check();
  }, timeoutMs);
}

async function fact(orderId: string) {
  const [row] =
    await sql()`select status, total::float8 as total from marketing.customer_orders where order_id = ${orderId}`;
  return row as { status: string; total: number } | undefined;
}

async function lot(orderId: string) {
  const [row] = await sql()`
    select points, remaining, status, clawed_points, available_at > now() + interval '29 days' as window_applied
    from marketing.points_lots where source_key = ${"order:" + orderId}`;
  return row;
}

dbTest(
  "orders feed: payment records the fact, pending points and the confirmation; fulfilment the shipping notice",
  async () => {
    const email = uniqueEmail("order");
    const { buyer, sku, orderId } = await paidOrder(email, 2, 2550);
    const placed = await consumeUntil(async () =>
      (await fact(orderId))?.status === "placed" && fact(orderId)
    );
    assert.equal(placed.total, 51, "the fact carries the total in currency units");
    const [analytics] = await sql()`
      select orders_count, total_spent::float8 as spent from marketing.customer_analytics where user_id = ${buyer.id}`;
    assert.deepEqual({ ...analytics }, { orders_count: 1, spent: 51 }, "customer analytics follow at once");
    const points = await lot(orderId);
    assert.deepEqual({ ...points }, {
      points: 51,
      remaining: 51,
      status: "pending",
      clawed_points: 0,
      window_applied: true,
    }, "1 point per dollar, pending for the 30-day refund window");
    const [basket] =
      await sql()`select count(*)::int as n from marketing.order_baskets where order_id = ${orderId}`;
    assert.equal(basket.n, 1, "the order's product is in its basket");

    await sql()`select private.marketing_tick()`;
    const [confirmation] = await mailTo(email, 1, 30_000);
    const [{ number }] = await sql()`select number from commerce.orders where id = ${orderId}`;
    assert.match(confirmation.subject, new RegExp(`Your order ${number} is confirmed`));
    assert.match(
      confirmation.html ?? "",
      new RegExp(`<td>${sku}</td><td>2</td><td>25.50 USD</td><td>51.00 USD</td>`),
    );
    assert.match(confirmation.text ?? "", /Total: 51.00 USD/);

    // A second run applies nothing again: no second fact, lot or confirmation.
    await sql()`select private.marketing_consume_orders()`;
    await sql()`select private.marketing_tick()`;
    const [runs] = await sql()`
      select count(*)::int as n from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
      where a.slug = 'order-confirmation' and r.trigger_event = ${"order:" + orderId + ":paid"}`;
    assert.equal(runs.n, 1, "one confirmation run per order");

    const admin = await createCustomer({ staffRole: "admin" });
    const shipped = await api(`orders/${orderId}/fulfil`, { token: admin.token, body: {} });
    assert.equal(shipped.status, 200, shipped.text);
    await consumeUntil(async () => {
      const [run] = await sql()`
        select count(*)::int as n from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
        where a.slug = 'order-shipped' and r.trigger_event like ${"order:" + orderId + ":shipped:%"}`;
      return run.n === 1;
    });
    await sql()`select private.marketing_tick()`;
    const mails = await mailTo(email, 2, 30_000);
    const notice = mails.find((m) => m.subject.includes("is on its way"));
    assert.ok(notice, "the shipping notice arrives");
    assert.match(notice.html ?? "", /has shipped/);
    assert.match(notice.html ?? "", new RegExp(`<td>${sku}</td><td>2</td><td>2</td>`));
    assert.equal(mails.length, 2, "and nothing else");

    // The refund window passes: the points become spendable.
    await sql()`update marketing.points_lots set available_at = now() - interval '1 second'
                where source_key = ${"order:" + orderId}`;
    await sql()`select private.marketing_consume_orders()`;
    assert.equal((await lot(orderId)).status, "available");
    const me = await api("loyalty/me", { token: buyer.token });
    assert.equal(me.status, 200, me.text);
    assert.equal(me.body.balance, 51);
  },
);

dbTest(
  "orders feed: a paid order canceled by support claws its points back and leaves analytics",
  async () => {
    const email = uniqueEmail("cancel");
    const { buyer, orderId } = await paidOrder(email, 1, 4000);
    await consumeUntil(async () => (await lot(orderId))?.status === "pending");
    const support = await createCustomer({ staffRole: "support" });
    const canceled = await api(`orders/${orderId}/cancel`, {
      token: support.token,
      body: { reason: "asked" },
    });
    assert.equal(canceled.status, 200, canceled.text);
    const clawed = await consumeUntil(async () => {
      const row = await lot(orderId);
      return row.status === "clawed_back" && row;
    });
    assert.equal(clawed.remaining, 0);
    assert.equal(clawed.clawed_points, 40);
    assert.equal((await fact(orderId))?.status, "canceled");
    const [analytics] = await sql()`
    select orders_count, total_spent::float8 as spent from marketing.customer_analytics where user_id = ${buyer.id}`;
    assert.deepEqual({ ...analytics }, { orders_count: 0, spent: 0 }, "a canceled order no longer counts");
    const [ledger] = await sql()`
    select coalesce(sum(points), 0)::int as net from marketing.points_ledger where user_id = ${buyer.id}`;
    assert.equal(ledger.net, 0, "the ledger nets to zero");
  },
);

dbTest("orders feed: no order notice goes to a blocklisted address", async () => {
  const email = uniqueEmail("blocked");
  await sql()`insert into marketing.subscribers (email, status, blocklisted_reason) values (${email}, 'blocklisted', 'complaint')`;
  const { orderId } = await paidOrder(email, 1, 1000);
  await consumeUntil(async () => (await fact(orderId))?.status === "placed");
  await sql()`select private.marketing_tick()`;
  const [message] = await eventually(async () => {
    const rows = await sql()`
      select m.status, m.last_error from marketing.messages m join marketing.subscribers s on s.id = m.subscriber_id
      where s.email = ${email} and m.status in ('suppressed', 'sent', 'dead')`;
    return rows.length ? rows : null;
  }, 30_000);
  assert.deepEqual({ ...message }, { status: "suppressed", last_error: "blocklisted" });
});
