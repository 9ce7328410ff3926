// Coalesced event batches against the real database: one call stores a group and answers each batch
// on its own, an event two batches share is stored once (for the earlier one), a batch whose value
// the database refuses fails alone while the rest of its group lands, and refusals never open the
// ingest breaker.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import type { HttpError } from "../../../shared/errors.ts";
import { ingest, type IngestRequest, storeEventGroup } from "../../../shared/tracking/ingest.ts";
import { toEventRow } from "../../../shared/tracking/rows.ts";
import { dbTest, sql } from "../../support/harness.ts";
import { makeEvents, storedEventCount, type TestEvent } from "../../functions/tracking/_helpers.ts";

function batch(sessionId: string, events: TestEvent[], device?: "mobile" | "desktop"): IngestRequest {
  return {
    kind: "events",
    sessionId,
    userId: null,
    session: device ? { device } : undefined,
    rows: events.map((event) => toEventRow(event as Parameters<typeof toEventRow>[0])),
    duplicatesInBatch: 0,
    rejected: [],
  };
}

dbTest(
  "a group answers each batch; an event shared by two batches is stored once, for the earlier",
  async () => {
    const sessionA = crypto.randomUUID();
    const sessionB = crypto.randomUUID();
    const events = makeEvents(6);
    const outcomes = await storeEventGroup([
      batch(sessionA, events.slice(0, 4), "mobile"),
      batch(sessionB, events.slice(3, 6), "desktop"),
      batch(sessionA, events.slice(0, 2)),
    ]);
    assert.deepEqual(outcomes, [{ ok: true, value: 4 }, { ok: true, value: 2 }, { ok: true, value: 0 }]);
    assert.equal(await storedEventCount(events.map((e) => e.id)), 6);
    const [shared] = await sql()`select session_id from tracking.events where id = ${events[3].id}`;
    assert.equal(shared.session_id, sessionA, "the shared event belongs to the earlier batch");
    const sessions = await sql()`
    select id, device_type from tracking.sessions where id in (${sessionA}, ${sessionB}) order by device_type`;
    assert.deepEqual(
      sessions.map((s) => s.device_type),
      ["desktop", "mobile"],
      "each session is created once",
    );
  },
);

dbTest("a batch the database refuses fails alone; the rest of its group is stored", async () => {
  const good = [makeEvents(3), makeEvents(2)];
  const refused = makeEvents(2);
  refused[1] = { ...refused[1], type: "teleport" }; // past validation only in this test: breaks the type check
  const outcomes = await storeEventGroup([
    batch(crypto.randomUUID(), good[0]),
    batch(crypto.randomUUID(), refused),
    batch(crypto.randomUUID(), good[1]),
  ]);
  assert.deepEqual(outcomes[0], { ok: true, value: 3 });
  assert.deepEqual(outcomes[2], { ok: true, value: 2 });
  assert.equal(outcomes[1].ok, false);
  assert.equal((outcomes[1] as { error: { code?: string } }).error.code, "23514", "a check violation");
  assert.equal(await storedEventCount([...good[0], ...good[1]].map((e) => e.id)), 5);
  assert.equal(
    await storedEventCount(refused.map((e) => e.id)),
    0,
    "nothing of the refused batch is half-written",
  );
});

dbTest("a client's refused values get 422 each time and never shed anyone else's tracking", async () => {
  const refusedBatch = () => {
    const events = makeEvents(2);
    events[0] = { ...events[0], type: "teleport" }; // past validation only in this test
    return batch(crypto.randomUUID(), events);
  };
  // More refusals in a row than the breaker's outage streak (5 by default).
  for (let i = 0; i < 8; i++) {
    await assert.rejects(ingest(refusedBatch()), (error: HttpError) => error.status === 422);
  }
  const events = makeEvents(3);
  const outcome = await ingest(batch(crypto.randomUUID(), events));
  assert.deepEqual(outcome, { accepted: 3, duplicates: 0, rejected: [], shed: false });
  assert.equal(await storedEventCount(events.map((e) => e.id)), 3);
});
