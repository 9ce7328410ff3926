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

Deno.test("result cache: entries loaded together expire at spread times, within a quarter of the TTL", async () => {
  // The jitter draws are the test's: 0 → 75 % of the TTL, 1 → 125 %.
  const draws = [0, 1];
  let loads = 0;
  const cache = resultCache((key) => Promise.resolve({ key, n: ++loads }), {
    ttlMs: 100,
    random: () => draws.shift() ?? 0.5,
  });
  await cache.get("early");
  await cache.get("late");
  await sleep(90);
  // 90 ms: "early" (75 ms) is stale and reloads in the background; "late" (125 ms) is still fresh.
  await cache.get("early");
  await cache.get("late");
  assert.equal(loads, 3);
  await sleep(50);
  await cache.get("late");
  assert.equal(loads, 4, "late expired after 125 ms");
});

Deno.test("result cache: background reloads run a few at a time, and a miss never waits behind them", async () => {
  let inFlight = 0;
  let most = 0;
  const events: string[] = [];
  const cache = resultCache(async (key) => {
    inFlight++;
    most = Math.max(most, inFlight);
    events.push(`start ${key}`);
    await sleep(20);
    inFlight--;
    events.push(`end ${key}`);
    return { key };
  }, { ttlMs: 40, backgroundReloads: 2, random: () => 0.5 });
  const keys = ["a", "b", "c", "d", "e", "f"];
  await Promise.all(keys.map((key) => cache.get(key)));
  assert.equal(most, 6, "first misses load at once: each caller waits for its own");
  await sleep(60);
  most = 0;
  events.length = 0;
  // Every entry is stale: each get answers at once and queues a reload.
  for (const key of keys) assert.deepEqual(await cache.get(key), { key });
  assert.deepEqual(await cache.get("new"), { key: "new" });
  assert.ok(
    events.indexOf("start new") < events.indexOf("end a"),
    `the miss started beside the first two reloads, before any of them ended: ${events.join(", ")}`,
  );
  await sleep(100);
  assert.equal(most, 3, "two background reloads at a time, plus the miss");
  assert.deepEqual(events.filter((e) => e.startsWith("end")).length, 7);
});
