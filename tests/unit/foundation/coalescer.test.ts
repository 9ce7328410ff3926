// The ingest coalescer as a pure unit: a lone job goes at once and alone, jobs that arrive while the
// call is busy share the next call, groups respect the item cap, and failures reach exactly the jobs
// they belong to.
import assert from "node:assert/strict";
import { Coalescer, type Settled } from "../../../shared/coalescer.ts";

/** A fake database call that records each group and finishes only when the test says so. */
function controlledCall() {
  const groups: string[][] = [];
  const pending: Array<{ finish: () => void; fail: (error: Error) => void }> = [];
  const call = (jobs: string[]) => {
    groups.push(jobs);
    return new Promise<Settled<string>[]>((resolve, reject) => {
      pending.push({
        finish: () =>
          resolve(
            jobs.map((job) =>
              job.startsWith("bad")
                ? { ok: false, error: new Error(`refused ${job}`) }
                : { ok: true, value: `stored ${job}` }
            ),
          ),
        fail: reject,
      });
    });
  };
  return { call, groups, pending };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

Deno.test("a job that finds the call idle goes at once, alone", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const answer = coalescer.submit("a", 10);
  assert.deepEqual(fake.groups, [["a"]], "sent without waiting for company");
  fake.pending[0].finish();
  assert.equal(await answer, "stored a");
});

Deno.test("jobs that arrive while the call is busy share the next call, oldest first", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const first = coalescer.submit("a", 10);
  const later = ["b", "c", "d"].map((job) => coalescer.submit(job, 10));
  assert.equal(fake.groups.length, 1, "no second call while the first is in flight");
  fake.pending[0].finish();
  assert.equal(await first, "stored a");
  await tick();
  assert.deepEqual(fake.groups[1], ["b", "c", "d"]);
  fake.pending[1].finish();
  assert.deepEqual(await Promise.all(later), ["stored b", "stored c", "stored d"]);
  assert.equal(fake.groups.length, 2, "the three later jobs went in one call");
});

Deno.test("a group never exceeds the item cap, but an oversized job still goes alone", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const answers = [
    coalescer.submit("a", 10),
    coalescer.submit("b", 60),
    coalescer.submit("c", 40),
    coalescer.submit("d", 1),
    coalescer.submit("huge", 500),
  ];
  for (let i = 0; i < 4; i++) {
    fake.pending[i].finish();
    await tick();
  }
  assert.deepEqual(fake.groups, [["a"], ["b", "c"], ["d"], ["huge"]]);
  assert.equal((await Promise.all(answers)).length, 5);
});

Deno.test("several calls may run at once up to maxCalls", () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 2, maxItems: 100 });
  coalescer.submit("a", 1);
  coalescer.submit("b", 1);
  coalescer.submit("c", 1);
  assert.deepEqual(fake.groups, [["a"], ["b"]], "c waits for a free call");
  fake.pending.forEach((p) => p.finish());
});

Deno.test("a failed call fails its whole group; a refused job fails alone; the next group still runs", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const blocker = coalescer.submit("a", 1);
  const group = [coalescer.submit("b", 1), coalescer.submit("bad-c", 1), coalescer.submit("d", 1)];
  fake.pending[0].fail(new Error("connection lost"));
  await assert.rejects(blocker, /connection lost/);
  await tick();
  const next = coalescer.submit("e", 1);
  fake.pending[1].finish();
  const settled = await Promise.allSettled(group);
  assert.deepEqual(settled.map((s) => s.status), ["fulfilled", "rejected", "fulfilled"]);
  assert.match(String((settled[1] as PromiseRejectedResult).reason), /refused bad-c/);
  await tick();
  fake.pending[2].finish();
  assert.equal(await next, "stored e");
});
