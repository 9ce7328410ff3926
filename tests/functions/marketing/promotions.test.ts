// /functions/v1/promotions through the gateway: staff create, list, read and change promotions and
// codes, generate codes in bulk and list their usage; analysts read; customers and anonymous callers
// are refused; checkout shows every discount per line and refuses a code beyond its limits.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql } from "../../support/harness.ts";
import { runningStripe } from "../../support/fakes/stripe.ts";
import { checkoutAs, createCustomer, createSku, waitForOrderStatus } from "../commerce/_helpers.ts";

const unique = () => crypto.randomUUID().slice(0, 8).toUpperCase();

dbTest(
  "promotions: staff create, list, change and generate; analysts read; customers are refused",
  async () => {
    const staff = await createCustomer({ staffRole: "marketing" });
    const analyst = await createCustomer({ staffRole: "analyst" });
    const customer = await createCustomer();
    const code = `STAFF${unique()}`;
    const body = {
      name: "Staff test",
      kind: "fixed_amount",
      amountOff: 300,
      currency: "USD",
      coupon: { code },
    };

    assert.equal(envelope(await api("promotions", { body })).code, "unauthorized");
    assert.equal(envelope(await api("promotions", { token: customer.token, body })).code, "forbidden");
    assert.equal(envelope(await api("promotions", { token: analyst.token, body })).code, "forbidden");
    const missing = await api("promotions", { token: staff.token, body: { name: "x", kind: "percentage" } });
    assert.equal(missing.status, 422, missing.text);
    assert.equal(envelope(missing).code, "validation_failed");

    const created = await api("promotions", { token: staff.token, body });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.amountOff, 300);
    assert.equal(created.body.couponCreated.code, code);
    const id = created.body.id;
    const duplicate = await api(`promotions/${id}/coupons`, {
      token: staff.token,
      body: { code: code.toLowerCase() },
    });
    assert.equal(duplicate.status, 409, duplicate.text);
    envelope(duplicate);

    const listed = await api("promotions?limit=100", { token: analyst.token });
    assert.equal(listed.status, 200, listed.text);
    assert.ok(listed.body.items.some((p: { id: string }) => p.id === id));
    assert.equal(envelope(await api("promotions", { token: customer.token })).code, "forbidden");

    const patched = await api(`promotions/${id}`, {
      method: "PATCH",
      token: staff.token,
      body: { name: "Staff test renamed", budgetUses: 10 },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.name, "Staff test renamed");
    assert.equal(patched.body.budgetUses, 10);
    const analystPatch = await api(`promotions/${id}`, {
      method: "PATCH",
      token: analyst.token,
      body: { name: "x" },
    });
    assert.equal(envelope(analystPatch).code, "forbidden");
    const unknown = await api(`promotions/${crypto.randomUUID()}`, { token: analyst.token });
    assert.equal(unknown.status, 404);

    const generated = await api(`promotions/${id}/coupons/generate`, {
      token: staff.token,
      body: { count: 3, prefix: "ST" },
    });
    assert.equal(generated.status, 201, generated.text);
    assert.equal(generated.body.count, 3);
    assert.ok(generated.body.codes.every((c: string) => /^ST-[0-9A-F]{13}$/.test(c)));
    const coupons = await api(`promotions/${id}/coupons`, { token: analyst.token });
    assert.equal(coupons.status, 200, coupons.text);
    assert.equal(coupons.body.coupons.length, 4);
    assert.ok(coupons.body.coupons.every((c: { uses: number }) => c.uses === 0));
  },
);

dbTest("promotions: checkout shows each discount per line and refuses a code beyond its limits", async () => {
  const staff = await createCustomer({ staffRole: "marketing" });
  const code = `LINE${unique()}`;
  const cheap = await createSku(10, { price: 500 });
  const dear = await createSku(10, { price: 1500 });
  const created = await api("promotions", {
    token: staff.token,
    body: {
      name: "Dear only",
      kind: "percentage",
      percentOff: 10,
      skus: [dear],
      coupon: { code, usageLimit: 2, perCustomerLimit: 1 },
    },
  });
  assert.equal(created.status, 201, created.text);
  const buyer = await createCustomer();
  const items = [{ sku: cheap, quantity: 1 }, { sku: dear, quantity: 2 }];
  const first = await checkoutAs(buyer, { items, provider: "stripe", couponCode: code.toLowerCase() });
  assert.equal(first.status, 201, first.text);
  assert.equal(first.body.subtotal, 3500);
  assert.equal(first.body.discount, 300);
  const bySku = Object.fromEntries(first.body.lines.map((l: { sku: string }) => [l.sku, l]));
  assert.equal(bySku[cheap].discount, 0);
  assert.deepEqual(bySku[cheap].discounts, []);
  assert.equal(bySku[dear].discount, 300);
  assert.deepEqual(
    bySku[dear].discounts.map((d: Record<string, unknown>) => [d.name, d.kind, d.code, d.amount]),
    [["Dear only", "percentage", code, 300]],
  );

  const again = await checkoutAs(buyer, { items, provider: "stripe", couponCode: code });
  assert.equal(again.status, 409, again.text);
  assert.equal(envelope(again).code, "coupon_limit_reached");
  const unknown = await checkoutAs(buyer, { items, provider: "stripe", couponCode: "NOPE-" + unique() });
  assert.equal(unknown.status, 422, unknown.text);
  assert.equal(envelope(unknown).code, "unknown_coupon");

  const second = await createCustomer();
  assert.equal((await checkoutAs(second, { items, provider: "stripe", couponCode: code })).status, 201);
  const third = await createCustomer();
  const exhausted = await checkoutAs(third, { items, provider: "stripe", couponCode: code });
  assert.equal(exhausted.status, 409, exhausted.text);
  assert.equal(envelope(exhausted).code, "coupon_exhausted");
  const [orders] =
    await sql()`select count(*)::int as n from commerce.orders where customer_id = ${third.id}`;
  assert.equal(orders.n, 0, "a refused code leaves no order");
});

dbTest("promotions: a partial refund keeps the code's use; the full refund gives it back", async () => {
  const staff = await createCustomer({ staffRole: "marketing" });
  const support = await createCustomer({ staffRole: "support" });
  const code = `REFUND${unique()}`;
  const created = await api("promotions", {
    token: staff.token,
    body: { name: "Refund test", kind: "fixed_amount", amountOff: 500, currency: "USD", coupon: { code } },
  });
  assert.equal(created.status, 201, created.text);
  const buyer = await createCustomer();
  const sku = await createSku(5, { price: 4000 });
  const order = await checkoutAs(buyer, {
    items: [{ sku, quantity: 1 }],
    provider: "stripe",
    couponCode: code,
  });
  assert.equal(order.status, 201, order.text);
  await runningStripe.confirm(order.body.payment.reference);
  await waitForOrderStatus(order.body.orderId, "paid");
  const uses = async () => {
    await sql()`select private.marketing_follow_orders()`;
    const [row] = await sql()`
      select c.uses, u.uses as customer_uses, p.uses as promotion_uses, p.amount_used_minor::int as amount_used
      from marketing.coupons c join marketing.promotions p on p.id = c.promotion_id
      left join marketing.coupon_customer_uses u on u.coupon_id = c.id and u.customer_id = ${buyer.id}
      where c.code = ${code}`;
    return { ...row };
  };

  const partial = await api(`orders/${order.body.orderId}/refunds`, {
    token: support.token,
    body: { amount: 1000, reason: "scratched" },
  });
  assert.equal(partial.status, 201, partial.text);
  await waitForOrderStatus(order.body.orderId, "partially_refunded");
  assert.deepEqual(await uses(), { uses: 1, customer_uses: 1, promotion_uses: 1, amount_used: 500 });

  const rest = await api(`orders/${order.body.orderId}/refunds`, {
    token: support.token,
    body: { amount: order.body.total - 1000, reason: "returned" },
  });
  assert.equal(rest.status, 201, rest.text);
  await waitForOrderStatus(order.body.orderId, "refunded");
  await eventually(async () => (await uses()).uses === 0, 15_000);
  assert.deepEqual(await uses(), { uses: 0, customer_uses: 0, promotion_uses: 0, amount_used: 0 });
  const again = await checkoutAs(buyer, {
    items: [{ sku, quantity: 1 }],
    provider: "stripe",
    couponCode: code,
  });
  assert.equal(again.status, 201, "the customer may use the code again after the full refund");
});
