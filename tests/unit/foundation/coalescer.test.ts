// The ingest coalescer as a pure unit: a lone job goes at once (a microtask later) and alone, jobs
// submitted in the same turn share that call, jobs that arrive while the call is busy share the next call, groups respect the item cap, and failures reach exactly the jobs
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
const microtask = () => Promise.resolve();

Deno.test("a job that finds the call idle goes at once, alone", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const answer = coalescer.submit("a", 10);
  assert.deepEqual(fake.groups, [], "not inside the submitting code itself");
  await microtask();
  assert.deepEqual(fake.groups, [["a"]], "sent without waiting for company or a timer");
  fake.pending[0].finish();
  assert.equal(await answer, "stored a");
});

Deno.test("jobs submitted in the same turn share one call even when the call is idle", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const answers = [coalescer.submit("block", 1), coalescer.submit("limit", 1)];
  await microtask();
  assert.deepEqual(fake.groups, [["block", "limit"]], "one call, not a lone job and a second round trip");
  fake.pending[0].finish();
  assert.deepEqual(await Promise.all(answers), ["stored block", "stored limit"]);
});

Deno.test("jobs that arrive while the call is busy share the next call, oldest first", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const first = coalescer.submit("a", 10);
  await microtask();
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
  await microtask();
  for (let i = 0; i < 2; i++) {
    fake.pending[i].finish();
    await tick();
  }
  assert.deepEqual(fake.groups, [["a", "b"], ["c", "d"], ["huge"]]);
  fake.pending[2].finish();
  assert.equal((await Promise.all(answers)).length, 5);
});

Deno.test("several calls may run at once up to maxCalls", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 2, maxItems: 100 });
  for (const job of ["a", "b", "c"]) {
    coalescer.submit(job, 1);
    await microtask();
  }
  assert.deepEqual(fake.groups, [["a"], ["b"]], "c waits for a free call");
  fake.pending.forEach((p) => p.finish());
});

Deno.test("a failed call fails its whole group; a refused job fails alone; the next group still runs", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 100 });
  const blocker = coalescer.submit("a", 1);
  await microtask();
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

Deno.test("with a linger, an idle job waits for company, and a full group leaves at once", async () => {
  const fake = controlledCall();
  const coalescer = new Coalescer(fake.call, { maxCalls: 1, maxItems: 3, lingerMs: 30 });
  const early = [coalescer.submit("a", 1)];
  await tick();
  early.push(coalescer.submit("b", 1));
  assert.deepEqual(fake.groups, [], "nothing before the linger ends");
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.deepEqual(fake.groups, [["a", "b"]], "the jobs of the linger left together");
  fake.pending[0].finish();
  assert.deepEqual(await Promise.all(early), ["stored a", "stored b"]);
  const full = ["c", "d", "e"].map((job) => coalescer.submit(job, 1));
  assert.deepEqual(fake.groups[1], ["c", "d", "e"], "a full group does not wait for the linger");
  fake.pending[1].finish();
  assert.equal((await Promise.all(full)).length, 3);
  await new Promise((resolve) => setTimeout(resolve, 40));
  assert.equal(fake.groups.length, 2, "the linger's timer found nothing left to send");
});
