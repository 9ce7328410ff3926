// Paystack sends no webhook for a failed or abandoned charge: the dispatcher verifies a pending
// Paystack payment whose reservation is about to expire (GET /transaction/verify/:reference) and
// applies what it says. Success found late pays the order; failed or abandoned, once the reservation
// has expired, fails the payment, releases the stock and cancels the order; faults change nothing.
import assert from "node:assert/strict";
import { api, dbTest, eventually, serviceRoleKey, sql } from "../../support/harness.ts";
import { runningPaystack } from "../../support/fakes/paystack.ts";
import { assertLedgerInvariant, checkoutAs, createCustomer, createSku, orderStatus } from "./_helpers.ts";

async function paystackOrder(stock = 3, quantity = 2) {
  const user = await createCustomer();
  const sku = await createSku(stock, { currency: "NGN", price: 150000 });
  const response = await checkoutAs(user, { items: [{ sku, quantity }], provider: "paystack" });
  assert.equal(response.status, 201, response.text);
  return {
    user,
    sku,
    orderId: response.body.orderId as string,
    reference: response.body.payment.reference as string,
    authorizationUrl: response.body.payment.authorizationUrl as string,
  };
}

/** Moves the order's reservations to expire `seconds` from now (negative: already expired). */
async function expireIn(orderId: string, seconds: number): Promise<void> {
  await sql()`update commerce.reservations set expires_at = now() + make_interval(secs => ${seconds})
              where order_id = ${orderId} and status = 'active'`;
  // A check claimed before the move waits 30 s x checks; the test does not.
  await sql()`update commerce.payments set checked_at = null where order_id = ${orderId}`;
}

async function dispatch(): Promise<void> {
  const response = await api("payments-webhook/dispatch", { token: await serviceRoleKey(), body: {} });
  assert.equal(response.status, 200, response.text);
}

async function paymentState(orderId: string) {
  const [state] = await sql()`
    select p.status as payment, p.checks, o.status as "order",
           (select count(*)::int from commerce.reservations r where r.order_id = o.id and r.status = 'active') as active,
           (select coalesce(sum(m.reserved_delta), 0)::int from commerce.stock_movements m where m.order_id = o.id) as reserved,
           (select coalesce(sum(m.allocated_delta), 0)::int from commerce.stock_movements m where m.order_id = o.id) as allocated
    from commerce.payments p join commerce.orders o on o.id = p.order_id where o.id = ${orderId}`;
  return state;
}

/** Dispatches until the order's payment was checked at least `checks` times. */
async function checkedAtLeast(orderId: string, checks: number) {
  return await eventually(async () => {
    await dispatch();
    const state = await paymentState(orderId);
    return state.checks >= checks ? state : undefined;
  }, 15_000);
}

async function available(sku: string): Promise<number> {
  const [row] =
    await sql()`select sum(private.commerce_level_available(l.variant_id, l.location_id))::int as n
                            from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id
                            where v.sku = ${sku}`;
  return row.n;
}

dbTest(
  "paystack checks: a declined card is failed and canceled once the reservation expires, not before",
  async () => {
    const { orderId, reference, authorizationUrl, sku } = await paystackOrder();
    assert.equal(await runningPaystack.pay(authorizationUrl, { declined: true }), 402);

    // Two minutes before expiry the customer may still try another card: verify is asked, nothing moves.
    await expireIn(orderId, 60);
    const early = await checkedAtLeast(orderId, 1);
    assert.equal(early.payment, "pending");
    assert.equal(early.order, "pending_payment");
    assert.equal(early.active, 1, "the reservation still holds the stock");
    assert.equal(await available(sku), 1);
    assert.ok((await runningPaystack.calls(`/transaction/verify/${reference}`)).length >= 1);

    await expireIn(orderId, -1);
    const settled = await eventually(async () => {
      await dispatch();
      const state = await paymentState(orderId);
      return state.order === "canceled" ? state : undefined;
    }, 15_000);
    assert.equal(settled.payment, "failed");
    assert.equal(settled.active, 0);
    assert.equal(settled.reserved, 0, "the reservation was released through the ledger");
    assert.equal(await available(sku), 3, "the stock is back");
    const events =
      await sql()`select kind from commerce.order_events where order_id = ${orderId} order by id`;
    assert.deepEqual(events.map((e) => e.kind).filter((k) => k !== "created"), [
      "payment_failed",
      "status_changed",
      "canceled",
    ]);
    const [event] = await sql()`select outcome, event_type from commerce.webhook_events
                                where event_key = ${`transaction.verify:${reference}:failed`}`;
    assert.deepEqual({ ...event }, { outcome: "applied", event_type: "transaction.verify" });
    await assertLedgerInvariant();
  },
);

dbTest(
  "paystack checks: a checkout nobody completed reads abandoned and is canceled after expiry",
  async () => {
    const { orderId } = await paystackOrder();
    await expireIn(orderId, -1);
    const settled = await eventually(async () => {
      await dispatch();
      const state = await paymentState(orderId);
      return state.order === "canceled" ? state : undefined;
    }, 15_000);
    assert.equal(settled.payment, "failed");
    const [reason] = await sql()`select details ->> 'reason' as reason from commerce.order_events
                               where order_id = ${orderId} and kind = 'canceled'`;
    assert.equal(reason.reason, "Paystack charge abandoned");
    await assertLedgerInvariant();
  },
);

dbTest(
  "paystack checks: a success whose webhook was lost is found before expiry and pays the order",
  async () => {
    const { orderId, reference } = await paystackOrder();
    await runningPaystack.settle(reference, "success", { deliver: false });
    await expireIn(orderId, 30);
    const paid = await eventually(async () => {
      await dispatch();
      const state = await paymentState(orderId);
      return state.order === "paid" ? state : undefined;
    }, 15_000);
    assert.equal(paid.payment, "succeeded");
    assert.equal(paid.allocated, 2, "the reservation became an allocation");
    assert.equal(paid.reserved, 0);
    // The webhook arriving after all is applied once: the payment is already settled.
    const later = await api("payments-webhook/dispatch", { token: await serviceRoleKey(), body: {} });
    assert.equal(later.status, 200);
    assert.equal(await orderStatus(orderId), "paid");
    await assertLedgerInvariant();
  },
);

dbTest("paystack checks: a success found after expiry re-reserves the stock and pays", async () => {
  const { orderId, reference } = await paystackOrder(2, 2);
  await runningPaystack.settle(reference, "success", { deliver: false });
  await expireIn(orderId, -1);
  await sql()`select private.commerce_release_expired_reservations()`;
  const paid = await eventually(async () => {
    await dispatch();
    const state = await paymentState(orderId);
    return state.order === "paid" ? state : undefined;
  }, 15_000);
  assert.equal(paid.allocated, 2);
  await assertLedgerInvariant();
});

dbTest(
  "paystack checks: a charge still in flight is only noted; 5xx and timeouts from verify change nothing",
  async () => {
    const { orderId, reference, sku } = await paystackOrder();
    await runningPaystack.settle(reference, "ongoing");
    await expireIn(orderId, -1);
    const noted = await checkedAtLeast(orderId, 1);
    assert.equal(noted.payment, "pending");
    assert.equal(noted.order, "pending_payment");
    const [seen] = await sql()`select count(*)::int as n from commerce.payment_events pe
                             join commerce.payments p on p.id = pe.payment_id
                             where p.order_id = ${orderId} and pe.kind = 'provider_checked'
                               and pe.details ->> 'providerStatus' = 'ongoing'`;
    assert.ok(seen.n >= 1);

    await runningPaystack.settle(reference, "failed");
    await runningPaystack.faults([{ kind: "503", match: reference }, { kind: "timeout", match: reference }]);
    await sql()`update commerce.payments set checked_at = null where order_id = ${orderId}`;
    const faulted = await checkedAtLeast(orderId, 2);
    assert.equal(faulted.order, "pending_payment", "a failed verify call decides nothing");
    await sql()`update commerce.payments set checked_at = null where order_id = ${orderId}`;
    await checkedAtLeast(orderId, 3);
    // Both faults are spent; the next check hears `failed`.
    const settled = await eventually(async () => {
      await sql()`update commerce.payments set checked_at = null where order_id = ${orderId}`;
      await dispatch();
      const state = await paymentState(orderId);
      return state.order === "canceled" ? state : undefined;
    }, 20_000);
    assert.equal(settled.payment, "failed");
    assert.equal(await available(sku), 3);
    await assertLedgerInvariant();
  },
);
