// GET /functions/v1/search, /search/autocomplete and /search/analytics over real HTTP: typo-tolerant
// results, item shapes, exact ZIPs, the query log and its analytics, and bad input.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql, tokenFor } from "../../support/harness.ts";

const get = (path: string, params: Record<string, string>, token?: string) =>
  api(`search${path}?${new URLSearchParams(params)}`, { token });

dbTest("search/autocomplete: prefixes and typos find the city, with TDSP and population", async () => {
  const sessionId = crypto.randomUUID();
  for (const q of ["hou", "Housotn", "Hustn"]) {
    const response = await get("/autocomplete", { q, sessionId });
    assert.equal(response.status, 200, response.text);
    const [first] = response.body.items;
    assert.deepEqual([first.type, first.label, first.tdsp], ["city", "Houston", "centerpoint"], q);
    assert.ok(first.population > 2_000_000);
    assert.equal(first.deregulated, true);
  }
  const austin = (await get("/autocomplete", { q: "Austin" })).body.items[0];
  assert.deepEqual([austin.label, austin.deregulated, austin.marketStatus], ["Austin", false, "municipal"]);
  const logged = await eventually(async () => {
    const rows =
      await sql()`select query, result_count, kind from search.queries where session_id = ${sessionId} order by id`;
    return rows.length === 3 && rows;
  });
  assert.deepEqual(logged.map((r) => [r.query, r.kind]), [["hou", "autocomplete"], [
    "Housotn",
    "autocomplete",
  ], ["Hustn", "autocomplete"]]);
  assert.ok(logged.every((r) => r.result_count > 0));
});

dbTest("search: ZIPs are exact, types filter, features and providers are found", async () => {
  const zip = await get("", { q: "77002" });
  assert.equal(zip.status, 200);
  assert.deepEqual(zip.body.items.map((i: { type: string; id: string }) => [i.type, i.id]), [[
    "zip",
    "77002",
  ]]);
  assert.equal(zip.body.items[0].city, "Houston");
  const feature = await get("", { q: "green energy", types: "feature" });
  assert.deepEqual([feature.body.items[0].type, feature.body.items[0].id], ["feature", "green_energy"]);
  assert.deepEqual(feature.body.items[0].filters, { renewableMin: 100 });
  const provider = await get("", { q: "Reliant", types: "provider,plan" });
  assert.equal(provider.body.items[0].type, "provider");
  assert.ok(provider.body.items.every((i: { type: string }) => i.type === "provider" || i.type === "plan"));
  const misspelt = await get("", { q: "Corpus Cristi", types: "city" });
  assert.equal(misspelt.body.items[0].label, "Corpus Christi");
  assert.equal(misspelt.body.items[0].tdsp, "aep_central");
});

dbTest("search: bad input is a 422 envelope and is not logged", async () => {
  const sessionId = crypto.randomUUID();
  const long = await get("", { q: "x".repeat(201), sessionId });
  assert.equal(long.status, 422);
  assert.equal(envelope(long).code, "validation_failed");
  const missing = await get("/autocomplete", { sessionId });
  assert.equal(missing.status, 422);
  const types = await get("", { q: "dallas", types: "city,planet", sessionId });
  assert.equal(types.status, 422);
  assert.match(JSON.stringify(envelope(types).details), /unknown types: planet/);
  const limit = await get("", { q: "dallas", limit: "500", sessionId });
  assert.equal(limit.status, 422);
  // A good query of the same session is logged; the bad ones before it are not.
  assert.equal((await get("", { q: "dallas", sessionId })).status, 200);
  const logged = await eventually(async () => {
    const rows = await sql()`select query from search.queries where session_id = ${sessionId}`;
    return rows.length > 0 && rows;
  });
  assert.deepEqual(logged.map((r) => r.query), ["dallas"]);
});

dbTest("search/analytics: analysts see popular and zero-result queries; others are refused", async () => {
  const nonsense = `zzq${crypto.randomUUID().slice(0, 8)}`;
  const sessionId = crypto.randomUUID();
  for (let i = 0; i < 2; i++) assert.equal((await get("", { q: nonsense, sessionId })).body.items.length, 0);
  await eventually(async () =>
    (await sql()`select count(*)::int as n from search.queries where session_id = ${sessionId}`)[0].n === 2
  );
  const anon = await get("/analytics", {});
  assert.equal(anon.status, 401);
  const customer = await get("/analytics", {}, await tokenFor("customer"));
  assert.equal(customer.status, 403);
  envelope(customer);
  const analyst = await get("/analytics", { days: "1", limit: "100" }, await tokenFor("analyst"));
  assert.equal(analyst.status, 200, analyst.text);
  const zero = analyst.body.zeroResults.find((z: { query: string }) => z.query === nonsense);
  assert.equal(zero?.searches, 2);
  assert.ok(analyst.body.popular.length > 0);
  assert.ok(analyst.body.totalQueries >= 2);
});

dbTest("search: queries that differ only after unaccent are cached apart", async () => {
  // A cache key folding ø and ß away (as search.normalize does not) made each pair share one entry.
  for (const [first, second] of [["plan", "Plan ø"], ["o o", "Oßo"]]) {
    for (let i = 0; i < 4; i++) {
      assert.equal((await get("/autocomplete", { q: first, limit: "3" })).status, 200);
    }
    const response = await get("/autocomplete", { q: second, limit: "3" });
    assert.equal(response.status, 200, response.text);
    const expected = await sql()`select label from search.find(${second}, null, 3, 'autocomplete')`;
    assert.ok(expected.length > 0, second);
    assert.deepEqual(
      response.body.items.map((i: { label: string }) => i.label),
      expected.map((r) => r.label),
      second,
    );
  }
});

dbTest("search/features lists the feature documents search knows", async () => {
  const response = await api("search/features");
  assert.equal(response.status, 200, response.text);
  const expected = await sql()`
    select ref_id from search.documents where doc_type = 'feature' order by label`;
  assert.ok(expected.length > 0, "the reference data has features");
  assert.deepEqual(
    response.body.features.map((f: { id: string }) => f.id),
    expected.map((row) => row.ref_id),
  );
});
