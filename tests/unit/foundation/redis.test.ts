// Redis group commit: concurrent commands share one /pipeline call while another is in flight, each
// caller gets its own answer (errors included), and transactions pass straight through. First on a
// fake requester that records calls, then against the real bridge and Redis.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import type { Requester, UpstashRequest, UpstashResponse } from "@upstash/redis";
import { CoalescingRequester, redis } from "../../../shared/redis.ts";
import { dbTest } from "../../support/harness.ts";

/** A fake Upstash endpoint: answers each command with its first argument, "FAIL" with an error. */
function fakeUpstash() {
  const calls: UpstashRequest[] = [];
  const release: Array<() => void> = [];
  const answer = (command: unknown) =>
    (command as string[])[1] === "FAIL" ? { error: "ERR refused" } : { result: (command as string[])[1] };
  const inner: Requester = {
    request<T>(req: UpstashRequest): Promise<UpstashResponse<T>> {
      calls.push(req);
      return new Promise((resolve) => {
        release.push(() => {
          const body = req.body as unknown[];
          const isPipeline = req.path?.[0] === "pipeline" || req.path?.[0] === "multi-exec";
          resolve((isPipeline ? body.map(answer) : answer(body)) as unknown as UpstashResponse<T>);
        });
      });
    },
  };
  return { inner, calls, release };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));
const microtask = () => Promise.resolve();

Deno.test("a lone command goes at once as a single command", async () => {
  const fake = fakeUpstash();
  const requester = new CoalescingRequester(fake.inner);
  const answer = requester.request({ body: ["ECHO", "a"] });
  await microtask();
  assert.deepEqual(fake.calls, [{ body: ["ECHO", "a"] }]);
  fake.release[0]();
  assert.deepEqual(await answer, { result: "a" });
});

Deno.test("commands asked in the same turn leave in one pipeline even when nothing is in flight", async () => {
  const fake = fakeUpstash();
  const requester = new CoalescingRequester(fake.inner);
  // What the kernel asks for each request: the block status and a rate class, side by side.
  const block = requester.request({ body: ["TTL", "blocked"] });
  const limit = requester.request({ body: ["EVALSHA", "limit"] });
  await microtask();
  assert.deepEqual(fake.calls, [{ path: ["pipeline"], body: [["TTL", "blocked"], ["EVALSHA", "limit"]] }]);
  fake.release[0]();
  assert.deepEqual(await block, { result: "blocked" });
  assert.deepEqual(await limit, { result: "limit" });
});

Deno.test("commands that arrive during a call share one pipeline; each caller gets its own entries", async () => {
  const fake = fakeUpstash();
  const requester = new CoalescingRequester(fake.inner);
  const first = requester.request({ body: ["ECHO", "a"] });
  await microtask();
  const second = requester.request({ body: ["ECHO", "b"] });
  const failing = requester.request({ body: ["ECHO", "FAIL"] });
  const pipeline = requester.request({ path: ["pipeline"], body: [["ECHO", "c"], ["ECHO", "d"]] });
  assert.equal(fake.calls.length, 1, "nothing more is sent while the first call is in flight");
  fake.release[0]();
  assert.deepEqual(await first, { result: "a" });
  await tick();
  assert.deepEqual(fake.calls[1], {
    path: ["pipeline"],
    body: [["ECHO", "b"], ["ECHO", "FAIL"], ["ECHO", "c"], ["ECHO", "d"]],
  });
  fake.release[1]();
  assert.deepEqual(await second, { result: "b" });
  assert.deepEqual(await failing, { error: "ERR refused" }, "an error reaches only its own caller");
  assert.deepEqual(await pipeline, [{ result: "c" }, { result: "d" }]);
});

Deno.test("transactions and requests with their own options pass straight through", async () => {
  const fake = fakeUpstash();
  const requester = new CoalescingRequester(fake.inner);
  requester.request({ body: ["ECHO", "a"] });
  await microtask();
  requester.request({ path: ["multi-exec"], body: [["INCR", "k"]] });
  requester.request({ body: ["ECHO", "b"], headers: { "x-test": "1" } });
  assert.deepEqual(fake.calls.map((call) => call.path ?? []), [[], ["multi-exec"], []]);
  assert.equal(fake.calls.length, 3, "none of them waited for the call in flight");
  fake.release.forEach((release) => release());
});

Deno.test("a failed call fails every command of its group, and the next group still goes", async () => {
  const calls: UpstashRequest[] = [];
  let fail = true;
  const requester = new CoalescingRequester({
    request<T>(req: UpstashRequest): Promise<UpstashResponse<T>> {
      calls.push(req);
      if (fail) return Promise.reject(new Error("connection reset"));
      return Promise.resolve({ result: "OK" } as UpstashResponse<T>);
    },
  });
  const doomed = [requester.request({ body: ["PING"] })];
  await assert.rejects(doomed[0], /connection reset/);
  fail = false;
  assert.deepEqual(await requester.request({ body: ["PING"] }), { result: "OK" });
  assert.equal(calls.length, 2);
});

dbTest("against the real bridge, 50 concurrent increments each get their own distinct answer", async () => {
  const key = `test:coalesce:${crypto.randomUUID()}`;
  const answers = await Promise.all(Array.from({ length: 50 }, () => redis().incr(key)));
  assert.deepEqual([...answers].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i + 1));
  assert.equal(await redis().get<number>(key), 50);
  const piped = redis().pipeline();
  piped.incr(key);
  piped.get(key);
  assert.deepEqual(await piped.exec(), [51, 51]);
  await redis().del(key);
});
