// Vends funded by a Paystack payment (issue 11, item 3): a commerce checkout paid through the stack's
// Paystack stand-in funds exactly one vend through the gateway; a reference used twice, an unpaid,
// foreign, foreign-currency or too small payment is a 4xx envelope that writes nothing; a vend that
// finally fails is refunded through commerce's refund path, once.
import assert from "node:assert/strict";
import { meterFacts } from "../../../supabase/local/standins/buypower.ts";
import { api, dbTest, envelope, eventually, sql, type TestUser } from "../../support/harness.ts";
import { runningPaystack } from "../../support/fakes/paystack.ts";
import { checkoutAs, createCustomer, createSku, waitForOrderStatus } from "../commerce/_helpers.ts";
import { drain, startFake, workerDeps } from "./_helpers.ts";

/** A Paystack checkout of one NGN unit priced `priceKobo` (plus VAT); paid unless told otherwise. */
async function paystackOrder(user: TestUser, priceKobo: number, options: { pay?: boolean } = {}) {
  const sku = await createSku(5, { currency: "NGN", price: priceKobo });
  const checkout = await checkoutAs(user, { items: [{ sku, quantity: 1 }], provider: "paystack" });
  assert.equal(checkout.status, 201, checkout.text);
  if (options.pay ?? true) {
    assert.equal(await runningPaystack.pay(checkout.body.payment.authorizationUrl), 200);
    await waitForOrderStatus(checkout.body.orderId, "paid");
  }
  return {
    orderId: checkout.body.orderId as string,
    reference: checkout.body.payment.reference as string,
    totalKobo: checkout.body.total as number,
  };
}

/** A prepaid meter the sandbox takes ₦`naira` for. */
function meterTaking(naira: number): string {
  for (let i = 0; i < 10_000; i++) {
    const candidate = `5${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}1`;
    const facts = meterFacts(candidate, "IKEJA");
    if (facts.minVendAmount <= naira && facts.maxVendAmount >= naira) return candidate;
  }
  throw new Error("no meter found");
}

const key = () => `test-${crypto.randomUUID()}`;

function vendWith(user: TestUser, body: Record<string, unknown>, idempotencyKey = key()) {
  return api("vend", { token: user.token, body, headers: { "idempotency-key": idempotencyKey } });
}

async function written(customerId: string) {
  const [row] = await sql()`
    select (select count(*)::int from vending.vends where customer_id = ${customerId}) as vends,
           (select count(*)::int from vending.meters where customer_id = ${customerId}) as meters,
           (select count(*)::int from vending.account_ledger where customer_id = ${customerId}) as ledger`;
  return row;
}

dbTest(
  "a paid Paystack order funds one vend: 201 with the token; the reference again is one vend, one token",
  async () => {
    const user = await createCustomer();
    const paid = await paystackOrder(user, 200_000);
    const body = {
      meter: meterTaking(2000),
      disco: "IKEJA",
      amount: 2000,
      phone: "08031234567",
      funding: { paystackReference: paid.reference },
    };
    const idempotencyKey = key();
    const first = await vendWith(user, body, idempotencyKey);
    assert.equal(first.status, 201, first.text);
    assert.match(first.body.token, /^\d{4}(-\d{4}){4}$/);
    assert.equal(first.body.funding, "paystack");
    const [payment] = await sql()`select id from commerce.payments where reference = ${paid.reference}`;
    assert.equal(first.body.paymentId, payment.id);

    const replay = await vendWith(user, body, idempotencyKey);
    assert.equal(replay.status, 201);
    assert.equal(replay.headers.get("idempotent-replayed"), "true");
    assert.equal(replay.body.token, first.body.token);
    const again = await vendWith(user, body);
    assert.equal(again.status, 409, again.text);
    assert.equal(envelope(again).code, "payment_already_used");
    // Another paid order, two requests with new keys at once: the unique payment settles the race.
    const next = await paystackOrder(user, 200_000);
    const racing = await Promise.all([
      vendWith(user, { ...body, funding: { paystackReference: next.reference } }),
      vendWith(user, { ...body, funding: { paystackReference: next.reference } }),
    ]);
    assert.deepEqual(
      racing.map((r) => r.status).sort(),
      [201, 409],
      racing.map((r) => r.text).join(" | "),
    );
    assert.equal(envelope(racing.find((r) => r.status === 409)!).code, "payment_already_used");

    const vends = await sql()`
      select v.id, v.token, v.funding, (select count(*)::int from vending.vendor_calls c
                                         where c.vend_id = v.id and c.endpoint = 'POST /vend') as posts
      from vending.vends v where v.payment_id = ${payment.id}`;
    assert.equal(vends.length, 1, "one vend for one payment");
    assert.equal(vends[0].posts, 1, "one POST /vend");
    assert.equal(vends[0].token, first.body.token, "one token");
    const [ledger] =
      await sql()`select count(*)::int as n from vending.account_ledger where customer_id = ${user.id}`;
    assert.equal(ledger.n, 0, "the prepaid account was not touched");
  },
);

dbTest(
  "payments that cannot fund the vend are 4xx envelopes and leave nothing written",
  async () => {
    const user = await createCustomer();
    const stranger = await createCustomer();
    const unpaid = await paystackOrder(user, 200_000, { pay: false });
    const small = await paystackOrder(user, 50_000);
    const strangers = await paystackOrder(stranger, 200_000);
    const relabelled = await paystackOrder(user, 200_000);
    // Commerce takes only NGN through Paystack; the vend side still refuses any other currency.
    await sql()`update commerce.payments set currency = 'USD' where reference = ${relabelled.reference}`;
    const usdSku = await createSku(5);
    const stripe = await checkoutAs(user, { items: [{ sku: usdSku, quantity: 1 }], provider: "stripe" });
    assert.equal(stripe.status, 201, stripe.text);
    const base = { meter: meterTaking(2000), disco: "IKEJA", amount: 2000, phone: "08031234567" };
    for (
      const [reference, status, code] of [
        [unpaid.reference, 409, "payment_not_settled"],
        [small.reference, 422, "payment_too_small"],
        [strangers.reference, 422, "payment_not_found"],
        [relabelled.reference, 422, "payment_currency_mismatch"],
        [stripe.body.payment.reference, 422, "payment_not_found"],
        ["never-issued-reference", 422, "payment_not_found"],
      ] as const
    ) {
      const response = await vendWith(user, { ...base, funding: { paystackReference: reference } });
      assert.equal(response.status, status, `${code}: ${response.text}`);
      assert.equal(envelope(response).code, code);
      assert.ok(envelope(response).requestId);
    }
    const malformed = await vendWith(user, { ...base, funding: { paystackReference: "a b" } });
    assert.equal(malformed.status, 422);
    assert.equal(envelope(malformed).code, "validation_failed");
    const unknownField = await vendWith(user, { ...base, funding: { stripeReference: "pi_123456" } });
    assert.equal(unknownField.status, 422);
    assert.deepEqual({ ...(await written(user.id)) }, { vends: 0, meters: 0, ledger: 0 }, "nothing written");
  },
);

dbTest(
  "a Paystack-funded vend that finally fails is refunded through commerce, once",
  async () => {
    const fake = startFake();
    try {
      const user = await createCustomer();
      const paid = await paystackOrder(user, 200_000);
      const [payment] = await sql()`select id from commerce.payments where reference = ${paid.reference}`;
      const lane = `test-${crypto.randomUUID().slice(0, 12)}`;
      const orderId = `PS${crypto.randomUUID().replace(/-/g, "").slice(0, 14)}`;
      const [row] = await sql()`
        insert into vending.vends (order_id, customer_id, disco_code, meter_number, vend_type, amount_kobo, phone,
                                   funding, payment_id)
        values (${orderId}, ${user.id}, 'IKEJA', '45678901237', 'PREPAID', 150000, '+2348031234567', 'paystack',
                ${payment.id})
        returning id`;
      await sql()`insert into vending.vend_queue (vend_id, action, lane) values (${row.id}, 'submit', ${lane})`;
      fake.nextVends.push({ status: 501 });
      await drain(workerDeps(fake), { customerId: user.id, lane, orderIds: [orderId] }, { concurrency: 1 });

      const [failed] = await sql()`select status, payment_refund_id from vending.vends where id = ${row.id}`;
      assert.equal(failed.status, "failed");
      const refunds =
        await sql()`select id, amount_minor, automatic from commerce.refunds where payment_id = ${payment.id}`;
      assert.equal(refunds.length, 1);
      assert.equal(Number(refunds[0].amount_minor), 150000, "the vend's amount goes back");
      assert.equal(refunds[0].automatic, true);
      assert.equal(failed.payment_refund_id, refunds[0].id);
      // Settling the same failure again (a worker retrying its group) requests nothing more.
      await sql()`select private.vending_settle(${
        sql().json([{ vendId: row.id, outcome: "failed", calls: [] }] as never)
      })`;
      await sql()`select private.vending_refund_payments(array[${row.id}]::uuid[])`;
      const [count] =
        await sql()`select count(*)::int as n from commerce.refunds where payment_id = ${payment.id}`;
      assert.equal(count.n, 1, "refunded once");
      // Commerce's dispatcher sends it to Paystack and its webhook confirms it, like any other refund.
      await eventually(async () => {
        const [refund] = await sql()`select status from commerce.refunds where id = ${refunds[0].id}`;
        return refund.status === "succeeded" || undefined;
      }, 20_000);
    } finally {
      await fake.close();
    }
  },
);

dbTest(
  "a refund commerce refuses becomes a staff alert and does not undo the settlement",
  async () => {
    const fake = startFake();
    try {
      const user = await createCustomer();
      const paid = await paystackOrder(user, 200_000);
      const [payment] =
        await sql()`select id, captured_minor from commerce.payments where reference = ${paid.reference}`;
      // Commerce refunded the whole order meanwhile: nothing is left to refund.
      await sql()`select commerce.refund_payment(${payment.id}, ${payment.captured_minor}, 'refunded by staff')`;
      const lane = `test-${crypto.randomUUID().slice(0, 12)}`;
      const orderId = `PS${crypto.randomUUID().replace(/-/g, "").slice(0, 14)}`;
      const [row] = await sql()`
        insert into vending.vends (order_id, customer_id, disco_code, meter_number, vend_type, amount_kobo, phone,
                                   funding, payment_id)
        values (${orderId}, ${user.id}, 'IKEJA', '45678901237', 'PREPAID', 150000, '+2348031234567', 'paystack',
                ${payment.id})
        returning id`;
      await sql()`insert into vending.vend_queue (vend_id, action, lane) values (${row.id}, 'submit', ${lane})`;
      fake.nextVends.push({ status: 501 });
      await drain(workerDeps(fake), { customerId: user.id, lane, orderIds: [orderId] }, { concurrency: 1 });
      const [failed] = await sql()`select status, payment_refund_id from vending.vends where id = ${row.id}`;
      assert.equal(failed.status, "failed", "the vend's failure is recorded");
      assert.equal(failed.payment_refund_id, null);
      const alerts =
        await sql()`select kind, details from vending.alerts where details ->> 'vendId' = ${row.id}`;
      assert.deepEqual(alerts.map((a) => a.kind), ["refund_failed"]);
      assert.equal(alerts[0].details.paymentId, payment.id);
    } finally {
      await fake.close();
    }
  },
);
