// Rollups keep moving while a logical replication connection is open, as Realtime holds one on every
// real project: its walsender reports an active statement since it started streaming, and a horizon
// that took it for the oldest running statement froze the watermark there while every run reported
// success with 0 rows. A real walsender (pg_recvlogical streaming from a slot) stays open during HTTP
// ingest; the watermark must pass the acknowledged batches and every event must be counted.
import assert from "node:assert/strict";
import { config, dbTest, eventually, sql } from "../../support/harness.ts";
import { makeEvents, rollPast, sendUntilAcknowledged } from "./_helpers.ts";

const SLOT = `horizon_test_${crypto.randomUUID().slice(0, 8)}`;

function recvlogical(): Deno.ChildProcess {
  const url = new URL(config.dbUrl);
  return new Deno.Command("/usr/lib/postgresql/15/bin/pg_recvlogical", {
    args: [
      "-h",
      url.hostname,
      "-p",
      url.port,
      "-U",
      url.username,
      "-d",
      url.pathname.slice(1),
      "--slot",
      SLOT,
      "--start",
      "-f",
      "/dev/null",
      "--no-loop",
      "-s",
      "1",
    ],
    env: { PGPASSWORD: decodeURIComponent(url.password), PGAPPNAME: SLOT },
    stdout: "null",
    stderr: "piped",
  }).spawn();
}

dbTest(
  "the rollup watermark advances past ingest while a logical replication connection streams",
  async () => {
    await sql()`select pg_create_logical_replication_slot(${SLOT}, 'test_decoding')`;
    const streamer = recvlogical();
    try {
      // The walsender is there, in this database, with a statement running since before the ingest.
      const walsender = await eventually(async () => {
        const [row] = await sql()`
        select backend_type, state, query_start from pg_stat_activity
        where application_name = ${SLOT} and backend_type = 'walsender' and state = 'active'`;
        return row;
      }, 15_000);
      await new Promise((resolve) => setTimeout(resolve, 1500));

      const category = `repl-${crypto.randomUUID().slice(0, 8)}`;
      const sessionId = crypto.randomUUID();
      const events = makeEvents(40, category);
      for (const batch of [events.slice(0, 20), events.slice(20)]) {
        await sendUntilAcknowledged("track/events", { sessionId, events: batch });
      }
      const acknowledgedAt = new Date();
      assert.ok(
        new Date(walsender.query_start) < acknowledgedAt,
        "the walsender's statement started before the ingest",
      );

      await rollPast(acknowledgedAt);
      const [counted] = await sql()`
      select coalesce(sum(events), 0)::int as n from tracking.rollup_events where grain = 'hour' and category = ${category}`;
      assert.equal(counted.n, 40, "every acknowledged event is in the rollup");
      const [still] = await sql()`
      select count(*)::int as n from pg_stat_activity where application_name = ${SLOT} and backend_type = 'walsender'`;
      assert.equal(still.n, 1, "the replication connection stayed open throughout");
    } finally {
      streamer.kill("SIGTERM");
      await streamer.status;
      await streamer.stderr.cancel().catch(() => {});
      await eventually(async () => {
        const [row] = await sql()`select active from pg_replication_slots where slot_name = ${SLOT}`;
        return row && !row.active;
      }, 10_000).catch(() => {});
      await sql()`select pg_drop_replication_slot(${SLOT}) from pg_replication_slots where slot_name = ${SLOT}`;
    }
  },
);
