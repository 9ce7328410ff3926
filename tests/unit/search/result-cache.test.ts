// The search function's result cache (lru-cache with stale-while-revalidate): one load per key at a
// time, an expired answer served once while it reloads, then the new one; the entry bound holds.
import assert from "node:assert/strict";
import { resultCache } from "../../../functions/search/cache.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("result cache: concurrent misses share one load; an expired answer is served while it reloads", async () => {
  let loads = 0;
  const cache = resultCache(async (key) => {
    loads++;
    await sleep(20);
    return { key, version: loads };
  }, { ttlMs: 50 });
  const [a, b] = await Promise.all([cache.get("hou"), cache.get("hou")]);
  assert.equal(loads, 1);
  assert.deepEqual(a, { key: "hou", version: 1 });
  assert.equal(a, b);
  await sleep(80);
  // Expired: the old answer at once, and a reload in the background.
  const stale = await cache.get("hou");
  assert.deepEqual(stale, { key: "hou", version: 1 });
  assert.equal(loads, 2);
  await sleep(40);
  assert.deepEqual(await cache.get("hou"), { key: "hou", version: 2 });
  assert.equal(loads, 2);
});

Deno.test("result cache: a failed load reaches the caller and is not cached", async () => {
  let calls = 0;
  const cache = resultCache<{ ok: boolean }>(() => {
    calls++;
    return calls === 1 ? Promise.reject(new Error("database down")) : Promise.resolve({ ok: true });
  });
  await assert.rejects(cache.get("x"), /database down/);
  assert.deepEqual(await cache.get("x"), { ok: true });
});

Deno.test("result cache: the least recently used entry goes when the bound is reached", async () => {
  let loads = 0;
  const cache = resultCache((key) => Promise.resolve({ key, n: ++loads }), { maxEntries: 2 });
  await cache.get("a");
  await cache.get("b");
  await cache.get("a");
  await cache.get("c");
  assert.equal(loads, 3);
  await cache.get("a");
  assert.equal(loads, 3, "a was used recently and stayed");
  await cache.get("b");
  assert.equal(loads, 4, "b was the least recently used and went");
});
