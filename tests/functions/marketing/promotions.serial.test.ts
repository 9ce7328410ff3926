// Coupon limits under concurrency, through the gateway: 30 checkouts racing for the last 5 uses of a
// code give exactly 5 discounted orders (the rest a 409 envelope and no order); a canceled order gives
// its use back once the coupons consumer has read it from commerce's order feed.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql } from "../../support/harness.ts";
import { checkoutAs, createCustomer, createSku } from "../commerce/_helpers.ts";

async function customers(n: number) {
  const out = [];
  for (let i = 0; i < n; i += 10) {
    out.push(...await Promise.all(Array.from({ length: Math.min(10, n - i) }, () => createCustomer())));
  }
  return out;
}

dbTest(
  "promotions: 30 concurrent checkouts for the last 5 uses of a code give exactly 5 discounted orders",
  async () => {
    const staff = await createCustomer({ staffRole: "marketing" });
    const code = `RACE${crypto.randomUUID().slice(0, 6).toUpperCase()}`;
    const created = await api("promotions", {
      token: staff.token,
      body: { name: "Race", kind: "percentage", percentOff: 20, coupon: { code, usageLimit: 30 } },
    });
    assert.equal(created.status, 201, created.text);
    // 25 of its 30 uses are gone.
    await sql()`update marketing.coupons set uses = 25 where code = ${code}`;
    const sku = await createSku(100);
    const buyers = await customers(30);

    const answers = await Promise.all(
      buyers.map((buyer) =>
        checkoutAs(buyer, {
          items: [{ sku, quantity: 1 }],
          provider: "stripe",
          couponCode: code.toLowerCase(),
        })
      ),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 201).length, 5, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 25, JSON.stringify(statuses));
    assert.ok(answers.filter((a) => a.status === 409).every((a) => envelope(a).code === "coupon_exhausted"));
    const won = answers.filter((a) => a.status === 201);
    assert.ok(won.every((a) => a.body.discount === 200 && a.body.total === 800 + a.body.tax));
    assert.ok(won.every((a) => a.body.lines[0].discounts[0].code === code));

    const [coupon] = await sql()`
    select c.uses, (select count(*)::int from marketing.promotion_redemptions r where r.coupon_id = c.id) as redemptions,
           (select count(*)::int from commerce.orders o where upper(o.coupon_code) = c.code) as orders
    from marketing.coupons c where c.code = ${code}`;
    assert.deepEqual({ ...coupon }, { uses: 30, redemptions: 5, orders: 5 });

    // A canceled order gives its use back (the coupons consumer follows commerce.order_feed).
    const canceled = await api(`orders/${won[0].body.orderId}/cancel`, {
      token: buyers[statuses.indexOf(201)].token,
      body: { reason: "changed my mind" },
    });
    assert.equal(canceled.status, 200, canceled.text);
    await eventually(async () => {
      await sql()`select private.marketing_follow_orders()`;
      const [row] = await sql()`select uses from marketing.coupons where code = ${code}`;
      return row.uses === 29;
    }, 15_000);
    const [returned] = await sql()`
    select status from marketing.promotion_redemptions where order_id = ${won[0].body.orderId}`;
    assert.equal(returned.status, "returned");
    const [late] = await customers(1);
    const again = await checkoutAs(late, {
      items: [{ sku, quantity: 1 }],
      provider: "stripe",
      couponCode: code,
    });
    assert.equal(again.status, 201, again.text);
    assert.equal(again.body.discount, 200);
    // Reading the feed again gives nothing back twice.
    await sql()`select private.marketing_follow_orders()`;
    const [after] = await sql()`select uses from marketing.coupons where code = ${code}`;
    assert.equal(after.uses, 30);
  },
);
