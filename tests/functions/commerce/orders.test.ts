// /functions/v1/orders and /functions/v1/inventory through the gateway: who reads what, cancel,
// fulfil, deliver, refunds through the provider (pending until its webhook), staff inventory.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql } from "../../support/harness.ts";
import { runningPaystack } from "../../support/fakes/paystack.ts";
import { runningStripe } from "../../support/fakes/stripe.ts";
import {
  assertLedgerInvariant,
  checkoutAs,
  createCustomer,
  createSku,
  waitForOrderStatus,
} from "./_helpers.ts";

async function paidStripeOrder(quantity = 2, price = 1000) {
  const buyer = await createCustomer();
  const sku = await createSku(10, { price });
  const response = await checkoutAs(buyer, { items: [{ sku, quantity }], provider: "stripe" });
  assert.equal(response.status, 201, response.text);
  await runningStripe.confirm(response.body.payment.reference);
  await waitForOrderStatus(response.body.orderId, "paid");
  return { buyer, sku, orderId: response.body.orderId as string, total: response.body.total as number };
}

dbTest("orders: customers list and read their own orders in the page envelope; others' are 404", async () => {
  const { buyer, orderId } = await paidStripeOrder();
  const list = await api("orders?limit=5", { token: buyer.token });
  assert.equal(list.status, 200, list.text);
  assert.deepEqual(Object.keys(list.body).sort(), [
    "currentPage",
    "hasNext",
    "items",
    "nextCursor",
    "nextSkip",
    "pageSize",
    "totalCount",
  ]);
  assert.equal(list.body.totalCount, 1);
  assert.equal(list.body.items[0].id, orderId);
  const detail = await api(`orders/${orderId}`, { token: buyer.token });
  assert.equal(detail.status, 200);
  assert.equal(detail.body.payment.status, "succeeded");
  assert.ok(detail.body.events.some((e: { to: string }) => e.to === "paid"));
  const stranger = await createCustomer();
  assert.equal((await api(`orders/${orderId}`, { token: stranger.token })).status, 404);
  assert.equal((await api("orders", { token: stranger.token })).body.totalCount, 0);
  const support = await createCustomer({ staffRole: "support" });
  assert.equal((await api(`orders/${orderId}`, { token: support.token })).status, 200);
  assert.equal((await api("orders")).status, 401);
  assert.equal((await api("orders/not-a-uuid", { token: buyer.token })).status, 422);
});

dbTest(
  "orders: a customer cancels before payment (stock released) but not after; support cancels a paid order and refunds it",
  async () => {
    const buyer = await createCustomer();
    const sku = await createSku(4);
    const pending = await checkoutAs(buyer, { items: [{ sku, quantity: 3 }], provider: "stripe" });
    const canceled = await api(`orders/${pending.body.orderId}/cancel`, {
      token: buyer.token,
      body: { reason: "changed my mind" },
    });
    assert.equal(canceled.status, 200, canceled.text);
    const [available] = await sql()`select available from commerce.catalog_availability(array[${sku}])`;
    assert.equal(available.available, 4);

    const paid = await paidStripeOrder(2, 2500);
    const refused = await api(`orders/${paid.orderId}/cancel`, { token: paid.buyer.token, body: {} });
    assert.equal(refused.status, 409);
    assert.equal(envelope(refused).code, "cannot_cancel");
    const support = await createCustomer({ staffRole: "support" });
    const byStaff = await api(`orders/${paid.orderId}/cancel`, {
      token: support.token,
      body: { reason: "customer called" },
    });
    assert.equal(byStaff.status, 200, byStaff.text);
    assert.ok(byStaff.body.refundId);
    // The refund goes to Stripe after commit and is confirmed by its webhook.
    await eventually(async () => {
      const [refund] = await sql()`select status from commerce.refunds where id = ${byStaff.body.refundId}`;
      return refund.status === "succeeded";
    });
    const [allocated] = await sql()`
    select sum(l.allocated)::int as n from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id where v.sku = ${paid.sku}`;
    assert.equal(allocated.n, 0, "allocations returned to stock");
    await assertLedgerInvariant();
  },
);

dbTest(
  "orders: fulfil, deliver, partial refunds up to captured minus refunded, a delivered order cannot be canceled",
  async () => {
    const { orderId, total } = await paidStripeOrder(2, 5000);
    const admin = await createCustomer({ staffRole: "admin" });
    const support = await createCustomer({ staffRole: "support" });
    const analyst = await createCustomer({ staffRole: "analyst" });
    assert.equal((await api(`orders/${orderId}/fulfil`, { token: support.token, body: {} })).status, 403);
    const fulfilled = await api(`orders/${orderId}/fulfil`, { token: admin.token, body: {} });
    assert.equal(fulfilled.status, 200, fulfilled.text);
    assert.equal(
      (await api(`orders/${orderId}/deliver`, { token: admin.token, body: {} })).body.status,
      "delivered",
    );
    const cancel = await api(`orders/${orderId}/cancel`, { token: admin.token, body: {} });
    assert.equal(cancel.status, 409);
    assert.equal(envelope(cancel).code, "cannot_cancel");
    assert.equal(
      (await api(`orders/${orderId}/refunds`, { token: analyst.token, body: { amount: 100, reason: "x" } }))
        .status,
      403,
    );
    const tooMuch = await api(`orders/${orderId}/refunds`, {
      token: support.token,
      body: { amount: total + 1, reason: "broken" },
    });
    assert.equal(tooMuch.status, 422);
    assert.equal(envelope(tooMuch).code, "refund_exceeds_refundable");
    const first = await api(`orders/${orderId}/refunds`, {
      token: support.token,
      body: { amount: 4000, reason: "one arrived broken", restock: true },
    });
    assert.equal(first.status, 201, first.text);
    const second = await api(`orders/${orderId}/refunds`, {
      token: support.token,
      body: { amount: total - 4000 + 1, reason: "more" },
    });
    assert.equal(second.status, 422, "pending refunds count against the refundable amount");
    await eventually(async () => {
      const [order] = await sql()`select status from commerce.orders where id = ${orderId}`;
      return order.status === "partially_refunded";
    });
    const rest = await api(`orders/${orderId}/refunds`, {
      token: support.token,
      body: { amount: total - 4000, reason: "goodwill" },
    });
    assert.equal(rest.status, 201);
    await waitForOrderStatus(orderId, "refunded");
    const [payment] =
      await sql()`select refunded_minor::int, captured_minor::int from commerce.payments where order_id = ${orderId}`;
    assert.equal(payment.refunded_minor, payment.captured_minor);
    const stripeRefunds = (await runningStripe.objects(orderId)).length;
    assert.ok(stripeRefunds >= 1);
    await assertLedgerInvariant();
  },
);

dbTest("orders: a Paystack refund goes to Paystack and is confirmed by refund.processed", async () => {
  const buyer = await createCustomer();
  const sku = await createSku(5, { currency: "NGN", price: 500000 });
  const response = await checkoutAs(buyer, { items: [{ sku, quantity: 1 }], provider: "paystack" });
  await runningPaystack.pay(response.body.payment.authorizationUrl);
  await waitForOrderStatus(response.body.orderId, "paid");
  const support = await createCustomer({ staffRole: "support" });
  const refund = await api(`orders/${response.body.orderId}/refunds`, {
    token: support.token,
    body: { amount: 100000, reason: "partial" },
  });
  assert.equal(refund.status, 201, refund.text);
  await waitForOrderStatus(response.body.orderId, "partially_refunded");
  const refunds = await runningPaystack.calls("/refund");
  assert.ok(
    refunds.some((call) => call.body.includes(refund.body.refundId)),
    "merchant_note names our refund",
  );
});

dbTest(
  "inventory: anon reads availability only; admins receive into lots and adjust; others are refused",
  async () => {
    const sku = await createSku(3);
    const availability = await api(`inventory/availability?sku=${sku}`);
    assert.equal(availability.status, 200);
    assert.deepEqual(availability.body.items, [{ sku, available: 3 }]);
    assert.equal((await api(`inventory/levels?sku=${sku}`)).status, 401);
    const admin = await createCustomer({ staffRole: "admin" });
    const analyst = await createCustomer({ staffRole: "analyst" });
    const receipt = await api("inventory/receipts", {
      token: admin.token,
      body: { sku, location: "HOU-1", quantity: 5, batchNumber: "B-1", expiresOn: "2027-01-31" },
    });
    assert.equal(receipt.status, 201, receipt.text);
    assert.equal(receipt.body.onHand, 8);
    assert.equal(
      (await api("inventory/receipts", {
        token: analyst.token,
        body: { sku, location: "HOU-1", quantity: 5 },
      })).status,
      403,
    );
    const tooFar = await api("inventory/adjustments", {
      token: admin.token,
      body: { sku, location: "HOU-1", delta: -9, reason: "count" },
    });
    assert.equal(tooFar.status, 409);
    assert.equal(envelope(tooFar).code, "insufficient_stock");
    const unknown = await api("inventory/adjustments", {
      token: admin.token,
      body: { sku: "NOPE-1", location: "HOU-1", delta: 1, reason: "count" },
    });
    assert.equal(unknown.status, 404);
    const adjusted = await api("inventory/adjustments", {
      token: admin.token,
      body: { sku, location: "HOU-1", delta: -2, reason: "damaged" },
    });
    assert.equal(adjusted.status, 201);
    const levels = await api(`inventory/levels?sku=${sku}`, { token: analyst.token });
    assert.equal(levels.status, 200);
    const hou = levels.body.items.find((l: { location: string }) => l.location === "HOU-1");
    assert.equal(hou.onHand, 6);
    assert.equal(hou.lots[0].batchNumber, "B-1");
    const alerts = await api("inventory/alerts", { token: analyst.token });
    assert.equal(alerts.status, 200);
    await assertLedgerInvariant();
  },
);

dbTest("orders: analytics per metric for analysts over the shared window; others refused", async () => {
  await paidStripeOrder(1, 1200);
  const analyst = await createCustomer({ staffRole: "analyst" });
  const revenue = await api("orders/analytics/revenue?range=24h", { token: analyst.token });
  assert.equal(revenue.status, 200, revenue.text);
  assert.ok(
    revenue.body.items.some((row: { currency: string; orders: string | number }) =>
      row.currency === "USD" && Number(row.orders) >= 1
    ),
  );
  for (
    const metric of ["average-order-value", "payment-success", "refund-rate", "stock-value", "top-products"]
  ) {
    assert.equal(
      (await api(`orders/analytics/${metric}?range=7d`, { token: analyst.token })).status,
      200,
      metric,
    );
  }
  const inverted = await api("orders/analytics/revenue?from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", {
    token: analyst.token,
  });
  assert.equal(inverted.status, 422);
  const support = await createCustomer({ staffRole: "support" });
  assert.equal((await api("orders/analytics/revenue", { token: support.token })).status, 403);
  assert.equal((await api("orders/analytics/nope", { token: analyst.token })).status, 422);
});

dbTest("orders: partial fulfilment ships some units, then the rest", async () => {
  const { orderId, sku } = await paidStripeOrder(3, 1000);
  const admin = await createCustomer({ staffRole: "admin" });
  const tooMany = await api(`orders/${orderId}/fulfil`, {
    token: admin.token,
    body: { lines: [{ sku, quantity: 4 }] },
  });
  assert.equal(tooMany.status, 422);
  assert.equal(envelope(tooMany).code, "invalid_fulfilment");
  const part = await api(`orders/${orderId}/fulfil`, {
    token: admin.token,
    body: { lines: [{ sku, quantity: 2 }] },
  });
  assert.equal(part.status, 200, part.text);
  assert.equal(part.body.status, "partially_fulfilled");
  const cancel = await api(`orders/${orderId}/cancel`, { token: admin.token, body: {} });
  assert.equal(cancel.status, 409, "a partly shipped order is no longer canceled");
  const rest = await api(`orders/${orderId}/fulfil`, { token: admin.token, body: {} });
  assert.equal(rest.body.status, "fulfilled");
  const [sold] =
    await sql()`select sum(-on_hand_delta)::int as n from commerce.stock_movements where order_id = ${orderId} and kind = 'sale'`;
  assert.equal(sold.n, 3);
  await assertLedgerInvariant();
});
