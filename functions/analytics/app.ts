// analytics: admin and analyst dashboards over the tracking rollups — overview, funnel, journey,
// popular configurations, performance percentiles and the live view.
import { z } from "zod";
import { requireRole } from "../../shared/auth.ts";
import { notFound } from "../../shared/errors.ts";
import type { Tx } from "../../shared/db.ts";
import { type AppContext, caller, createApp, readQuery } from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import { redis } from "../../shared/redis.ts";
import { callAnalytics } from "../../shared/tracking/analytics.ts";
import { resolveWindow, type Window, type WindowInput, WindowQuery } from "../../shared/window.ts";
import { MetricName } from "../../shared/tracking/schemas.ts";

const app = createApp("analytics", { cors: true });
const STAFF = ["admin", "analyst"] as const;

async function staff(c: AppContext) {
  const who = await caller(c);
  requireRole(who, [...STAFF]);
  return who;
}

/**
 * A staff-only GET answered by one analytics RPC over a window: the caller is checked before the
 * query string, so nobody learns the API's rules without a role that may use it.
 */
function windowRoute<Q extends WindowInput>(
  path: string,
  schema: z.ZodType<Q>,
  rpc: (tx: Tx, window: Window, query: Q) => Promise<{ result: unknown }[]>,
) {
  app.get(path, async (c) => {
    const who = await staff(c);
    const query = readQuery(c, schema);
    const window = resolveWindow(query);
    return c.json(await callAnalytics(who.claims, (tx) => rpc(tx, window, query)));
  });
}

windowRoute(
  "/overview",
  WindowQuery,
  (tx, window) => tx`select tracking.analytics_overview(${window.from}, ${window.to}) as result`,
);

windowRoute(
  "/funnel",
  WindowQuery,
  (tx, window) => tx`select tracking.analytics_funnel(${window.from}, ${window.to}) as result`,
);

windowRoute(
  "/popular-configs",
  WindowQuery.extend({ limit: z.coerce.number().int().min(1).max(100).default(10) }),
  (tx, window, query) =>
    tx`select tracking.analytics_popular_configs(${window.from}, ${window.to}, ${query.limit}::int) as result`,
);

windowRoute(
  "/performance",
  WindowQuery.extend({ metric: MetricName }),
  (tx, window, query) =>
    tx`select tracking.analytics_performance(${query.metric}, ${window.from}, ${window.to}) as result`,
);

const JourneyQuery = z.object({ sessionId: z.uuid() });

app.get("/journey", async (c) => {
  const who = await staff(c);
  const { sessionId } = readQuery(c, JourneyQuery);
  const result = await callAnalytics(
    who.claims,
    (tx) => tx`select tracking.analytics_journey(${sessionId}::uuid) as result`,
  );
  if (!result) throw notFound("No tracking session with this id.");
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
