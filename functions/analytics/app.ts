// analytics: admin and analyst dashboards over the tracking rollups — overview, funnel, journey,
// popular configurations, performance percentiles and the live view.
import { z } from "zod";
import { requireRole } from "../../shared/auth.ts";
import { notFound } from "../../shared/errors.ts";
import { caller, createApp, readQuery } from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import { redis } from "../../shared/redis.ts";
import { callAnalytics, resolveWindow, WindowQuery } from "../../shared/tracking/analytics.ts";

const app = createApp("analytics", { cors: true });
const STAFF = ["admin", "analyst"] as const;

async function staff(c: Parameters<typeof caller>[0]) {
  const who = await caller(c);
  requireRole(who, [...STAFF]);
  return who;
}

app.get("/overview", async (c) => {
  const window = resolveWindow(readQuery(c, WindowQuery));
  const who = await staff(c);
  const result = await callAnalytics(
    who.claims,
    (tx) => tx`select tracking.analytics_overview(${window.from}, ${window.to}) as result`,
  );
  return c.json(result);
});

app.get("/funnel", async (c) => {
  const window = resolveWindow(readQuery(c, WindowQuery));
  const who = await staff(c);
  const result = await callAnalytics(
    who.claims,
    (tx) => tx`select tracking.analytics_funnel(${window.from}, ${window.to}) as result`,
  );
  return c.json(result);
});

const JourneyQuery = z.object({ sessionId: z.uuid() });

app.get("/journey", async (c) => {
  const { sessionId } = readQuery(c, JourneyQuery);
  const who = await staff(c);
  const result = await callAnalytics(
    who.claims,
    (tx) => tx`select tracking.analytics_journey(${sessionId}::uuid) as result`,
  );
  if (!result) throw notFound("No tracking session with this id.");
  return c.json(result);
});

const PopularQuery = WindowQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });

app.get("/popular-configs", async (c) => {
  const query = readQuery(c, PopularQuery);
  const window = resolveWindow(query);
  const who = await staff(c);
  const result = await callAnalytics(
    who.claims,
    (tx) =>
      tx`select tracking.analytics_popular_configs(${window.from}, ${window.to}, ${query.limit}::int) as result`,
  );
  return c.json(result);
});

const PerformanceQuery = WindowQuery.extend({ metric: z.string().regex(/^[a-z][a-z0-9_.:-]{0,79}$/) });

app.get("/performance", async (c) => {
  const query = readQuery(c, PerformanceQuery);
  const window = resolveWindow(query);
  const who = await staff(c);
  const result = await callAnalytics(
    who.claims,
    (tx) =>
      tx`select tracking.analytics_performance(${query.metric}, ${window.from}, ${window.to}) as result`,
  );
  return c.json(result);
});

app.get("/realtime", async (c) => {
  const who = await staff(c);
  const [result, shed] = await Promise.all([
    callAnalytics<Record<string, unknown>>(
      who.claims,
      (tx) => tx`select tracking.analytics_realtime() as result`,
    ),
    redis().hgetall<Record<string, number>>("tracking:shed").catch((error) => {
      log("warn", "shed counters unavailable", { error: String(error) });
      return null;
    }),
  ]);
  const counters = Object.fromEntries(
    Object.entries(shed ?? {}).map(([kind, count]) => [kind, Number(count)]),
  );
  return c.json({ ...result, shedBatches: counters });
});

export default app;
