// The kernel's route API in-process: declared schemas validate with the envelope (422, 400, 415),
// route-scoped role middleware answers 401/403 before validation, the RPC helper calls functions by
// named arguments, and every app serves its OpenAPI 3.1 document with the envelope documented.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { z } from "zod";
import { rpc, rpcRows } from "../../../shared/db.ts";
import {
  caller,
  createApp,
  jsonBody,
  jsonResponse,
  requireRoles,
  requireService,
  requireUser,
  route,
} from "../../../shared/http.ts";
import { dbTest, sql, tokenFor, uniqueIp } from "../../support/harness.ts";
import { anonKey, serviceRoleKey, signHs256 } from "../../../supabase/local/stack.ts";

const app = createApp("kernel-routes");
const Item = z.object({ name: z.string().min(1), count: z.number().int().max(10) });
app.openapi(
  route({
    method: "post",
    path: "/items/{id}",
    summary: "test route",
    middleware: [requireRoles("admin", "analyst")],
    request: {
      params: z.object({ id: z.uuid() }),
      query: z.object({ dryRun: z.enum(["true", "false"]).optional() }),
      body: jsonBody(Item),
    },
    responses: { 201: jsonResponse(Item.extend({ id: z.uuid() }), "created") },
    errors: { 409: "conflict: already there" },
  }),
  (c) => c.json({ ...c.req.valid("json"), id: c.req.valid("param").id }, 201),
);
app.openapi(
  route({
    method: "get",
    path: "/me",
    summary: "any user",
    middleware: [requireUser()],
    responses: { 200: jsonResponse(z.object({ userId: z.string() }), "me") },
  }),
  async (c) => c.json({ userId: (await caller(c)).userId! }, 200),
);
app.openapi(
  route({
    method: "get",
    path: "/job",
    summary: "service only",
    middleware: [requireService()],
    responses: { 200: jsonResponse(z.object({ ok: z.boolean() }), "ran") },
  }),
  (c) => c.json({ ok: true }, 200),
);

const id = crypto.randomUUID();
const call = (path: string, init: RequestInit & { token?: string } = {}) => {
  const headers = new Headers(init.headers);
  headers.set("x-forwarded-for", uniqueIp());
  if (init.token) headers.set("authorization", `Bearer ${init.token}`);
  return app.request(`/kernel-routes${path}`, { ...init, headers });
};
const post = (body: string, token?: string, type = "application/json", path = `/items/${id}`) =>
  call(path, { method: "POST", body, token, headers: { "content-type": type } });

async function errorOf(response: Response, status: number) {
  assert.equal(response.status, status, await response.clone().text());
  const { error } = await response.json();
  assert.equal(typeof error.message, "string");
  assert.ok(Array.isArray(error.details));
  assert.equal(error.requestId, response.headers.get("x-request-id"));
  return error;
}

dbTest("a declared body, path and query validate; the handler gets the parsed values", async () => {
  const response = await post(JSON.stringify({ name: "a", count: 3 }), await tokenFor("analyst"));
  assert.equal(response.status, 201);
  assert.deepEqual(await response.json(), { name: "a", count: 3, id });
});

dbTest("validation failures are 422 envelopes naming the part and zod's issues", async () => {
  const token = await tokenFor("admin");
  const body = await errorOf(await post(JSON.stringify({ name: "", count: 11 }), token), 422);
  assert.equal(body.code, "validation_failed");
  assert.equal(body.message, "The request body failed validation.");
  assert.deepEqual(body.details.map((d: { path: string }) => d.path).sort(), ["count", "name"]);
  const param = await errorOf(await post("{}", token, "application/json", "/items/not-a-uuid"), 422);
  assert.equal(param.message, "The path failed validation.");
  assert.equal(param.details[0].path, "id");
  const query = await errorOf(await post("{}", token, "application/json", `/items/${id}?dryRun=maybe`), 422);
  assert.equal(query.message, "The query string failed validation.");
  assert.equal(query.details[0].path, "dryRun");
});

dbTest("malformed JSON is 400 and another media type 415, both as envelopes", async () => {
  const token = await tokenFor("admin");
  assert.equal((await errorOf(await post("{nope", token), 400)).code, "malformed_json");
  assert.equal(
    (await errorOf(await post("name=a", token, "text/plain"), 415)).code,
    "unsupported_media_type",
  );
});

dbTest("requireRoles: 401 without a user token, 403 with another role, before validation", async () => {
  const invalid = "{nope";
  const anonymous = await errorOf(await post(invalid), 401);
  assert.equal(anonymous.code, "unauthorized");
  assert.equal((await errorOf(await post(invalid, await anonKey()), 401)).code, "unauthorized");
  const expired = await signHs256({ role: "authenticated", sub: id, exp: Math.floor(Date.now() / 1000) - 5 });
  assert.equal((await errorOf(await post(invalid, expired), 401)).code, "unauthorized");
  const wrongRole = await errorOf(await post(invalid, await tokenFor("sales")), 403);
  assert.equal(wrongRole.code, "forbidden");
  assert.match(wrongRole.message, /admin, analyst/);
  const customer = await errorOf(await post(invalid, await tokenFor("customer")), 403);
  assert.equal(customer.code, "forbidden");
  // The service key passes staff routes, as the Data API's service_role passes RLS.
  const service = await post(JSON.stringify({ name: "s", count: 1 }), await serviceRoleKey());
  assert.equal(service.status, 201);
});

dbTest("requireUser admits any signed-in user; requireService only the service key", async () => {
  assert.equal((await errorOf(await call("/me"), 401)).code, "unauthorized");
  const me = await call("/me", { token: await tokenFor("customer") });
  assert.equal(me.status, 200);
  assert.equal((await me.json()).userId, "00000000-0000-4000-8000-00000000c001");
  assert.equal((await errorOf(await call("/job"), 401)).code, "unauthorized");
  assert.equal(
    (await errorOf(await call("/job", { token: await tokenFor("admin") }), 403)).code,
    "forbidden",
  );
  assert.equal((await call("/job", { token: await serviceRoleKey() })).status, 200);
});

dbTest(
  "GET /<name>/openapi.json is OpenAPI 3.1 with every route and the envelope for its errors",
  async () => {
    const response = await call("/openapi.json");
    assert.equal(response.status, 200);
    const doc = await response.json();
    assert.equal(doc.openapi, "3.1.0");
    assert.ok(doc.components.schemas.ErrorEnvelope);
    assert.deepEqual(Object.keys(doc.paths).sort(), [
      "/kernel-routes/items/{id}",
      "/kernel-routes/job",
      "/kernel-routes/me",
      "/kernel-routes/openapi.json",
    ]);
    const post = doc.paths["/kernel-routes/items/{id}"].post;
    assert.deepEqual(Object.keys(post.responses).sort(), [
      "201",
      "400",
      "401",
      "403",
      "409",
      "413",
      "415",
      "422",
      "429",
      "500",
    ]);
    for (
      const [status, answer] of Object.entries(post.responses) as [
        string,
        { content: Record<string, { schema: { $ref?: string } }> },
      ][]
    ) {
      if (status.startsWith("2")) continue;
      assert.equal(answer.content["application/json"].schema.$ref, "#/components/schemas/ErrorEnvelope");
    }
    assert.match(post.description, /Roles: admin, analyst/);
    assert.deepEqual(post.security, [{ bearer: [] }, { apikey: [] }]);
    // Every route also documents the kernel's own refusals: the block check and the global rate class.
    assert.deepEqual(Object.keys(doc.paths["/kernel-routes/me"].get.responses).sort(), [
      "200",
      "401",
      "403",
      "429",
      "500",
    ]);
    assert.match(post.responses["403"].description, /^forbidden: .* Or ip_blocked: /);
  },
);

dbTest("rpc calls a function by named arguments, JSON for objects; rpcRows returns a set", async () => {
  await sql().unsafe(`
    create schema if not exists kernel_rpc_test;
    create or replace function kernel_rpc_test.describe(
      label text, amounts int[], extra jsonb default '{"default": true}', at timestamptz default null
    ) returns jsonb language sql as $$
      select jsonb_build_object('label', label, 'total', (select sum(a) from unnest(amounts) a),
                                'extra', extra, 'year', extract(year from at)::int)
    $$;
    create or replace function kernel_rpc_test.pairs(prefix text, items jsonb)
    returns table (key text, value text) language sql as $$
      select prefix || e.key, e.value from jsonb_each_text(items) e order by e.key
    $$;`);
  try {
    // Argument order does not matter, undefined arguments take the function's default.
    assert.deepEqual(
      await rpc(sql(), "kernel_rpc_test.describe", { amounts: [2, 3], label: "a'b", at: undefined }),
      { label: "a'b", total: 5, extra: { default: true }, year: null },
    );
    assert.deepEqual(
      await rpc(sql(), "kernel_rpc_test.describe", {
        label: "x",
        amounts: [],
        extra: { nested: [{ deep: 1 }] },
        at: new Date("2026-03-01T00:00:00Z"),
      }),
      { label: "x", total: null, extra: { nested: [{ deep: 1 }] }, year: 2026 },
    );
    // Positional arguments follow the signature's order.
    assert.deepEqual(
      await rpc(sql(), "kernel_rpc_test.describe", ["pos", [4], { p: 1 }]),
      { label: "pos", total: 4, extra: { p: 1 }, year: null },
    );
    const rows = await rpcRows<{ key: string; value: string }>(sql(), "kernel_rpc_test.pairs", {
      prefix: "k_",
      items: { b: "2", a: "1" },
    });
    assert.deepEqual(rows.map((r) => [r.key, r.value]), [["k_a", "1"], ["k_b", "2"]]);
    await assert.rejects(() => rpc(sql(), "drop table x; --"), /not a schema-qualified function name/);
    await assert.rejects(
      () => rpc(sql(), "kernel_rpc_test.describe", { "label) --": "x" }),
      /not an argument name/,
    );
  } finally {
    await sql().unsafe("drop schema kernel_rpc_test cascade");
  }
});
