// /functions/v1/carts through the gateway: anonymous carts reached only with their token, signed-in
// carts only by their owner, items checked against availability, and the recovery path end to end:
// idle consenting cart -> single-use code and queued e-mail -> checkout from the cart with the code ->
// the order feed attributes the recovered order to the cart.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql } from "../../support/harness.ts";
import { createCustomer, createSku } from "../commerce/_helpers.ts";
import { mailTo } from "./_helpers.ts";

dbTest(
  "carts: an anonymous cart is reached only with its token; a signed-in cart only by its owner",
  async () => {
    const sku = await createSku(5);
    const created = await api("carts", { body: { items: [{ sku, quantity: 2 }] } });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.body.token.length >= 40);
    const { id, token } = created.body;
    assert.equal((await api(`carts/${id}`)).status, 404);
    assert.equal((await api(`carts/${id}`, { headers: { "x-cart-token": "x".repeat(43) } })).status, 404);
    const read = await api(`carts/${id}`, { headers: { "x-cart-token": token } });
    assert.equal(read.status, 200, read.text);
    assert.deepEqual(read.body.items, [{ sku, quantity: 2 }]);
    assert.equal(read.body.token, undefined, "the token is shown once");

    const unknown = await api(`carts/${id}/items`, {
      method: "PUT",
      headers: { "x-cart-token": token },
      body: { items: [{ sku: "NO-SUCH-SKU-1", quantity: 1 }] },
    });
    assert.equal(unknown.status, 422, unknown.text);
    assert.equal(envelope(unknown).code, "unknown_sku");
    const short = await api(`carts/${id}/items`, {
      method: "PUT",
      headers: { "x-cart-token": token },
      body: { items: [{ sku, quantity: 6 }] },
    });
    assert.equal(envelope(short).code, "out_of_stock");
    const patched = await api(`carts/${id}`, {
      method: "PATCH",
      headers: { "x-cart-token": token },
      body: { email: "Shopper@Test.local", consent: true },
    });
    assert.equal(patched.status, 200, patched.text);
    assert.equal(patched.body.email, "shopper@test.local");
    assert.equal(patched.body.consent, true);

    const owner = await createCustomer();
    const other = await createCustomer();
    const mine = await api("carts", { token: owner.token, body: { items: [{ sku, quantity: 1 }] } });
    assert.equal(mine.status, 201, mine.text);
    assert.equal(mine.body.token, undefined, "a signed-in cart needs no token");
    assert.equal((await api(`carts/${mine.body.id}`, { token: owner.token })).status, 200);
    assert.equal(envelope(await api(`carts/${mine.body.id}`, { token: other.token })).code, "not_found");
  },
);

dbTest(
  "carts: an idle consenting cart gets a single-use code by e-mail; the order with it is attributed",
  async () => {
    const sku = await createSku(5, { price: 3000 });
    const buyer = await createCustomer();
    const created = await api("carts", {
      body: { items: [{ sku, quantity: 1 }], email: buyer.email, consent: true },
    });
    assert.equal(created.status, 201, created.text);
    const { id, token } = created.body;
    await sql()`update marketing.carts set last_activity_at = now() - interval '5 hours' where id = ${id}`;
    await sql()`select private.marketing_recover_carts()`;
    await sql()`select marketing.advance_automations()`;
    const [queued] = await sql()`
    select m.data ->> 'couponCode' as code from marketing.messages m join marketing.subscribers s on s.id = m.subscriber_id
    join marketing.templates t on t.id = m.template_id where t.slug = 'cart-recovery' and s.email = ${buyer.email}`;
    assert.match(queued.code, /^CART-[0-9A-F]{12}$/);
    // The outbox hands it to the Resend stand-in (pg_net wakes the send job).
    await sql()`select private.marketing_wake_sender()`;
    const [mail] = await mailTo(buyer.email);
    assert.equal(mail.subject, `You left something in your cart: 10% off with ${queued.code}`);
    assert.match(mail.text!, new RegExp(`1 x ${sku}`));
    const abandoned = await api(`carts/${id}`, { headers: { "x-cart-token": token } });
    assert.equal(abandoned.body.status, "abandoned");
    assert.equal(abandoned.body.recoveryCode, queued.code);
    // Back from the mail, the shopper changes the cart: it stays abandoned, with its code, and the
    // recovery job starts nothing again for it.
    const changed = await api(`carts/${id}/items`, {
      method: "PUT",
      headers: { "x-cart-token": token },
      body: { items: [{ sku, quantity: 2 }] },
    });
    assert.equal(changed.status, 200, changed.text);
    assert.deepEqual(changed.body.items, [{ sku, quantity: 2 }]);
    assert.equal(changed.body.status, "abandoned");
    assert.equal(changed.body.recoveryCode, queued.code);
    await sql()`update marketing.carts set last_activity_at = now() - interval '5 hours' where id = ${id}`;
    await sql()`select private.marketing_recover_carts()`;
    const [{ codes }] = await sql()`
      select count(*)::int as codes from marketing.coupons c join marketing.carts k on k.recovery_coupon_id = c.id
      where k.id = ${id}`;
    assert.equal(codes, 1);
    assert.equal(
      (await api(`carts/${id}`, { headers: { "x-cart-token": token } })).body.recoveryCode,
      queued.code,
    );

    // The shopper signs in and checks the cart out with its token; the recovery code applies by default.
    const anonymous = await api(`carts/${id}/checkout`, { body: { provider: "stripe" } });
    assert.equal(anonymous.status, 401);
    const ordered = await api(`carts/${id}/checkout`, {
      token: buyer.token,
      headers: { "x-cart-token": token, "idempotency-key": crypto.randomUUID() },
      body: { provider: "stripe" },
    });
    assert.equal(ordered.status, 201, ordered.text);
    assert.equal(ordered.body.discount, 600);
    assert.equal(ordered.body.lines[0].discounts[0].code, queued.code);
    assert.equal(ordered.body.cartId, id);
    const again = await api(`carts/${id}/checkout`, {
      token: buyer.token,
      headers: { "x-cart-token": token, "idempotency-key": crypto.randomUUID() },
      body: { provider: "stripe" },
    });
    assert.equal(envelope(again).code, "cart_closed");

    await eventually(async () => {
      await sql()`select private.marketing_follow_orders()`;
      const [cart] = await sql()`select status, order_id from marketing.carts where id = ${id}`;
      return cart.status === "recovered" && cart.order_id === ordered.body.orderId;
    }, 15_000);
  },
);
