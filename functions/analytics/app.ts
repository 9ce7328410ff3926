// analytics: admin and analyst dashboards over the tracking rollups — overview, funnel, journey,
// popular configurations, performance percentiles and the live view. Every read runs as the caller
// (the rollup policies apply in the database too); the staff check is route middleware, so nobody
// learns the query rules without a role that may use them.
import { z } from "zod";
import { asUser, rpcAs } from "../../shared/db.ts";
import { notFound } from "../../shared/errors.ts";
import { caller, createApp, jsonResponse, requireRoles, route } from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import { redis } from "../../shared/redis.ts";
import { resolveWindow, WindowQuery } from "../../shared/window.ts";
import { MetricName } from "../../shared/tracking/schemas.ts";

const app = createApp("analytics", {
  cors: true,
  description: "Dashboards over the tracking rollups (docs/api/tracking.md).",
});
const staff = requireRoles("admin", "analyst");
const Report = z.looseObject({}).meta({ description: "The RPC's report, as docs/api/tracking.md shows it." });

const windowNote = "Window: `range=24h|7d|30d|90d` ending now, or `from`/`to` (ISO 8601), at most 400 days.";

app.openapi(
  route({
    method: "get",
    path: "/overview",
    summary: "Sessions, events, conversions and their series over a window",
    description: windowNote,
    tags: ["analytics"],
    middleware: [staff],
    request: { query: WindowQuery },
    responses: { 200: jsonResponse(Report, "Totals and a series per hour or day.") },
  }),
  async (c) => {
    const window = resolveWindow(c.req.valid("query"));
    const report = await rpcAs<Record<string, unknown>>(
      (await caller(c)).claims,
      "tracking.analytics_overview",
      [window.from, window.to],
    );
    return c.json(report, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/funnel",
    summary: "The conversion funnel over a window",
    description: windowNote,
    tags: ["analytics"],
    middleware: [staff],
    request: { query: WindowQuery },
    responses: { 200: jsonResponse(Report, "Sessions reaching each funnel step.") },
  }),
  async (c) => {
    const window = resolveWindow(c.req.valid("query"));
    const report = await rpcAs<Record<string, unknown>>(
      (await caller(c)).claims,
      "tracking.analytics_funnel",
      [window.from, window.to],
    );
    return c.json(report, 200);
  },
);

const PopularQuery = WindowQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) });

app.openapi(
  route({
    method: "get",
    path: "/popular-configs",
    summary: "The most frequent plan configurations over a window",
    description: windowNote,
    tags: ["analytics"],
    middleware: [staff],
    request: { query: PopularQuery },
    responses: { 200: jsonResponse(Report, "Configurations by frequency.") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const window = resolveWindow(query);
    const report = await rpcAs<Record<string, unknown>>(
      (await caller(c)).claims,
      "tracking.analytics_popular_configs",
      [window.from, window.to, query.limit],
    );
    return c.json(report, 200);
  },
);

const PerformanceQuery = WindowQuery.extend({ metric: MetricName });

app.openapi(
  route({
    method: "get",
    path: "/performance",
    summary: "Percentiles of one performance metric over a window",
    description: windowNote,
    tags: ["analytics"],
    middleware: [staff],
    request: { query: PerformanceQuery },
    responses: { 200: jsonResponse(Report, "p50/p75/p95/p99 per bucket.") },
  }),
  async (c) => {
    const query = c.req.valid("query");
    const window = resolveWindow(query);
    const report = await rpcAs<Record<string, unknown>>(
      (await caller(c)).claims,
      "tracking.analytics_performance",
      [query.metric, window.from, window.to],
    );
    return c.json(report, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/journey",
    summary: "One session's journey, event by event",
    tags: ["analytics"],
    middleware: [staff],
    request: { query: z.object({ sessionId: z.uuid() }) },
    responses: { 200: jsonResponse(Report, "The session and its events in order.") },
    errors: { 404: "not_found: no tracking session with this id." },
  }),
  async (c) => {
    const { sessionId } = c.req.valid("query");
    const journey = await rpcAs<Record<string, unknown> | null>(
      (await caller(c)).claims,
      "tracking.analytics_journey",
      [sessionId],
    );
    if (!journey) throw notFound("No tracking session with this id.");
    return c.json(journey, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/realtime",
    summary: "The live view: active sessions and events of the last minutes, and shed batches",
    tags: ["analytics"],
    middleware: [staff],
    responses: {
      200: jsonResponse(
        z.looseObject({ shedBatches: z.record(z.string(), z.number()) }),
        "Live counters and the batches ingest shed, by reason.",
      ),
    },
  }),
  async (c) => {
    const [result, shed] = await Promise.all([
      rpcAs<Record<string, unknown>>((await caller(c)).claims, "tracking.analytics_realtime"),
      redis().hgetall<Record<string, number>>("tracking:shed").catch((error) => {
        log("warn", "shed counters unavailable", { error: String(error) });
        return null;
      }),
    ]);
    const counters = Object.fromEntries(
      Object.entries(shed ?? {}).map(([kind, count]) => [kind, Number(count)]),
    );
    return c.json({ ...result, shedBatches: counters }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/metrics",
    summary: "Performance metric names with data in the last 90 days (for /analytics/performance)",
    tags: ["analytics"],
    middleware: [staff],
    responses: {
      200: jsonResponse(
        z.object({ metrics: z.array(z.object({ name: z.string(), samples: z.number().int() })) }),
        "Metric names with their sample counts, most sampled first.",
      ),
    },
  }),
  async (c) => {
    const rows = await asUser((await caller(c)).claims, (tx) =>
      tx<{ name: string; samples: number }[]>`
      select name, sum(samples)::int8::float8 as samples from tracking.rollup_metrics
      where grain = 'day' and bucket >= now() - interval '90 days'
      group by name order by sum(samples) desc, name`);
    return c.json({ metrics: rows.map((row) => ({ name: row.name, samples: Number(row.samples) })) }, 200);
  },
);

export default app;
