// health: liveness for load balancers, a dependency report and Prometheus metrics for operators.
import { z } from "zod";
import { asUser, db } from "../../shared/db.ts";
import { notFound } from "../../shared/errors.ts";
import {
  caller,
  createApp,
  ipBlocker,
  jsonResponse,
  metrics,
  requireRoles,
  route,
} from "../../shared/http.ts";
import { recordSecurityEvent } from "../../shared/security.ts";
import { type JobRunCount, renderPrometheus } from "../../shared/metrics.ts";
import { redis } from "../../shared/redis.ts";
import { vendingMetrics, vendingStatus } from "../../shared/vending/observability.ts";
import {
  cronJobsCheck,
  databaseCheck,
  latestMigrationCheck,
  netQueueCheck,
  probe,
  redisCheck,
} from "./checks.ts";

const app = createApp("health", {
  cors: true,
  globalRateLimit: false,
  description: "Liveness, the dependency report and Prometheus metrics (docs/api/foundation.md).",
});

const Liveness = z.object({ status: z.literal("ok"), time: z.iso.datetime() });

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "Liveness: answers without touching any dependency",
    tags: ["health"],
    responses: { 200: jsonResponse(Liveness, "The function is up.") },
  }),
  (c) => c.json({ status: "ok" as const, time: new Date().toISOString() }, 200),
);

const ProbeResult = z.object({
  ok: z.boolean(),
  latencyMs: z.number(),
  error: z.string().optional(),
  value: z.unknown().optional(),
});
const StatusReport = z.object({
  status: z.enum(["ok", "degraded", "down"]),
  time: z.iso.datetime(),
  database: ProbeResult,
  redis: ProbeResult,
  cronJobs: ProbeResult,
  netQueue: ProbeResult,
  latestMigration: ProbeResult,
  vending: ProbeResult.meta({
    description:
      "BuyPower: breaker state, last call latency, wallet balance, queue depth, pending requeries.",
  }),
}).meta({ id: "HealthStatus" });

app.openapi(
  route({
    method: "get",
    path: "/status",
    summary: "Dependency report: database, Redis, pg_cron jobs, the pg_net queue, the latest migration",
    tags: ["health"],
    middleware: [requireRoles("admin")],
    responses: {
      200: jsonResponse(
        StatusReport,
        "Every dependency answered (status ok) or some besides the database did not (degraded).",
      ),
      503: jsonResponse(StatusReport, "The database did not answer (status down)."),
    },
  }),
  async (c) => {
    const sql = db();
    const [database, redisProbe, cronJobs, netQueue, migration, vending] = await Promise.all([
      probe(databaseCheck(sql)),
      probe(redisCheck(redis())),
      probe(cronJobsCheck(sql)),
      probe(netQueueCheck(sql)),
      probe(latestMigrationCheck(sql)),
      probe(() => vendingStatus(sql)),
    ]);
    const status: "ok" | "degraded" | "down" = !database.ok
      ? "down"
      : redisProbe.ok && cronJobs.ok && netQueue.ok
      ? "ok"
      : "degraded";
    const report = {
      status,
      time: new Date().toISOString(),
      database,
      redis: redisProbe,
      cronJobs,
      netQueue,
      latestMigration: migration,
      vending,
    };
    return status === "down" ? c.json(report, 503) : c.json(report, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/metrics",
    summary: "Prometheus metrics of every function (requests, latency, jobs)",
    tags: ["health"],
    middleware: [requireRoles("admin")],
    responses: {
      200: {
        description: "Prometheus text exposition format 0.0.4.",
        content: { "text/plain": { schema: z.string() } },
      },
    },
  }),
  async (c) => {
    // This isolate's own samples first, so a scrape always includes the requests it just answered.
    await metrics.flush();
    const jobRuns = await db()<JobRunCount[]>`
    select job_name, status, count(*)::int as runs,
           extract(epoch from max(finished_at))::float8 as last_finished_epoch
    from ops.job_runs group by job_name, status order by job_name, status`;
    const body = (await renderPrometheus(redis(), jobRuns)) + (await vendingMetrics(db()));
    return c.text(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
  },
);

const IpBlock = z.object({
  id: z.number().int(),
  ip: z.string(),
  reason: z.string(),
  failures: z.number().int(),
  blockedAt: z.iso.datetime({ offset: true }),
  blockedUntil: z.iso.datetime({ offset: true }),
  liftedAt: z.iso.datetime({ offset: true }).nullable(),
  liftedBy: z.uuid().nullable(),
}).meta({ id: "IpBlock" });

const admins = requireRoles("admin");

app.openapi(
  route({
    method: "get",
    path: "/ip-blocks",
    summary: "Addresses blocked after too many failed requests",
    description: "Active blocks by default; `all=true` adds ended and lifted ones (the latest 500).",
    tags: ["security"],
    middleware: [admins],
    request: { query: z.object({ all: z.enum(["true", "false"]).default("false") }) },
    responses: { 200: jsonResponse(z.object({ blocks: z.array(IpBlock) }), "Blocks, newest first.") },
  }),
  async (c) => {
    const all = c.req.valid("query").all === "true";
    const rows = await asUser((await caller(c)).claims, (tx) =>
      tx`
        select id::int, host(ip) as ip, reason, failures,
               to_char(blocked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "blockedAt",
               to_char(blocked_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "blockedUntil",
               to_char(lifted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "liftedAt",
               lifted_by as "liftedBy"
        from ops.ip_blocks
        where ${all} or (lifted_at is null and blocked_until > now())
        order by blocked_at desc limit 500`);
    return c.json({ blocks: rows.map((row) => IpBlock.parse(row)) }, 200);
  },
);

app.openapi(
  route({
    method: "delete",
    path: "/ip-blocks/{ip}",
    summary: "Lift the active block of an address",
    tags: ["security"],
    middleware: [admins],
    request: { params: z.object({ ip: z.union([z.ipv4(), z.ipv6()]) }) },
    responses: { 200: jsonResponse(z.object({ lifted: z.array(IpBlock) }), "The blocks lifted.") },
    errors: { 404: "not_found: this address has no active block." },
  }),
  async (c) => {
    const { ip } = c.req.valid("param");
    const who = await caller(c);
    const rows = await asUser(who.claims, (tx) =>
      tx`
        update ops.ip_blocks set lifted_at = now(), lifted_by = ${who.userId ?? null}
        where ip = ${ip}::inet and lifted_at is null and blocked_until > now()
        returning id::int, host(ip) as ip, reason, failures,
               to_char(blocked_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "blockedAt",
               to_char(blocked_until at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "blockedUntil",
               to_char(lifted_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as "liftedAt",
               lifted_by as "liftedBy"`);
    if (rows.length === 0) throw notFound("This address has no active block.");
    await ipBlocker().lift(ip);
    await recordSecurityEvent({
      kind: "ip_unblocked",
      severity: "info",
      ip,
      userId: who.userId ?? null,
      functionName: "health",
      details: { blocks: rows.map((row) => row.id) },
    });
    return c.json({ lifted: rows.map((row) => IpBlock.parse(row)) }, 200);
  },
);

export default app;
