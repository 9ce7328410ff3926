// The health function over real HTTP through the gateway, against the real database and Redis.
import assert from "node:assert/strict";
import { signEs256 } from "../../../supabase/local/stack.ts";
import { api, dbTest, envelope, serviceRoleKey, sql, tokenFor } from "../../support/harness.ts";

dbTest("liveness needs no token", async () => {
  const response = await api("health");
  assert.equal(response.status, 200);
  assert.equal(response.body.status, "ok");
});

dbTest("status refuses anonymous callers with 401 and customers with 403", async () => {
  const anonymous = await api("health/status");
  assert.equal(anonymous.status, 401);
  assert.equal(envelope(anonymous).code, "unauthorized");
  const customer = await api("health/status", { token: await tokenFor("customer") });
  assert.equal(customer.status, 403);
  assert.equal(envelope(customer).code, "forbidden");
  const analyst = await api("health/status", { token: await tokenFor("analyst") });
  assert.equal(analyst.status, 403);
});

dbTest("a forged or expired token is 401", async () => {
  const forged = await api("health/status", {
    token: "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
  });
  assert.equal(forged.status, 401);
  envelope(forged);
  const expired = await api("health/status", { token: await tokenFor("admin", { expiresIn: -60 }) });
  assert.equal(expired.status, 401);
});

dbTest("status reports database, Redis, cron jobs, the pg_net queue and the latest migration", async () => {
  const response = await api("health/status", { token: await tokenFor("admin") });
  assert.equal(response.status, 200, response.text);
  const body = response.body;
  assert.equal(body.status, "ok");
  assert.equal(body.database.ok, true);
  assert.match(body.database.value.version, /^15\./);
  assert.equal(body.redis.value, "PONG");
  const prune = body.cronJobs.value.find((job: { name: string }) => job.name === "ops-prune-history");
  assert.equal(prune.schedule, "17 3 * * *");
  assert.equal(typeof body.netQueue.value.queued, "number");
  const [latest] = await sql()`select max(version) as version from supabase_migrations.schema_migrations`;
  assert.equal(body.latestMigration.value.version, latest.version);
});

dbTest("the service role key and an ES256 token from the project's JWKS are accepted", async () => {
  const service = await api("health/status", { token: await serviceRoleKey() });
  assert.equal(service.status, 200);
  const now = Math.floor(Date.now() / 1000);
  const es256 = await signEs256({
    sub: "00000000-0000-4000-8000-00000000ad01",
    role: "authenticated",
    user_role: "admin",
    exp: now + 60,
  });
  const admin = await api("health/status", { token: es256 });
  assert.equal(admin.status, 200, admin.text);
});

dbTest("metrics are Prometheus text with request counts, latency histograms and job runs", async () => {
  await sql()`select private.run_job('test-metrics-job', 'select 1::bigint')`;
  await api("health");
  const response = await api("health/metrics", { token: await serviceRoleKey() });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const count = response.text.match(
    /powerbase_http_requests_total\{function="health",method="GET",route="\/health",status="200"\} (\d+)/,
  );
  assert.ok(count && Number(count[1]) >= 1, response.text.slice(0, 500));
  assert.match(
    response.text,
    /powerbase_http_request_duration_seconds_bucket\{function="health",method="GET",route="\/health",status="200",le="\+Inf"\} \d+/,
  );
  assert.match(response.text, /powerbase_job_runs_total\{job="test-metrics-job",status="succeeded"\} 1/);
});

dbTest("unknown routes and unknown functions answer JSON 404s", async () => {
  const route = await api("health/nope");
  assert.equal(route.status, 404);
  assert.equal(envelope(route).code, "route_not_found");
  const fn = await api("no-such-function");
  assert.equal(fn.status, 404);
  assert.equal(fn.body.code, "NOT_FOUND");
});
