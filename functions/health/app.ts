// health: liveness for load balancers, a dependency report and Prometheus metrics for operators.
import { db } from "../../shared/db.ts";
import { requireRole } from "../../shared/auth.ts";
import { caller, createApp, metrics } from "../../shared/http.ts";
import { type JobRunCount, renderPrometheus } from "../../shared/metrics.ts";
import { redis } from "../../shared/redis.ts";
import {
  cronJobsCheck,
  databaseCheck,
  latestMigrationCheck,
  netQueueCheck,
  probe,
  redisCheck,
} from "./checks.ts";

const app = createApp("health", { cors: true, globalRateLimit: false });

app.get("/", (c) => c.json({ status: "ok", time: new Date().toISOString() }));

app.get("/status", async (c) => {
  requireRole(await caller(c), ["admin"]);
  const sql = db();
  const [database, redisProbe, cronJobs, netQueue, migration] = await Promise.all([
    probe(databaseCheck(sql)),
    probe(redisCheck(redis())),
    probe(cronJobsCheck(sql)),
    probe(netQueueCheck(sql)),
    probe(latestMigrationCheck(sql)),
  ]);
  const status = !database.ok ? "down" : redisProbe.ok && cronJobs.ok && netQueue.ok ? "ok" : "degraded";
  return c.json({
    status,
    time: new Date().toISOString(),
    database,
    redis: redisProbe,
    cronJobs,
    netQueue,
    latestMigration: migration,
  }, status === "down" ? 503 : 200);
});

app.get("/metrics", async (c) => {
  requireRole(await caller(c), ["admin"]);
  // This isolate's own samples first, so a scrape always includes the requests it just answered.
  await metrics.flush();
  const jobRuns = await db()<JobRunCount[]>`
    select job_name, status, count(*)::int as runs,
           extract(epoch from max(finished_at))::float8 as last_finished_epoch
    from ops.job_runs group by job_name, status order by job_name, status`;
  const body = await renderPrometheus(redis(), jobRuns);
  return c.body(body, 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
});

export default app;
