// The queue worker against a fake BuyPower that fails in every documented way. The rule under test:
// a vend whose outcome is unknown is requeried with the same orderId, never sent again under a new
// one, so every orderId gets at most one successful POST /vend and at most one token.
import assert from "node:assert/strict";
import { dbTest, sql } from "../../support/harness.ts";
import { processQueue } from "../../../shared/vending/worker.ts";
import { drain, seedVends, startFake, statuses, vend, workerDeps } from "./_helpers.ts";

const sum = (map: Map<string, number>, keys: string[]) => keys.reduce((n, k) => n + (map.get(k) ?? 0), 0);

dbTest("happy path: one POST per orderId, tokens stored, at most 5 calls in flight", async () => {
  const fake = startFake(20);
  try {
    const seeded = await seedVends(30);
    await drain(workerDeps(fake), seeded);
    assert.deepEqual(await statuses(seeded.customerId), { succeeded: 30 });
    for (const orderId of seeded.orderIds) assert.equal(fake.posts.get(orderId), 1, orderId);
    assert.ok(fake.maxInFlight <= 5, `max in flight ${fake.maxInFlight}`);
    assert.ok(fake.maxInFlight >= 3, `calls overlapped (${fake.maxInFlight})`);
    const [row] = await sql()`select count(*)::int as n from vending.vends
      where customer_id = ${seeded.customerId} and token ~ '^\\d{4}(-\\d{4}){4}$'`;
    assert.equal(row.n, 30);
    const calls = await sql()`select c.summary, v.meter_number, v.token from vending.vendor_calls c
      join vending.vends v on v.id = c.vend_id where v.customer_id = ${seeded.customerId}`;
    assert.equal(calls.length, 30);
    for (const call of calls) {
      const text = JSON.stringify(call.summary);
      assert.ok(!text.includes(call.meter_number) && !text.includes(call.token), `masked: ${text}`);
      assert.equal(call.summary.meter, `***${call.meter_number.slice(-3)}`);
    }
  } finally {
    await fake.close();
  }
});

dbTest("unknown outcomes (202 with delay, timeout, 409, 500, 502) are requeried, never resent", async () => {
  const fake = startFake();
  try {
    const seeded = await seedVends(6);
    fake.nextVends.push(
      { status: 202, delay: [0.2, 0.2] },
      { hangMs: 1500 },
      { status: 409 },
      { status: 500 },
      { status: 502 },
      { status: 202, delay: [0.1], process: true },
    );
    // The 6th: still processing on the first requery.
    let sixthRequeried = false;
    fake.requeryRule = (orderId) => {
      if (orderId !== seeded.orderIds[5] || sixthRequeried) return undefined;
      sixthRequeried = true;
      return { code: 201 };
    };
    const deps = workerDeps(fake, { timeoutMs: 500 });
    // One call at a time, so the injected answers meet the vends in orderId order.
    await drain(deps, seeded, { concurrency: 1 });
    assert.deepEqual(await statuses(seeded.customerId), { succeeded: 6 });
    for (const orderId of seeded.orderIds) {
      assert.equal(fake.posts.get(orderId), 1, `one POST for ${orderId}`);
      assert.ok((fake.requeries.get(orderId) ?? 0) >= 1, `requeried ${orderId}`);
    }
    assert.equal(fake.sandbox.transactions.size, 6, "one vend each at the vendor");
    // What the worker learned first, call by call: the injected answer, then a requery.
    const firstCalls = await sql()`
      select v.order_id, array_agg(c.endpoint || ':' || coalesce(c.http_status::text, c.outcome) order by c.id) as calls
      from vending.vendor_calls c join vending.vends v on v.id = c.vend_id
      where v.customer_id = ${seeded.customerId} group by v.order_id order by v.order_id`;
    assert.deepEqual(firstCalls.map((r) => r.calls.slice(0, 2)), [
      ["POST /vend:202", "GET /transaction:200"],
      ["POST /vend:timeout", "GET /transaction:200"],
      ["POST /vend:409", "GET /transaction:200"],
      ["POST /vend:500", "GET /transaction:200"],
      ["POST /vend:502", "GET /transaction:200"],
      ["POST /vend:202", "GET /transaction:201"],
    ]);
  } finally {
    await fake.close();
  }
});

dbTest(
  "final refusals (400, 501, requery 202) fail and refund once; 503 resends the same orderId",
  async () => {
    const fake = startFake();
    try {
      const seeded = await seedVends(4, { balanceKobo: 400000 });
      fake.nextVends.push({ status: 400 }, { status: 501 }, { status: 503 }, {
        status: 202,
        process: false,
        delay: [0.1],
      });
      fake.requeryRule = (orderId) => (orderId === seeded.orderIds[3] ? { code: 202 } : undefined);
      await drain(workerDeps(fake), seeded, { concurrency: 1 });
      const byOrder = Object.fromEntries(
        await Promise.all(seeded.orderIds.map(async (id) => [id, (await vend(id)).status])),
      );
      assert.deepEqual(
        Object.values(byOrder),
        ["failed", "failed", "succeeded", "failed"],
        JSON.stringify(byOrder),
      );
      assert.equal(fake.posts.get(seeded.orderIds[2]), 2, "the 503'd vend went again under its own orderId");
      const [account] =
        await sql()`select balance_kobo from vending.accounts where customer_id = ${seeded.customerId}`;
      assert.equal(Number(account.balance_kobo), 300000, "three failed vends refunded, one paid");
      const [refunds] = await sql()`select count(*)::int as n from vending.account_ledger
      where customer_id = ${seeded.customerId} and kind = 'refund'`;
      assert.equal(refunds.n, 3);
      const failed = await vend(seeded.orderIds[0]);
      assert.equal(failed.token, null);
    } finally {
      await fake.close();
    }
  },
);

dbTest("requery: never initiated (203) and not found (404 code 20) send the same orderId again", async () => {
  const fake = startFake();
  try {
    const seeded = await seedVends(2);
    fake.nextVends.push({ status: 500, process: false }, { status: 502, process: false });
    fake.nextRequeries.push({ code: 203 });
    await drain(workerDeps(fake), seeded);
    assert.deepEqual(await statuses(seeded.customerId), { succeeded: 2 });
    for (const orderId of seeded.orderIds) assert.equal(fake.posts.get(orderId), 2);
    assert.equal(fake.sandbox.transactions.size, 2, "the vendor vended each orderId once");
  } finally {
    await fake.close();
  }
});

dbTest("tampered or unsigned answers never deliver a token; a verified requery does", async () => {
  const fake = startFake();
  try {
    const seeded = await seedVends(3);
    fake.nextVends.push({ tamper: true }, { unsigned: true });
    // The third: every answer tampered, so it can never be trusted.
    fake.vendRule = (orderId) => (orderId === seeded.orderIds[2] ? { tamper: true } : undefined);
    fake.requeryRule = (orderId) => (orderId === seeded.orderIds[2] ? { tamper: true } : undefined);
    const deps = workerDeps(fake, { maxRequeries: 3, failures: 100 });
    await drain(deps, seeded);
    const [first, second, third] = await Promise.all(seeded.orderIds.map(vend));
    const truth = fake.sandbox.transactions;
    assert.equal(first.status, "succeeded");
    assert.equal(
      first.token,
      truth.get(seeded.orderIds[0])!.data.token,
      "the token is the vendor's own, from the requery",
    );
    assert.equal(second.status, "succeeded");
    assert.equal(third.status, "needs_attention");
    assert.equal(third.token, null, "no token from an unverified answer");
    for (const orderId of seeded.orderIds) assert.equal(fake.posts.get(orderId), 1);
    const [alert] = await sql()`select count(*)::int as n from vending.alerts
      where kind = 'signature_invalid' and details ->> 'vendId' = ${third.id}`;
    assert.equal(alert.n, 1);
    const [unverified] = await sql()`select count(*)::int as n from vending.vendor_calls
      where vend_id = ${third.id} and signature_valid = false`;
    assert.ok(unverified.n >= 3);
  } finally {
    await fake.close();
  }
});

dbTest(
  "the breaker opens after 5 failures in a row, leaves vends queued, and a probe closes it",
  async () => {
    const fake = startFake();
    try {
      const seeded = await seedVends(10);
      fake.vendRule = () => ({ status: 503 });
      const deps = workerDeps(fake, { openMs: 1500, failures: 5 });
      await processQueue(deps, { lane: seeded.lane, concurrency: 1, claimSize: 10, budgetMs: 800 });
      assert.equal(deps.breaker.state, "open");
      assert.equal(
        sum(fake.posts, seeded.orderIds),
        5,
        `no calls once open: ${JSON.stringify([...fake.posts])}`,
      );
      assert.deepEqual(await statuses(seeded.customerId), { created: 10 }, "queued, not failed");
      const [state] = await sql()`select breaker_state from vending.vendor_state`;
      assert.equal(state.breaker_state, "open");
      fake.vendRule = undefined;
      await new Promise((resolve) => setTimeout(resolve, 1600));
      assert.equal(deps.breaker.state, "half_open");
      await drain(deps, seeded);
      assert.equal(deps.breaker.state, "closed");
      assert.deepEqual(await statuses(seeded.customerId), { succeeded: 10 });
    } finally {
      await fake.close();
    }
  },
);

dbTest("one worker per lane: a second worker does not get the lease", async () => {
  const fake = startFake(30);
  try {
    const seeded = await seedVends(10);
    const deps = workerDeps(fake);
    const [a, b] = await Promise.all([
      processQueue(deps, { lane: seeded.lane, workerId: "worker-a", budgetMs: 5000 }),
      processQueue(deps, { lane: seeded.lane, workerId: "worker-b", budgetMs: 5000 }),
    ]);
    assert.equal([a.leased, b.leased].filter(Boolean).length, 1);
    assert.ok(fake.maxInFlight <= 5);
  } finally {
    await fake.close();
  }
});
