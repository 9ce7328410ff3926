// POST /track/events, /track/snapshots, /track/performance over real HTTP: exactly-once storage,
// per-item rejection, sendBeacon bodies, attribution, and malformed batches that must never 5xx.
import assert from "node:assert/strict";
import { anonKey, api, createUser, dbTest, envelope, sql } from "../../support/harness.ts";
import { makeEvents, sendEvents, storedEventCount } from "./_helpers.ts";

dbTest("a batch is stored once; resending it reports duplicates and stores nothing twice", async () => {
  const sessionId = crypto.randomUUID();
  const events = makeEvents(20);
  const first = await sendEvents(sessionId, events, { session: { device: "desktop", viewportWidth: 1280 } });
  assert.equal(first.status, 202, first.text);
  assert.deepEqual(first.body, { accepted: 20, duplicates: 0, rejected: [], shed: false });
  const again = await sendEvents(sessionId, events);
  assert.equal(again.status, 202);
  assert.deepEqual(again.body, { accepted: 0, duplicates: 20, rejected: [], shed: false });
  assert.equal(await storedEventCount(events.map((e) => e.id)), 20);
  const [session] =
    await sql()`select device_type, viewport_width from tracking.sessions where id = ${sessionId}`;
  assert.deepEqual({ ...session }, { device_type: "desktop", viewport_width: 1280 });
});

dbTest(
  "a partly resent batch stores only the new events, and a repeat inside a batch counts once",
  async () => {
    const sessionId = crypto.randomUUID();
    const events = makeEvents(6);
    await sendEvents(sessionId, events.slice(0, 3));
    const response = await sendEvents(sessionId, [...events, events[5]]);
    assert.deepEqual(response.body, { accepted: 3, duplicates: 4, rejected: [], shed: false });
    assert.equal(await storedEventCount(events.map((e) => e.id)), 6);
  },
);

dbTest("invalid events are rejected one by one while the valid ones land", async () => {
  const sessionId = crypto.randomUUID();
  const [good1, good2] = makeEvents(2);
  const now = Date.now();
  const response = await sendEvents(sessionId, [
    good1,
    { ...good2, id: "not-a-uuid" },
    { ...good2, id: crypto.randomUUID(), type: "teleport" },
    { ...good2, id: crypto.randomUUID(), occurredAt: new Date(now + 3600_000).toISOString() },
    { ...good2, id: crypto.randomUUID(), occurredAt: new Date(now - 30 * 86400_000).toISOString() },
    { ...good2, id: crypto.randomUUID(), occurredAt: "yesterday" },
    { ...good2, id: crypto.randomUUID(), timeSpentMs: "long" },
    "just a string",
    { ...good2, id: crypto.randomUUID(), props: { note: "nul \u0000 byte" } },
    good2,
    // "custom" was accepted once; nothing produced or read it, so it went (docs/api/tracking.md).
    { ...good2, id: crypto.randomUUID(), type: "custom" },
  ]);
  assert.equal(response.status, 202, response.text);
  assert.equal(response.body.accepted, 2);
  assert.deepEqual(
    response.body.rejected.map((r: { index: number; code: string }) => [r.index, r.code]),
    [
      [1, "invalid_id"],
      [2, "invalid_type"],
      [3, "in_future"],
      [4, "too_old"],
      [5, "invalid_timestamp"],
      [
        6,
        "invalid_field",
      ],
      [7, "invalid_item"],
      [8, "invalid_field"],
      [10, "invalid_type"],
    ],
  );
  assert.equal(await storedEventCount([good1.id, good2.id]), 2);
});

dbTest("sendBeacon's text/plain body is accepted like JSON", async () => {
  const sessionId = crypto.randomUUID();
  const events = makeEvents(3);
  const response = await api("track/events", {
    body: JSON.stringify({ sessionId, events }),
    headers: { "content-type": "text/plain;charset=UTF-8" },
  });
  assert.equal(response.status, 202, response.text);
  assert.equal(response.body.accepted, 3);
  assert.equal(await storedEventCount(events.map((e) => e.id)), 3);
});

dbTest("malformed batches get a 4xx with the error envelope, never a 5xx", async () => {
  const sessionId = crypto.randomUUID();
  const cases: Array<[string, unknown, number, string]> = [
    ["not JSON", '{"sessionId": ', 400, "malformed_json"],
    ["events not an array", { sessionId, events: { id: 1 } }, 422, "validation_failed"],
    ["empty batch", { sessionId, events: [] }, 422, "validation_failed"],
    ["501 events", { sessionId, events: makeEvents(501) }, 422, "validation_failed"],
    ["bad session id", { sessionId: "1234", events: makeEvents(1) }, 422, "validation_failed"],
    ["missing session id", { events: makeEvents(1) }, 422, "validation_failed"],
    [
      "bad device",
      { sessionId, session: { device: "fridge" }, events: makeEvents(1) },
      422,
      "validation_failed",
    ],
    ["unknown field", { sessionId, events: makeEvents(1), extra: true }, 422, "validation_failed"],
    ["array body", [1, 2, 3], 422, "validation_failed"],
  ];
  for (const [label, body, status, code] of cases) {
    const response = await api("track/events", { body });
    assert.equal(response.status, status, `${label}: ${response.text.slice(0, 200)}`);
    assert.equal(envelope(response).code, code, label);
  }
  const big = "x".repeat(2 * 1024 * 1024);
  const tooLarge = await api("track/events", {
    body: JSON.stringify({ sessionId, events: [{ props: big }] }),
  });
  assert.equal(tooLarge.status, 413);
  assert.equal(envelope(tooLarge).code, "payload_too_large");
  const [row] = await sql()`select count(*)::int as n from tracking.sessions where id = ${sessionId}`;
  assert.equal(row.n, 0, "nothing was half-written");
});

dbTest("the anon key is accepted, a user token attributes the session, a bad token is 401", async () => {
  const user = await createUser();
  const anonSession = crypto.randomUUID();
  const anon = await api("track/events", {
    token: await anonKey(),
    body: { sessionId: anonSession, events: makeEvents(1) },
  });
  assert.equal(anon.status, 202);
  const userSession = crypto.randomUUID();
  const signedIn = await api("track/events", {
    token: user.token,
    body: { sessionId: userSession, events: makeEvents(2) },
  });
  assert.equal(signedIn.status, 202);
  const rows = await sql()`
    select id::text, user_id::text from tracking.sessions where id in (${anonSession}, ${userSession}) order by user_id nulls first`;
  assert.deepEqual(rows.map((r) => ({ ...r })), [{ id: anonSession, user_id: null }, {
    id: userSession,
    user_id: user.id,
  }]);
  const forged = await api("track/events", {
    token: "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoiYW5vbiJ9.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
    body: { sessionId: crypto.randomUUID(), events: makeEvents(1) },
  });
  assert.equal(forged.status, 401);
  envelope(forged);
});

dbTest("ingest never reads tracking data back: the answer holds counts only", async () => {
  const sessionId = crypto.randomUUID();
  const response = await sendEvents(sessionId, makeEvents(2));
  assert.deepEqual(Object.keys(response.body).sort(), ["accepted", "duplicates", "rejected", "shed"]);
  // There is no way to read: GET on the ingest path is 405, and only POST (and CORS) is allowed.
  const read = await api(`track/events?sessionId=${sessionId}`);
  assert.equal(read.status, 405);
  assert.equal(read.headers.get("allow"), "OPTIONS, POST");
  assert.equal(envelope(read).code, "method_not_allowed");
});

dbTest("snapshots are stored once and move the session to completed, then ordered", async () => {
  const sessionId = crypto.randomUUID();
  const snapshot = (completionPercentage: number, trigger: string) => ({
    id: crypto.randomUUID(),
    configuration: { nest: "nest-80", facade: "wood", completion: completionPercentage },
    totalPrice: 150_000 + completionPercentage,
    completionPercentage,
    trigger,
    occurredAt: new Date().toISOString(),
  });
  const partial = snapshot(40, "auto_save");
  const first = await api("track/snapshots", { body: { sessionId, snapshots: [partial] } });
  assert.equal(first.status, 202, first.text);
  assert.deepEqual(first.body, { accepted: 1, duplicates: 0, rejected: [], shed: false });
  const complete = snapshot(100, "order_attempt");
  const second = await api("track/snapshots", {
    body: { sessionId, snapshots: [partial, complete, { ...complete, id: "x", trigger: "boom" }] },
  });
  assert.deepEqual(second.body, {
    accepted: 1,
    duplicates: 1,
    rejected: [{ index: 2, code: "invalid_id", field: "id" }],
    shed: false,
  });
  const [session] = await sql()`select completion_state from tracking.sessions where id = ${sessionId}`;
  assert.equal(session.completion_state, "ordered");
  const bad = await api("track/snapshots", {
    body: { sessionId, snapshots: [{ ...snapshot(120, "auto_save") }, { ...snapshot(50, "later") }] },
  });
  assert.equal(bad.status, 202);
  assert.deepEqual(bad.body.rejected, [{ index: 0, code: "invalid_field", field: "completionPercentage" }, {
    index: 1,
    code: "invalid_trigger",
    field: "trigger",
  }]);
});

dbTest("performance metrics are stored once, with or without a session", async () => {
  const metric = (name: string, value: number) => ({
    id: crypto.randomUUID(),
    name,
    value,
    route: "/configurator",
    extra: { method: "GET" },
    occurredAt: new Date().toISOString(),
  });
  const metrics = [metric("api_response_time", 87.5), metric("image_load_time", 240)];
  const anonymous = await api("track/performance", { body: { metrics } });
  assert.deepEqual(anonymous.body, { accepted: 2, duplicates: 0, rejected: [], shed: false });
  const again = await api("track/performance", { body: { sessionId: crypto.randomUUID(), metrics } });
  assert.deepEqual(again.body, { accepted: 0, duplicates: 2, rejected: [], shed: false });
  const invalid = await api("track/performance", {
    body: { metrics: [metric("Bad Name", 1), metric("ok", Infinity)] },
  });
  assert.equal(invalid.status, 202);
  assert.deepEqual(invalid.body.rejected.map((r: { code: string }) => r.code), [
    "invalid_name",
    "invalid_value",
  ]);
  const [row] = await sql()`
    select count(*)::int as n from tracking.performance_metrics where id = any(${
    metrics.map((m) => m.id)
  }::uuid[])`;
  assert.equal(row.n, 2);
});
