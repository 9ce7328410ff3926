// PostgreSQL restarts while clients are sending batches. A client retries every batch that was not
// acknowledged (503, shed, network error); afterwards every event the server acknowledged is stored,
// and since the clients retried the rest, every event sent is stored exactly once.
import assert from "node:assert/strict";
import { config, dbTest, eventually, ownConnection } from "../../support/harness.ts";
import { makeEvents, sendUntilAcknowledged } from "./_helpers.ts";

const CLIENTS = 20;
const BATCHES_PER_CLIENT = 12;

async function restartPostgres(): Promise<void> {
  const output = await new Deno.Command("pg_ctlcluster", {
    args: ["15", config.cluster, "restart", "-m", "fast"],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) throw new Error(`restart failed: ${new TextDecoder().decode(output.stderr)}`);
}

dbTest("events acknowledged across a PostgreSQL restart are all stored", async () => {
  const category = `restart-${crypto.randomUUID().slice(0, 8)}`;
  const acknowledgedIds: string[] = [];
  const sentIds: string[] = [];
  const started = new Date();
  let retried = 0;
  let restartDone = false;
  let acknowledgedAfterRestart = 0;

  const clients = Array.from({ length: CLIENTS }, async () => {
    const sessionId = crypto.randomUUID();
    for (let batch = 0; batch < BATCHES_PER_CLIENT; batch++) {
      const events = makeEvents(20, category);
      events.forEach((event) => sentIds.push(event.id));
      const { response, attempts } = await sendUntilAcknowledged(
        "track/events",
        { sessionId, events },
        90_000,
      );
      retried += attempts - 1;
      assert.deepEqual(response.body.rejected, []);
      events.forEach((event) => acknowledgedIds.push(event.id));
      if (restartDone) acknowledgedAfterRestart++;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  await eventually(() => Promise.resolve(acknowledgedIds.length >= CLIENTS * 20), 60_000);
  const acknowledgedBeforeRestart = acknowledgedIds.length;
  await restartPostgres();
  restartDone = true;
  await Promise.all(clients);

  const verify = ownConnection();
  try {
    const [row] = await verify`
      select count(*)::int as stored, count(distinct id)::int as distinct_ids,
             (select pg_postmaster_start_time()) as postmaster_started
      from tracking.events where category = ${category}`;
    assert.ok(row.postmaster_started > started, "PostgreSQL really restarted during the test");
    assert.ok(acknowledgedBeforeRestart > 0, "ingest was under way when the restart began");
    assert.ok(acknowledgedAfterRestart > 0, "ingest resumed after the restart");
    const [acked] = await verify`
      select count(*)::int as n from tracking.events where id = any(${acknowledgedIds}::uuid[])`;
    assert.equal(acked.n, acknowledgedIds.length, "every acknowledged event is stored");
    assert.equal(row.stored, sentIds.length, "with retries, every event sent is stored");
    assert.equal(row.distinct_ids, row.stored, "and none twice");
    console.log(`restart test: ${sentIds.length} events, ${retried} retried batches`);
  } finally {
    await verify.end();
  }
});
