// @upstash/redis and @upstash/ratelimit, unchanged, against local Redis through the bridge.
import assert from "node:assert/strict";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { sha1Hex, stripUnknownScriptFlags } from "../../../supabase/local/upstash_bridge.ts";
import { config, dbTest } from "../../support/harness.ts";

const redis = new Redis({ url: config.bridgeUrl, token: config.bridgeToken, enableTelemetry: false });
const key = (name: string) => `test:bridge:${crypto.randomUUID()}:${name}`;

Deno.test("strips only the script flags Redis does not know", () => {
  assert.equal(stripUnknownScriptFlags("#!lua flags=allow-key-locking\nreturn 1"), "#!lua\nreturn 1");
  assert.equal(
    stripUnknownScriptFlags("#!lua flags=no-writes,allow-key-locking\nreturn 1"),
    "#!lua flags=no-writes\nreturn 1",
  );
  assert.equal(stripUnknownScriptFlags("return 1"), "return 1");
});

dbTest("strings, numbers, hashes and unicode round-trip with base64 encoding", async () => {
  const k = key("kv");
  assert.equal(await redis.set(k, "héllo wörld ✓"), "OK");
  assert.equal(await redis.get(k), "héllo wörld ✓");
  assert.equal(await redis.incr(`${k}:n`), 1);
  assert.equal(await redis.incrby(`${k}:n`, 41), 42);
  await redis.hset(`${k}:h`, { a: "1", b: "two" });
  assert.deepEqual(await redis.hgetall(`${k}:h`), { a: 1, b: "two" });
  assert.equal(await redis.get(key("missing")), null);
  assert.equal(await redis.ping(), "PONG");
});

dbTest("pipelines and transactions return one result per command", async () => {
  const k = key("p");
  const results = await redis.pipeline().set(k, "v").get(k).incr(`${k}:c`).exec();
  assert.deepEqual(results, ["OK", "v", 1]);
  const tx = await redis.multi().incr(`${k}:c`).incr(`${k}:c`).exec();
  assert.deepEqual(tx, [2, 3]);
});

dbTest("errors come back as Upstash errors", async () => {
  const k = key("wrongtype");
  await redis.set(k, "text");
  await assert.rejects(() => redis.incr(k), /not an integer/);
});

dbTest("unauthenticated calls are refused", async () => {
  const response = await fetch(config.bridgeUrl, {
    method: "POST",
    body: '["PING"]',
    headers: { authorization: "Bearer wrong" },
  });
  assert.equal(response.status, 401);
  await response.body?.cancel();
});

dbTest(
  "EVAL with the Upstash-only flag runs, and EVALSHA of the original text then hits the cache",
  async () => {
    const script = "#!lua flags=allow-key-locking\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])";
    const k = key("eval");
    assert.equal(await redis.eval(script, [k], ["5"]), 5);
    assert.equal(await redis.evalsha(await sha1Hex(script), [k], ["2"]), 7);
    const loaded = await redis.scriptLoad("#!lua flags=allow-key-locking\nreturn 'loaded'");
    assert.equal(loaded, await sha1Hex("#!lua flags=allow-key-locking\nreturn 'loaded'"));
    assert.equal(await redis.evalsha(loaded, [], []), "loaded");
  },
);

async function commandCalls(name: string): Promise<number> {
  const info = String(await redis.exec(["INFO", "commandstats"]));
  return Number(info.match(new RegExp(`cmdstat_${name}:calls=(\\d+)`))?.[1] ?? 0);
}

dbTest("a sliding-window limiter blocks call limit+1 and frees up after the window", async () => {
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(3, "2 s"),
    prefix: key("rl"),
    analytics: false,
    ephemeralCache: false,
  });
  const id = "client-1";
  const first = await Promise.all([limiter.limit(id), limiter.limit(id), limiter.limit(id)]);
  assert.deepEqual(first.map((r) => r.success), [true, true, true]);
  const fourth = await limiter.limit(id);
  assert.equal(fourth.success, false);
  assert.equal(fourth.remaining, 0);
  assert.equal((await limiter.limit("client-2")).success, true, "other identities have their own window");
  // A sliding window lets the next call through only after a full window has passed.
  await new Promise((resolve) => setTimeout(resolve, 4100));
  assert.equal((await limiter.limit(id)).success, true);
});

dbTest("a warmed-up limiter costs one EVALSHA round trip per call", async () => {
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(100, "10 s"),
    prefix: key("rt"),
    analytics: false,
  });
  await limiter.limit("warm");
  const [evalshaBefore, evalBefore] = [await commandCalls("evalsha"), await commandCalls("eval")];
  for (let i = 0; i < 5; i++) await limiter.limit("warm");
  const [evalshaAfter, evalAfter] = [await commandCalls("evalsha"), await commandCalls("eval")];
  assert.equal(evalAfter - evalBefore, 0, "no EVAL fallbacks once warmed up");
  assert.ok(
    evalshaAfter - evalshaBefore >= 5,
    `expected at least 5 EVALSHA, got ${evalshaAfter - evalshaBefore}`,
  );
});
