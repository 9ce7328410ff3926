// The rollup pipeline against the real database: a run killed midway leaves nothing behind and the
// rerun counts every event exactly once; runs racing concurrent ingest lose nothing; late events fold
// into the hour they occurred in.
import assert from "node:assert/strict";
import { dbTest, eventually, ownConnection, sql } from "../../support/harness.ts";
import { makeEvents, rollPast, rollUntil, sendUntilAcknowledged } from "./_helpers.ts";

const HOUR = 3600_000;

function eventsInHour(n: number, hourStart: number, category: string) {
  return makeEvents(n, category).map((event, i) => ({
    ...event,
    occurredAt: new Date(hourStart + 60_000 + i * 1000).toISOString(),
  }));
}

async function rolledUp(category: string): Promise<number> {
  const [row] = await sql()`
    select coalesce(sum(events), 0)::int as n from tracking.rollup_events where grain = 'hour' and category = ${category}`;
  return row.n;
}

/** pids of rollup runs blocked on the session rollup, with whether they are this test's runner. */
async function blockedRuns(): Promise<Array<{ pid: number; mine: boolean }>> {
  const rows = await sql()`
    select l.pid, coalesce(a.application_name = 'tracking-kill-test', false) as mine
    from pg_locks l left join pg_stat_activity a on a.pid = l.pid
    where l.relation = 'tracking.rollup_sessions'::regclass and not l.granted`;
  return rows.map((r) => ({ pid: r.pid as number, mine: r.mine as boolean }));
}

dbTest(
  "a rollup run killed midway changes nothing, and the rerun neither loses nor double-counts",
  async () => {
    const hourStart = Math.floor((Date.now() - 4 * 24 * HOUR) / HOUR) * HOUR;
    const category = `kill-${crypto.randomUUID().slice(0, 8)}`;
    const blocker = ownConnection();
    const runner = ownConnection("tracking-kill-test");
    try {
      await blocker.begin(async (tx) => {
        // Hold the session rollup first: any run that folds in the events below (events, selections,
        // snapshots and metrics) must then wait here, midway, before it can commit.
        await tx`lock table tracking.rollup_sessions in share mode`;
        await sendUntilAcknowledged("track/events", {
          sessionId: crypto.randomUUID(),
          events: eventsInHour(40, hourStart, category),
        });
        // Rows received within the last second wait for the next run (see tracking.rollup_horizon).
        await new Promise((resolve) => setTimeout(resolve, 1200));
        let victim: number | undefined;
        const deadline = Date.now() + 30_000;
        while (victim === undefined) {
          if (Date.now() > deadline) throw new Error("no rollup run reached the session rollup");
          let finished = false;
          runner`select tracking.run_rollups()`.then(() => (finished = true), () => (finished = true));
          while (!finished && victim === undefined && Date.now() < deadline) {
            await new Promise((resolve) => setTimeout(resolve, 100));
            for (const run of await blockedRuns()) {
              // Other runs (the cron job, parallel tests) may queue ahead of ours: they are killed too.
              if (run.mine) victim = run.pid;
              else await sql()`select pg_terminate_backend(${run.pid}, 5000)`;
            }
          }
        }
        assert.equal(await rolledUp(category), 0, "nothing is visible while the run is in flight");
        const [killed] = await sql()`select pg_terminate_backend(${victim}, 5000) as ok`;
        assert.equal(killed.ok, true, "the run was killed while blocked midway");
        assert.equal(await rolledUp(category), 0, "the killed run left no partial counts");
      });
    } finally {
      await blocker.end();
      await runner.end({ timeout: 1 });
    }

    const total = await rollUntil(async () => (await rolledUp(category)) === 40 ? 40 : null);
    assert.equal(total, 40);
    await sql()`select tracking.run_rollups()`;
    await sql()`select tracking.run_rollups()`;
    assert.equal(await rolledUp(category), 40, "more runs add nothing");
    const [stored] = await sql()`select count(*)::int as n from tracking.events where category = ${category}`;
    assert.equal(stored.n, 40);
  },
);

dbTest("late events are folded into the hour they occurred in", async () => {
  const hourStart = Math.floor((Date.now() - 3 * 24 * HOUR) / HOUR) * HOUR;
  const category = `late-${crypto.randomUUID().slice(0, 8)}`;
  const sessionId = crypto.randomUUID();
  await sendUntilAcknowledged("track/events", { sessionId, events: eventsInHour(10, hourStart, category) });
  await rollUntil(async () => (await rolledUp(category)) === 10);
  // Three days later (by occurrence) an offline tab delivers more events for that same hour.
  await sendUntilAcknowledged("track/events", { sessionId, events: eventsInHour(7, hourStart, category) });
  await rollUntil(async () => (await rolledUp(category)) === 17);
  const rows = await sql()`
    select bucket from tracking.rollup_events where grain = 'hour' and category = ${category} group by bucket`;
  assert.deepEqual(rows.map((r) => (r.bucket as Date).getTime()), [hourStart]);
  const [job] = await sql()`
    select count(*)::int as n from cron.job where jobname = 'tracking-rollups' and active`;
  assert.equal(job.n, 1, "the cron job keeps the rollups current without the test's help");
});

dbTest("a rollup run never moves its watermark past a batch that is still being written", async () => {
  const hourStart = Math.floor((Date.now() - 2 * 24 * HOUR) / HOUR) * HOUR;
  const category = `inflight-${crypto.randomUUID().slice(0, 8)}`;
  const sessionId = crypto.randomUUID();
  // Events as tracking.ingest_events takes them (the function's own snake_case shape).
  const rows = (n: number) =>
    eventsInHour(n, hourStart, category).map((e) => ({
      id: e.id,
      type: e.type,
      category: e.category,
      occurred_at: e.occurredAt,
    }));
  await sql()`select tracking.ingest_events(${sessionId}, null, '{}'::jsonb, ${sql().json(rows(1))})`;

  const holder = ownConnection();
  const writer = ownConnection("tracking-inflight-writer");
  try {
    let written: Promise<unknown> | undefined; // postgres.js sends a query once it is executed or awaited
    await holder.begin(async (tx) => {
      // The session row is held, so the next batch of this session starts, takes its received_at
      // and then waits inside its statement, uncommitted, for as long as this transaction lasts.
      await tx`select 1 from tracking.sessions where id = ${sessionId} for update`;
      written = writer`select tracking.ingest_events(${sessionId}, null, '{}'::jsonb, ${
        writer.json(rows(9))
      })`.execute();
      await eventually(async () => {
        const [waiting] = await sql()`
          select count(*)::int as n from pg_stat_activity
          where application_name = 'tracking-inflight-writer' and wait_event_type = 'Lock'`;
        return waiting.n === 1;
      });
      // Past the horizon's one-second margin: a horizon that only trailed the clock would now pass the
      // waiting batch's received_at, and the batch would be skipped for good once it commits.
      await new Promise((resolve) => setTimeout(resolve, 1300));
      await sql()`select tracking.run_rollups()`;
    });
    await written;
  } finally {
    await holder.end();
    await writer.end();
  }
  await rollPast(new Date());
  assert.equal(await rolledUp(category), 10, "the batch written under the run is counted once");
});
