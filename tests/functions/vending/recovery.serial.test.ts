// Tests that touch state every worker shares, so they run alone (serial): the queue pause a 422
// sets, and killing a worker midway through a batch of 1,000.
import assert from "node:assert/strict";
import { dbTest, sql } from "../../support/harness.ts";
import { processQueue } from "../../../shared/vending/worker.ts";
import { drain, FAKE_KEY, seedVends, startFake, statuses, workerDeps } from "./_helpers.ts";

dbTest("422 (wallet empty) pauses the queue and alerts; vends stay queued until resumed", async () => {
  const fake = startFake();
  try {
    const seeded = await seedVends(3);
    fake.nextVends.push({ status: 422 });
    const deps = workerDeps(fake);
    await processQueue(deps, { lane: seeded.lane, concurrency: 1, claimSize: 1, budgetMs: 3000 });
    const [state] = await sql()`select paused from vending.vendor_state`;
    assert.equal(state.paused, true);
    assert.equal(fake.posts.size, 1, "nothing more was submitted after the 422");
    assert.deepEqual(await statuses(seeded.customerId), { created: 3 });
    const [alert] = await sql()`select count(*)::int as n from vending.alerts
      where kind = 'insufficient_balance' and acknowledged_at is null`;
    assert.equal(alert.n, 1);
    await sql()`update vending.vendor_state set paused = false`;
    await sql()`update vending.alerts set acknowledged_at = now() where kind = 'insufficient_balance'`;
    await drain(deps, seeded);
    assert.deepEqual(await statuses(seeded.customerId), { succeeded: 3 });
    assert.equal(fake.posts.get(seeded.orderIds[0]), 2, "the 422'd order went again under its own orderId");
  } finally {
    await sql()`update vending.vendor_state set paused = false`;
    await fake.close();
  }
});

dbTest(
  "killing the worker midway through 1,000 vends: all end final, exactly one POST /vend per orderId",
  async () => {
    const fake = startFake(2);
    const seeded = await seedVends(1000);
    const spawnWorker = () =>
      new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--no-check", new URL("./_worker_process.ts", import.meta.url).pathname],
        env: { VENDING_LANE: seeded.lane, FAKE_BUYPOWER_URL: fake.url, FAKE_BUYPOWER_KEY: FAKE_KEY },
        stdout: "null",
        stderr: "piped",
      }).spawn();
    try {
      const first = spawnWorker();
      const posted = () => [...fake.posts.values()].reduce((a, b) => a + b, 0);
      const deadline = Date.now() + 60_000;
      while (posted() < 300 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      if (posted() < 300) {
        const output = await first.output();
        throw new Error(
          `the first worker ended early: ${new TextDecoder().decode(output.stderr).slice(-800)}`,
        );
      }
      first.kill("SIGKILL");
      const { code } = await first.status;
      assert.notEqual(code, 0, "the first worker was killed, not finished");
      const midway = await statuses(seeded.customerId);
      assert.ok((midway.created ?? 0) > 0, `work was left: ${JSON.stringify(midway)}`);
      // The dead worker's lease and claims expire (2 s in this test); a new worker takes over.
      await new Promise((resolve) => setTimeout(resolve, 2200));
      const second = spawnWorker();
      const status = await second.status;
      const stderr = new TextDecoder().decode(
        (await second.output().catch(() => ({ stderr: new Uint8Array() }))).stderr,
      );
      assert.equal(status.code, 0, stderr.slice(-500));
      await drain(workerDeps(fake), seeded, { visibilitySeconds: 2 }, 30_000);
      assert.deepEqual(await statuses(seeded.customerId), { succeeded: 1000 });
      const counts = seeded.orderIds.map((orderId) => fake.posts.get(orderId) ?? 0);
      assert.deepEqual([...new Set(counts)], [1], "exactly one POST /vend per orderId");
      assert.equal(fake.sandbox.transactions.size, 1000);
      const [tokens] =
        await sql()`select count(distinct token)::int as n from vending.vends where customer_id = ${seeded.customerId}`;
      assert.equal(tokens.n, 1000, "one token each");
    } finally {
      await fake.close();
    }
  },
);
