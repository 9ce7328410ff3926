// The HTTP kernel in-process: envelope, limits, validation, request ids and 500s without internals.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { z } from "zod";
import {
  type AppContext,
  createApp,
  MAX_BODY_BYTES,
  rateLimit,
  readJson,
  readQuery,
} from "../../../shared/http.ts";
import { dbTest, sql, uniqueIp } from "../../support/harness.ts";

const app = createApp("kernel", { cors: true });
app.post(
  "/echo",
  async (c) =>
    c.json(await readJson(c, z.object({ name: z.string().min(1), count: z.number().int() }).strict())),
);
app.get("/query", (c) => c.json(readQuery(c, z.object({ limit: z.coerce.number().int().max(50) }))));
app.get("/boom", () => {
  throw new Error("password=hunter2 at db.internal:5432");
});
app.get("/limited", rateLimit("leads"), (c) => c.json({ ok: true }));

// Real errors from Postgres through postgres.js, as an RPC raises them (constant arguments only).
async function raise(state: string, message: string, hint?: string): Promise<never> {
  const hintClause = hint ? `, hint = '${hint}'` : "";
  await sql().unsafe(
    `do $$ begin raise exception using errcode = '${state}', message = '${message}'${hintClause}; end $$`,
  );
  throw new Error(`the do block did not raise ${state}`);
}
app.get("/pt404", () => raise("PT404", "No plan 42 is on offer.", "plan_not_found"));
app.get("/pt422", () => raise("PT422", "usage_kwh is out of range."));
app.get("/denied", () => raise("42501", "permission denied for table db_internal_secrets", "grant it"));
// Real integrity violations: a temporary table with a unique key, a reference and a check.
async function violate(statement: string): Promise<never> {
  await sql().begin(async (tx) => {
    await tx.unsafe(`create temporary table kernel_parent (id int primary key) on commit drop`);
    await tx.unsafe(`create temporary table kernel_probe (
      id int primary key, parent int references kernel_parent, qty int not null check (qty > 0)
    ) on commit drop`);
    await tx.unsafe(`insert into kernel_parent values (1); insert into kernel_probe values (1, 1, 1)`);
    await tx.unsafe(statement);
  });
  throw new Error(`${statement} did not fail`);
}
app.get("/unique", () => violate("insert into kernel_probe values (1, 1, 1)"));
app.get("/reference", () => violate("insert into kernel_probe values (2, 99, 1)"));
app.get("/not-null", () => violate("insert into kernel_probe values (3, 1, null)"));
app.get("/check", () => violate("insert into kernel_probe values (4, 1, 0)"));

const call = (path: string, init: RequestInit = {}, ip = uniqueIp()) =>
  app.request(`/kernel${path}`, { ...init, headers: { "x-forwarded-for": ip, ...(init.headers ?? {}) } });

async function expectEnvelope(response: Response, status: number, code: string) {
  assert.equal(response.status, status);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = await response.json();
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.message, "string");
  assert.ok(Array.isArray(body.error.details));
  assert.equal(body.error.requestId, response.headers.get("x-request-id"));
  return body.error;
}

dbTest("valid JSON passes validation and gets a request id", async () => {
  const response = await call("/echo", { method: "POST", body: JSON.stringify({ name: "a", count: 2 }) });
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { name: "a", count: 2 });
  assert.match(response.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
});

dbTest("a client request id is echoed back", async () => {
  const response = await call("/query?limit=5", { headers: { "x-request-id": "client-req-12345" } });
  assert.equal(response.headers.get("x-request-id"), "client-req-12345");
  await response.body?.cancel();
});

dbTest("malformed JSON is 400", async () => {
  await expectEnvelope(await call("/echo", { method: "POST", body: "{nope" }), 400, "malformed_json");
});

dbTest("failed validation is 422 with zod's issues as details", async () => {
  const error = await expectEnvelope(
    await call("/echo", { method: "POST", body: JSON.stringify({ name: "", count: 1.5, extra: true }) }),
    422,
    "validation_failed",
  );
  const paths = error.details.map((d: { path: string }) => d.path).sort();
  assert.deepEqual(paths, ["", "count", "name"]);
});

dbTest("an invalid query string is 422", async () => {
  await expectEnvelope(await call("/query?limit=500"), 422, "validation_failed");
});

dbTest("a body over 1 MiB is 413", async () => {
  const big = JSON.stringify({ name: "x".repeat(MAX_BODY_BYTES), count: 1 });
  await expectEnvelope(await call("/echo", { method: "POST", body: big }), 413, "payload_too_large");
});

dbTest("an unknown route is a JSON 404", async () => {
  await expectEnvelope(await call("/nowhere"), 404, "route_not_found");
});

dbTest("an unexpected error is 500 with the request id and no internals", async () => {
  const response = await call("/boom");
  const text = await response.clone().text();
  await expectEnvelope(response, 500, "internal_error");
  assert.ok(!text.includes("hunter2") && !text.includes("db.internal"), text);
});

dbTest(
  "a PT4xx error from Postgres is that 4xx, coded by its HINT (invalid_request without one)",
  async () => {
    const notFound = await expectEnvelope(await call("/pt404"), 404, "plan_not_found");
    assert.equal(notFound.message, "No plan 42 is on offer.");
    assert.deepEqual(notFound.details, []);
    const invalid = await expectEnvelope(await call("/pt422"), 422, "invalid_request");
    assert.equal(invalid.message, "usage_kwh is out of range.");
    assert.deepEqual(invalid.details, []);
  },
);

dbTest(
  "integrity violations are 4xx as PostgREST answers them: duplicate or reference 409, NULL or check 422",
  async () => {
    const duplicate = await expectEnvelope(await call("/unique"), 409, "conflict");
    assert.deepEqual(duplicate.details, [{ code: "conflict", message: "constraint kernel_probe_pkey" }]);
    await expectEnvelope(await call("/reference"), 409, "reference_conflict");
    await expectEnvelope(await call("/not-null"), 422, "missing_value");
    await expectEnvelope(await call("/check"), 422, "invalid_value");
  },
);

dbTest("any other SQLSTATE (42501) is a 500 without internals", async () => {
  const response = await call("/denied");
  const text = await response.clone().text();
  await expectEnvelope(response, 500, "internal_error");
  assert.ok(!text.includes("db_internal_secrets") && !text.includes("grant it"), text);
});

dbTest("CORS preflight is answered", async () => {
  const response = await call("/echo", {
    method: "OPTIONS",
    headers: { origin: "https://app.example", "access-control-request-method": "POST" },
  });
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
});

dbTest("a rate-limited route answers 429 with Retry-After and RateLimit headers", async () => {
  const ip = uniqueIp();
  const statuses: number[] = [];
  let last: Response | undefined;
  for (let i = 0; i < 6; i++) {
    last = await call("/limited", {}, ip);
    statuses.push(last.status);
    if (i < 5) await last.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  assert.equal(last!.headers.get("ratelimit-limit"), "5");
  assert.equal(last!.headers.get("ratelimit-remaining"), "0");
  assert.ok(Number(last!.headers.get("retry-after")) >= 1);
  await expectEnvelope(last!, 429, "rate_limited");
});

dbTest("the global per-IP class skips the routes an app exempts, and only those", async () => {
  const exempting = createApp("exempting", { globalRateLimitExempt: ["/hooks/{provider}"] });
  exempting.post("/hooks/:provider", (c) => c.json({ ok: true }));
  exempting.get("/other", (c) => c.json({ ok: true }));
  const ip = uniqueIp();
  const send = (path: string, method = "GET") =>
    exempting.request(`/exempting${path}`, { method, headers: { "x-forwarded-for": ip } });
  // 100 per minute is the default global class: the 101st ordinary request is refused ...
  const ordinary: number[] = [];
  for (let i = 0; i < 101; i++) {
    const response = await send("/other");
    ordinary.push(response.status);
    await response.body?.cancel();
  }
  assert.deepEqual(ordinary.filter((s) => s === 429).length, 1);
  assert.equal(ordinary[100], 429);
  // ... while the exempt route still answers the same address, with no rate headers of the class.
  const hook = await send("/hooks/resend", "POST");
  assert.equal(hook.status, 200);
  assert.equal(hook.headers.get("ratelimit-limit"), null);
  await hook.body?.cancel();
  // A path that only starts like the exempt one is not exempt.
  const near = await send("/hooks/resend/extra", "POST");
  assert.equal(near.status, 429);
  await near.body?.cancel();
});

dbTest("the rate classes a route applies by address are asked for beside the block check", async () => {
  const prefetching = createApp("prefetching");
  const asked = (c: AppContext) => c.json({ classes: [...(c.get("rateDecisions")?.keys() ?? [])].sort() });
  prefetching.get("/by-address", rateLimit("search"), asked);
  prefetching.get("/by-caller", rateLimit("api", () => "caller-1"), asked);
  const ask = async (path: string) =>
    (await (await prefetching.request(`/prefetching${path}`, { headers: { "x-forwarded-for": uniqueIp() } }))
      .json()).classes;
  assert.deepEqual(await ask("/by-address"), ["global", "search"]);
  // A class keyed by something else than the address is asked for in its own place.
  assert.deepEqual(await ask("/by-caller"), ["global"]);
});
