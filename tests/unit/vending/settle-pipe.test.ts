// The worker's settle pipe: outcomes wait a short linger for company and leave in groups of at most
// maxItems, at most maxCalls groups at once; an urgent outcome (a pause) leaves at once; a failed group
// rejects each of its outcomes and the next group still goes.
import assert from "node:assert/strict";
import { type Outcome, SettlePipe } from "../../../shared/vending/worker.ts";

const outcome = (n: number): Outcome => ({
  decision: { settlement: "succeeded", vendorFailure: false, reason: "ok" },
  settle: { vendId: `v${n}`, outcome: "succeeded", calls: [] },
});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("outcomes within the linger leave as one group; a full group leaves at once", async () => {
  const groups: string[][] = [];
  const pipe = new SettlePipe(async (outcomes) => {
    groups.push(outcomes.map((o) => o.settle.vendId));
    await sleep(5);
  }, { maxItems: 3, lingerMs: 30, maxCalls: 2 });
  const first = [pipe.submit(outcome(1)), pipe.submit(outcome(2))];
  await sleep(10);
  assert.deepEqual(groups, [], "nothing leaves before the linger while the group is not full");
  const full = pipe.submit(outcome(3));
  await sleep(1);
  assert.deepEqual(groups, [["v1", "v2", "v3"]], "a full group leaves without waiting");
  await Promise.all([...first, full]);
  const started = performance.now();
  await pipe.submit(outcome(4));
  assert.ok(performance.now() - started >= 25, "a lone outcome waited its linger");
  assert.deepEqual(groups, [["v1", "v2", "v3"], ["v4"]]);
});

Deno.test("an urgent outcome leaves at once; at most maxCalls groups run together", async () => {
  let running = 0;
  let most = 0;
  const groups: string[][] = [];
  const pipe = new SettlePipe(async (outcomes) => {
    running++;
    most = Math.max(most, running);
    groups.push(outcomes.map((o) => o.settle.vendId));
    await sleep(20);
    running--;
  }, { maxItems: 2, lingerMs: 1000, maxCalls: 2 });
  const started = performance.now();
  await pipe.submit(outcome(1), true);
  assert.ok(performance.now() - started < 500, "the urgent outcome did not wait for the linger");
  await Promise.all(Array.from({ length: 8 }, (_, i) => pipe.submit(outcome(i + 2))));
  assert.equal(most, 2, "two groups at most in flight");
  assert.ok(groups.every((g) => g.length <= 2), JSON.stringify(groups));
  assert.deepEqual(groups.flat().sort(), Array.from({ length: 9 }, (_, i) => `v${i + 1}`).sort());
});

Deno.test("a failed group rejects its outcomes; the next group still settles", async () => {
  let calls = 0;
  const pipe = new SettlePipe(() => {
    calls++;
    return calls === 1 ? Promise.reject(new Error("database down")) : Promise.resolve();
  }, { maxItems: 2, lingerMs: 5, maxCalls: 1 });
  const failed = await Promise.allSettled([pipe.submit(outcome(1)), pipe.submit(outcome(2))]);
  assert.deepEqual(failed.map((r) => r.status), ["rejected", "rejected"]);
  await pipe.submit(outcome(3));
  assert.equal(calls, 2);
});
