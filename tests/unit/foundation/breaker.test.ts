// The ingest circuit breaker as a pure unit, on a fake clock: it opens on outages and slowness,
// sheds instead of queueing, probes half-open, and keeps bounded state.
import assert from "node:assert/strict";
import { BreakerTimeoutError, CircuitBreaker } from "../../../shared/breaker.ts";

function fakeClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

const fail = () => Promise.reject(new Error("database down"));
const ok = () => Promise.resolve("stored");

Deno.test("consecutive failures open the breaker; it sheds until the cool-down, then probes", async () => {
  const clock = fakeClock();
  const breaker = new CircuitBreaker({ now: clock.now, consecutiveFailures: 3, openMs: 1000 });
  for (let i = 0; i < 3; i++) await assert.rejects(breaker.run(fail), /database down/);
  assert.equal(breaker.state, "open");
  assert.deepEqual(await breaker.run(ok), { shed: true, reason: "open" });
  clock.advance(1000);
  assert.equal(breaker.state, "half_open");
  await assert.rejects(breaker.run(fail));
  assert.equal(breaker.state, "open", "a failed probe reopens");
  clock.advance(1000);
  assert.deepEqual(await breaker.run(ok), { shed: false, value: "stored" });
  assert.equal(breaker.state, "closed", "a successful probe closes");
});

Deno.test("half-open lets exactly one probe through at a time", async () => {
  const clock = fakeClock();
  const breaker = new CircuitBreaker({ now: clock.now, consecutiveFailures: 1, openMs: 10 });
  await assert.rejects(breaker.run(fail));
  clock.advance(10);
  let release!: () => void;
  const probe = breaker.run(() => new Promise<string>((resolve) => (release = () => resolve("probe"))));
  assert.deepEqual(await breaker.run(ok), { shed: true, reason: "open" });
  release();
  assert.deepEqual(await probe, { shed: false, value: "probe" });
  assert.equal(breaker.state, "closed");
});

Deno.test("a p95 over the threshold opens the breaker", async () => {
  const clock = fakeClock();
  const breaker = new CircuitBreaker({ now: clock.now, minSamples: 20, p95ThresholdMs: 200 });
  const slow = (ms: number) => () => Promise.resolve(clock.advance(ms));
  for (let i = 0; i < 18; i++) await breaker.run(slow(10));
  for (let i = 0; i < 2; i++) await breaker.run(slow(150));
  assert.equal(breaker.state, "closed", "p95 within budget");
  await breaker.run(slow(500));
  await breaker.run(slow(500));
  assert.equal(breaker.state, "open");
});

Deno.test("a failure rate over the threshold opens the breaker even without a streak", async () => {
  const breaker = new CircuitBreaker({ now: fakeClock().now, minSamples: 10, failureRateThreshold: 0.5 });
  for (let i = 0; i < 10; i++) {
    if (i % 2 === 0) await assert.rejects(breaker.run(fail));
    else await breaker.run(ok);
  }
  assert.equal(breaker.state, "open");
});

Deno.test("calls beyond the in-flight cap are shed at once, not queued", async () => {
  const breaker = new CircuitBreaker({ maxInFlight: 2 });
  const releases: Array<() => void> = [];
  const hold = () => new Promise<string>((resolve) => releases.push(() => resolve("done")));
  const running = [breaker.run(hold), breaker.run(hold)];
  assert.deepEqual(await breaker.run(ok), { shed: true, reason: "saturated" });
  releases.forEach((release) => release());
  await Promise.all(running);
  assert.deepEqual(await breaker.run(ok), { shed: false, value: "stored" }, "the slots are free again");
  assert.equal(breaker.state, "closed");
});

Deno.test("a timeout fails the caller, counts as a failure, and keeps the slot until the work ends", async () => {
  const breaker = new CircuitBreaker({ timeoutMs: 20, consecutiveFailures: 100, maxInFlight: 1 });
  let finish!: () => void;
  const stuck = () => new Promise<string>((resolve) => (finish = () => resolve("late")));
  await assert.rejects(breaker.run(stuck), BreakerTimeoutError);
  assert.deepEqual(
    await breaker.run(ok),
    { shed: true, reason: "saturated" },
    "the stuck call holds its slot",
  );
  finish();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(await breaker.run(ok), { shed: false, value: "stored" });
  const opening = new CircuitBreaker({ timeoutMs: 20, consecutiveFailures: 1, maxInFlight: 1 });
  await assert.rejects(opening.run(() => new Promise<string>(() => {})), BreakerTimeoutError);
  assert.equal(opening.state, "open", "a timeout counts as a failure");
});

Deno.test("the sample window is bounded: old samples fall out", async () => {
  const clock = fakeClock();
  // 20 samples: the p95 exceeds 500 ms once two of them are slower than that.
  const breaker = new CircuitBreaker({ now: clock.now, windowSize: 20, minSamples: 20, p95ThresholdMs: 500 });
  const call = (ms: number) => breaker.run(() => Promise.resolve(clock.advance(ms)));
  await call(900);
  for (let i = 0; i < 20; i++) await call(5);
  await call(900);
  assert.equal(breaker.state, "closed", "the first slow sample left the window before the second came");
  await call(900);
  assert.equal(breaker.state, "open", "two slow samples within one window open it");
});

Deno.test("errors the dependency answered for the caller's input are healthy calls; timeouts never are", async () => {
  const clock = fakeClock();
  const refused = Object.assign(new Error("value refused"), { clientsFault: true });
  const breaker = new CircuitBreaker({
    now: clock.now,
    consecutiveFailures: 3,
    isFailure: (error) => !(error as { clientsFault?: boolean }).clientsFault,
  });
  for (let i = 0; i < 10; i++) {
    await assert.rejects(breaker.run(() => Promise.reject(refused)), /value refused/);
  }
  assert.equal(breaker.state, "closed", "refusals are not an outage");
  for (let i = 0; i < 3; i++) await assert.rejects(breaker.run(fail), /database down/);
  assert.equal(breaker.state, "open", "other errors still are");

  const lenient = new CircuitBreaker({ consecutiveFailures: 3, timeoutMs: 10, isFailure: () => false });
  const hang = () => new Promise<never>(() => {});
  for (let i = 0; i < 3; i++) await assert.rejects(lenient.run(hang), BreakerTimeoutError);
  assert.equal(lenient.state, "open", "no answer in time is a failure whatever isFailure says");
});
