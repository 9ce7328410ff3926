// 500 concurrent sessions send their batches at once (with resends and some invalid events); the
// clients retry whatever was not acknowledged. Afterwards the store holds exactly the unique valid
// events: nothing lost, nothing twice.
import assert from "node:assert/strict";
import { dbTest, sql } from "../../support/harness.ts";
import { makeEvents, sendUntilAcknowledged } from "./_helpers.ts";

const SESSIONS = 500;

dbTest("500 concurrent sessions: stored count equals the unique valid events sent, exactly", async () => {
  const category = `load-${crypto.randomUUID().slice(0, 8)}`;
  const validIds = new Set<string>();
  let attempts = 0;
  let invalidSent = 0;
  let resent = 0;

  await Promise.all(Array.from({ length: SESSIONS }, async () => {
    const sessionId = crypto.randomUUID();
    const events = makeEvents(30, category);
    events.forEach((event) => validIds.add(event.id));
    const first = events.slice(0, 20);
    // The second batch resends five events of the first (a lost acknowledgement) and adds two bad ones.
    const second = [
      ...events.slice(15),
      { id: "not-a-uuid", type: "click", occurredAt: new Date().toISOString() },
      { id: crypto.randomUUID(), type: "click", occurredAt: new Date(Date.now() + 86400_000).toISOString() },
    ];
    invalidSent += 2;
    resent += 5;
    const a = await sendUntilAcknowledged("track/events", {
      sessionId,
      session: { device: "mobile" },
      events: first,
    }, 120_000);
    const b = await sendUntilAcknowledged("track/events", { sessionId, events: second }, 120_000);
    attempts += a.attempts + b.attempts;
    assert.equal(b.response.body.rejected.length, 2);
  }));

  const [row] = await sql()`
    select count(*)::int as stored, count(distinct id)::int as distinct_ids, count(distinct session_id)::int as sessions
    from tracking.events where category = ${category}`;
  assert.equal(validIds.size, SESSIONS * 30);
  assert.equal(row.stored, validIds.size, `stored ${row.stored} of ${validIds.size} unique valid events`);
  assert.equal(row.distinct_ids, row.stored, "no event stored twice");
  assert.equal(row.sessions, SESSIONS);
  assert.ok(attempts >= SESSIONS * 2);
  assert.equal(invalidSent, SESSIONS * 2);
  assert.equal(resent, SESSIONS * 5);
});
