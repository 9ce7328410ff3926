// The kernel's limiter: classes, headers and failing open when Redis cannot answer in time.
import assert from "node:assert/strict";
import { Redis } from "@upstash/redis";
import {
  createLimiter,
  DEFAULT_RATE_CLASSES,
  FAIL_OPEN_BUDGET_MS,
  rateClasses,
} from "../../../shared/ratelimit.ts";
import { config, dbTest } from "../../support/harness.ts";

Deno.test("the default classes are the documented ones", () => {
  assert.deepEqual(DEFAULT_RATE_CLASSES, {
    global: { limit: 100, window: "1 m" },
    api: { limit: 60, window: "1 m" },
    search: { limit: 120, window: "1 m" },
    leads: { limit: 5, window: "5 m" },
  });
  assert.equal(rateClasses('{"leads":{"limit":7,"window":"1 m"}}').leads.limit, 7);
  assert.throws(() => rateClasses('{"leads":{"limit":-1,"window":"1 m"}}'));
});

dbTest("the leads class allows five calls per identity and refuses the sixth", async () => {
  const redis = new Redis({ url: config.bridgeUrl, token: config.bridgeToken, enableTelemetry: false });
  const limiter = createLimiter(redis, rateClasses());
  const identity = `test-${crypto.randomUUID()}`;
  const decisions = [];
  for (let i = 0; i < 6; i++) decisions.push(await limiter.check("leads", identity));
  assert.deepEqual(decisions.map((d) => d.allowed), [true, true, true, true, true, false]);
  assert.equal(decisions[5].remaining, 0);
  assert.ok(decisions[5].reset > Date.now(), "reset lies in the future");
  assert.ok(decisions.every((d) => !d.failedOpen));
});

dbTest("fails open when Redis does not answer within the budget", async () => {
  // A server that answers only long after the budget: the only way out is the budget timer.
  const hung = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () => new Promise<Response>((resolve) => setTimeout(() => resolve(Response.json({ result: 1 })), 1500)),
  );
  try {
    const redis = new Redis({
      url: `http://127.0.0.1:${hung.addr.port}`,
      token: "t",
      retry: false,
      enableTelemetry: false,
    });
    const decision = await createLimiter(redis, rateClasses()).check("api", "someone");
    assert.equal(decision.allowed, true);
    assert.equal(decision.failedOpen, true);
    assert.match(decision.reason ?? "", new RegExp(`${FAIL_OPEN_BUDGET_MS} ms|timeout`));
  } finally {
    await hung.shutdown().catch(() => {});
  }
});

dbTest("fails open when Redis is unreachable", async () => {
  const redis = new Redis({ url: "http://127.0.0.1:9", token: "t", retry: false, enableTelemetry: false });
  const decision = await createLimiter(redis, rateClasses()).check("api", "someone");
  assert.equal(decision.allowed, true);
  assert.equal(decision.failedOpen, true);
});
