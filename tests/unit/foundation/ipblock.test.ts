// The client address and automated blocking: only the trusted proxies' entries of X-Forwarded-For
// count; an address reaching the failure threshold is blocked in Redis and recorded in ops.ip_blocks
// and ops.security_events; lifting ends it at once; the allowlist is never blocked; the check fails
// open when Redis does not answer.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import type { Redis } from "@upstash/redis";
import { Hono } from "hono";
import { clientIp } from "../../../shared/http.ts";
import { blockKey, IpBlocker, isAllowlisted, parseAllowlist } from "../../../shared/ipblock.ts";
import { redis } from "../../../shared/redis.ts";
import { dbTest, sql, uniqueIp } from "../../support/harness.ts";

const probe = new Hono();
probe.get("/ip/:hops", (c) => c.text(clientIp(c, Number(c.req.param("hops")))));
const addressFor = async (forwarded: string | null, hops: number) => {
  const headers: Record<string, string> = forwarded === null ? {} : { "x-forwarded-for": forwarded };
  return await (await probe.request(`/ip/${hops}`, { headers })).text();
};

Deno.test("the client address is the entry the outermost trusted proxy appended", async () => {
  // One trusted hop (Supabase's edge, the local gateway): the last entry, whatever the client wrote.
  assert.equal(await addressFor("6.6.6.6, 203.0.113.5", 1), "203.0.113.5");
  assert.equal(await addressFor("203.0.113.5", 1), "203.0.113.5");
  // Two trusted hops: the second entry from the right.
  assert.equal(await addressFor("6.6.6.6, 203.0.113.5, 10.0.0.1", 2), "203.0.113.5");
  // Fewer entries than hops: the leftmost is all there is.
  assert.equal(await addressFor("203.0.113.5", 3), "203.0.113.5");
  // No header, or a hostile entry: unknown, never the raw text.
  assert.equal(await addressFor(null, 1), "unknown");
  assert.equal(await addressFor("1.2.3.4, <script>", 1), "unknown");
  assert.equal(await addressFor("2001:db8::1", 1), "2001:db8::1");
});

Deno.test("the allowlist takes exact addresses and IPv4 CIDR ranges", () => {
  const allowlist = parseAllowlist(" 192.0.2.10, 10.20.0.0/16,2001:db8::7 ,");
  assert.deepEqual(allowlist, ["192.0.2.10", "10.20.0.0/16", "2001:db8::7"]);
  assert.ok(isAllowlisted("192.0.2.10", allowlist));
  assert.ok(isAllowlisted("10.20.255.1", allowlist));
  assert.ok(isAllowlisted("2001:db8::7", allowlist));
  assert.ok(!isAllowlisted("10.21.0.1", allowlist));
  assert.ok(!isAllowlisted("192.0.2.11", allowlist));
  assert.ok(isAllowlisted("8.8.8.8", ["0.0.0.0/0"]));
});

dbTest("the failure that reaches the threshold blocks the address, once, and records it", async () => {
  const ip = uniqueIp();
  const blocker = new IpBlocker(() => redis(), {
    threshold: 3,
    windowSeconds: 60,
    blockSeconds: 30,
    allowlist: [],
  });
  assert.equal((await blocker.check(ip)).blocked, false);
  assert.equal(await blocker.recordFailure(ip, "status_422", "probe"), false);
  assert.equal(await blocker.recordFailure(ip, "status_422", "probe"), false);
  assert.equal(await blocker.recordFailure(ip, "status_401", "probe"), true);
  assert.equal(await blocker.recordFailure(ip, "status_401", "probe"), false, "a block starts once");
  // Another isolate (a fresh blocker) sees the block through Redis.
  const elsewhere = new IpBlocker(() => redis(), {
    threshold: 3,
    windowSeconds: 60,
    blockSeconds: 30,
    allowlist: [],
  });
  const status = await elsewhere.check(ip);
  assert.equal(status.blocked, true);
  assert.ok(status.retryAfterSeconds > 0 && status.retryAfterSeconds <= 30);
  const blocks = await sql()`select reason, failures from ops.ip_blocks where ip = ${ip}::inet`;
  assert.deepEqual(blocks.map((b) => [b.reason, b.failures]), [["status_401", 3]]);
  const events = await sql()`
    select details from ops.security_events where ip = ${ip}::inet and kind = 'ip_blocked'`;
  assert.equal(events.length, 1);
  assert.equal(events[0].details.failures, 3);
  await elsewhere.lift(ip);
  assert.equal((await elsewhere.check(ip)).blocked, false);
  assert.equal(await redis().exists(blockKey(ip)), 0);
});

dbTest("allowlisted addresses are never counted or blocked", async () => {
  const ip = `10.77.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
  const blocker = new IpBlocker(() => redis(), {
    threshold: 1,
    windowSeconds: 60,
    blockSeconds: 30,
    allowlist: ["10.77.0.0/16"],
  });
  assert.equal(await blocker.recordFailure(ip, "status_422", "probe"), false);
  assert.equal((await blocker.check(ip)).blocked, false);
  assert.equal((await sql()`select 1 from ops.ip_blocks where ip = ${ip}::inet`).length, 0);
});

dbTest("the check fails open when Redis hangs or fails", async () => {
  const settings = { threshold: 1, windowSeconds: 60, blockSeconds: 30, allowlist: [] };
  const hanging = { ttl: () => new Promise(() => {}) } as unknown as Redis;
  const started = performance.now();
  assert.equal((await new IpBlocker(() => hanging, settings).check(uniqueIp())).blocked, false);
  assert.ok(performance.now() - started < 1000);
  const failing = {
    ttl: () => Promise.reject(new Error("down")),
    eval: () => Promise.reject(new Error("down")),
  } as unknown as Redis;
  const blocker = new IpBlocker(() => failing, settings);
  assert.equal((await blocker.check(uniqueIp())).blocked, false);
  assert.equal(await blocker.recordFailure(uniqueIp(), "status_422", "probe"), false);
});
