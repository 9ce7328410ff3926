// GET /analytics/* over real HTTP: roles, windows, and numbers that match what was tracked. The
// sessions live in a private hour five days back, so parallel tests never share their buckets.
import assert from "node:assert/strict";
import { api, dbTest, envelope, sql, tokenFor } from "../../support/harness.ts";
import { rollPast, rollUntil, sendUntilAcknowledged } from "./_helpers.ts";

const HOUR = 3600_000;
const hourStart = Math.floor((Date.now() - 5 * 24 * HOUR) / HOUR) * HOUR -
  Math.floor(Math.random() * 20) * HOUR;
const at = (minutes: number) => new Date(hourStart + minutes * 60_000).toISOString();
const window = `from=${new Date(hourStart).toISOString()}&to=${new Date(hourStart + HOUR).toISOString()}`;
const tag = crypto.randomUUID().slice(0, 8);
const category = `wood-${tag}`;
const metric = `test_metric_${tag}`;
const sessions = { ordered: crypto.randomUUID(), partial: crypto.randomUUID(), bounced: crypto.randomUUID() };

const event = (type: string, minutes: number, value?: string) => ({
  id: crypto.randomUUID(),
  type,
  category: type === "selection" ? category : undefined,
  value,
  occurredAt: at(minutes),
});
const snapshot = (completionPercentage: number, trigger: string, minutes: number, wood: string) => ({
  id: crypto.randomUUID(),
  configuration: { wood, tag },
  totalPrice: 1000 * completionPercentage,
  completionPercentage,
  trigger,
  occurredAt: at(minutes),
});

async function arrange(): Promise<void> {
  const track = (path: string, body: Record<string, unknown>) => sendUntilAcknowledged(path, body);
  await Promise.all([
    track("track/events", {
      sessionId: sessions.ordered,
      session: { device: "desktop" },
      events: [event("page_view", 10), event("selection", 11, "oak")],
    }),
    track("track/events", {
      sessionId: sessions.partial,
      session: { device: "mobile" },
      events: [event("page_view", 12), event("selection", 13, "pine")],
    }),
    track("track/events", {
      sessionId: sessions.bounced,
      session: { device: "mobile" },
      events: [event("page_view", 14)],
    }),
    track("track/performance", {
      metrics: Array.from({ length: 100 }, (_, i) => ({
        id: crypto.randomUUID(),
        name: metric,
        value: i + 1,
        occurredAt: at(20),
      })),
    }),
  ]);
  await track("track/snapshots", {
    sessionId: sessions.ordered,
    snapshots: [snapshot(100, "auto_save", 15, "oak"), snapshot(100, "order_attempt", 16, "oak")],
  });
  await track("track/snapshots", {
    sessionId: sessions.partial,
    snapshots: [snapshot(50, "page_exit", 17, "pine")],
  });
}

let arranged: Promise<Date> | undefined;
/** Tracks the sessions once for all tests; resolves to the instant every batch was acknowledged. */
const ready = () => arranged ??= arrange().then(() => new Date());

async function overviewWhenRolledUp(token: string) {
  await rollPast(await ready());
  const response = await api(`analytics/overview?${window}`, { token });
  assert.equal(response.status, 200, response.text);
  return response;
}

dbTest("analytics refuse anonymous callers, customers and sales staff", async () => {
  const anonymous = await api("analytics/overview");
  assert.equal(anonymous.status, 401);
  assert.equal(envelope(anonymous).code, "unauthorized");
  for (const role of ["customer", "sales", "support"] as const) {
    const response = await api("analytics/funnel?range=7d", { token: await tokenFor(role) });
    assert.equal(response.status, 403, role);
    assert.equal(envelope(response).code, "forbidden");
  }
});

dbTest("windows are validated: a known range or from < to, never both", async () => {
  const token = await tokenFor("analyst");
  for (
    const query of [
      "range=1y",
      `from=${at(30)}&to=${at(10)}`,
      `range=7d&from=${at(0)}`,
      "from=yesterday",
      "from=2020-01-01T00:00:00Z&to=2024-01-01T00:00:00Z",
    ]
  ) {
    const response = await api(`analytics/overview?${query}`, { token });
    assert.equal(response.status, 422, query);
    assert.equal(envelope(response).code, "validation_failed");
  }
  for (const range of ["24h", "7d", "30d", "90d"]) {
    const response = await api(`analytics/overview?range=${range}`, { token });
    assert.equal(response.status, 200, response.text);
    assert.equal(response.body.grain, range === "24h" || range === "7d" ? "hour" : "day");
  }
});

dbTest("the overview counts sessions, conversions, duration, events and devices", async () => {
  await ready();
  const response = await overviewWhenRolledUp(await tokenFor("analyst"));
  const body = response.body;
  assert.equal(body.sessions, 3);
  assert.equal(body.conversions, 1);
  assert.equal(body.orders, 1);
  assert.equal(body.conversionRate, 0.3333);
  assert.deepEqual(body.devices, { desktop: 1, mobile: 2 });
  assert.equal(body.events, 5);
  assert.deepEqual(body.eventsByType, { page_view: 3, selection: 2 });
  // From the first to the last thing tracked: ordered 10 -> 16 min, partial 12 -> 17, bounced 0.
  assert.equal(body.averageSessionDurationMs, 220_000);
});

dbTest("the funnel reports reach and drop-off per configured step", async () => {
  await ready();
  const token = await tokenFor("admin");
  await overviewWhenRolledUp(token);
  const response = await api(`analytics/funnel?${window}`, { token });
  assert.equal(response.status, 200, response.text);
  assert.deepEqual(
    response.body.steps.map((s: { sessions: number; dropOff: number }) => [s.sessions, s.dropOff]),
    [[3, 0], [2, 1], [2, 0], [1, 1], [1, 0]],
  );
  assert.equal(response.body.steps[0].name, "Viewed the configurator");
});

dbTest("popular configurations rank options per category and whole configurations", async () => {
  await ready();
  const token = await tokenFor("analyst");
  await overviewWhenRolledUp(token);
  const response = await api(`analytics/popular-configs?${window}&limit=5`, { token });
  assert.equal(response.status, 200, response.text);
  const wood = response.body.options.find((o: { category: string }) => o.category === category);
  assert.deepEqual(wood.options, [{ value: "oak", selections: 1 }, { value: "pine", selections: 1 }]);
  const ours = response.body.configurations.filter((c: { configuration: { tag: string } }) =>
    c.configuration.tag === tag
  );
  assert.deepEqual(
    ours.map((c: { configuration: { wood: string }; sessions: number }) => [c.configuration.wood, c.sessions])
      .sort(),
    [
      ["oak", 1],
      ["pine", 1],
    ],
  );
  const invalid = await api("analytics/popular-configs?limit=0", { token });
  assert.equal(invalid.status, 422);
});

dbTest("performance reports p50/p95/p99 per bucket and overall", async () => {
  await ready();
  const token = await tokenFor("analyst");
  const response = await rollUntil(async () => {
    const r = await api(`analytics/performance?metric=${metric}&${window}`, { token });
    return r.body?.overall?.samples === 100 ? r : null;
  });
  const { overall, buckets } = response.body;
  assert.ok(Math.abs(overall.p50 - 50) <= 2.5, `p50 ${overall.p50}`);
  assert.ok(Math.abs(overall.p95 - 95) <= 4.75, `p95 ${overall.p95}`);
  assert.ok(Math.abs(overall.p99 - 99) <= 4.95, `p99 ${overall.p99}`);
  assert.equal(buckets.length, 1);
  assert.equal(buckets[0].samples, 100);
  assert.equal(buckets[0].average, 50.5);
  const missing = await api("analytics/performance?range=24h", { token });
  assert.equal(missing.status, 422);
});

dbTest("the journey is the ordered timeline of events and snapshots with time spent per step", async () => {
  await ready();
  const token = await tokenFor("analyst");
  const response = await api(`analytics/journey?sessionId=${sessions.ordered}`, { token });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.session.completionState, "ordered");
  assert.equal(response.body.session.device, "desktop");
  assert.deepEqual(
    response.body.timeline.map((
      s: { kind: string; type: string; timeSpentMs?: number },
    ) => [s.kind, s.type, s.timeSpentMs]),
    [
      ["event", "page_view", 60_000],
      ["event", "selection", 240_000],
      ["snapshot", "auto_save", 60_000],
      ["snapshot", "order_attempt", undefined],
    ],
  );
  const unknown = await api(`analytics/journey?sessionId=${crypto.randomUUID()}`, { token });
  assert.equal(unknown.status, 404);
  assert.equal(envelope(unknown).code, "not_found");
  const invalid = await api("analytics/journey?sessionId=42", { token });
  assert.equal(invalid.status, 422);
});

dbTest("the live view counts active sessions and recent events", async () => {
  await ready();
  const response = await api("analytics/realtime", { token: await tokenFor("admin") });
  assert.equal(response.status, 200, response.text);
  assert.ok(response.body.activeSessions >= 3, `active ${response.body.activeSessions}`);
  assert.ok(response.body.events >= 5);
  assert.ok(response.body.eventsByType.page_view >= 3);
  assert.equal(typeof response.body.shedBatches, "object");
});

dbTest("analytics/metrics lists the metric names with data, for staff only", async () => {
  const token = await tokenFor("analyst");
  const response = await api("analytics/metrics", { token });
  assert.equal(response.status, 200, response.text);
  const expected = await sql()`
    select distinct name from tracking.rollup_metrics
    where grain = 'day' and bucket >= now() - interval '90 days' order by name`;
  assert.deepEqual(
    response.body.metrics.map((m: { name: string }) => m.name).sort(),
    expected.map((row) => row.name),
  );
  assert.equal((await api("analytics/metrics", { token: await tokenFor("sales") })).status, 403);
  assert.equal((await api("analytics/metrics")).status, 401);
});
