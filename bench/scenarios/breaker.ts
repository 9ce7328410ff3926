// The kernel's circuit breaker (shared/breaker.ts) against cockatiel's circuitBreaker with its
// SamplingBreaker and its ConsecutiveBreaker (issue 14.13), each composed as the ingest path needs it:
// an in-flight cap that sheds instead of queueing (cockatiel: bulkhead(64, 0)), a timeout that counts
// as a failure (timeout(4000, Aggressive) inside the breaker), and a refused value (SQLSTATE class
// 22/23) that counts as a healthy call (handleWhen). Two measurements, in the same run:
//   (1) per-call overhead on a call that is already resolved, against a bare call (the anchor);
//   (2) ingest throughput: 50 concurrent loops storing 50-event batches through
//       tracking.ingest_event_batches behind each breaker, the variants taking turns round after round.
// Information only (no target): the figures decide whether the kernel keeps its own breaker.
import {
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  type IBreaker,
  type IPolicy,
  SamplingBreaker,
  timeout,
  TimeoutStrategy,
  wrap,
} from "cockatiel";
import { CircuitBreaker } from "../../shared/breaker.ts";
import { rpcRows } from "../../shared/db.ts";
import { type BenchContext, type BenchRow, type BenchScenario, concurrentLoad, round } from "../lib.ts";

const SCENARIO = "breaker";
const isDataError = (error: unknown) => /^(22|23)/.test(String((error as { code?: unknown })?.code ?? ""));

type Guard = (work: () => Promise<unknown>) => Promise<unknown>;

function ownGuard(): Guard {
  const breaker = new CircuitBreaker({ isFailure: (error) => !isDataError(error) });
  return (work) => breaker.run(work);
}

function cockatielGuard(breaker: IBreaker): Guard {
  const policy: IPolicy = wrap(
    bulkhead(64, 0),
    circuitBreaker(handleWhen((error) => !isDataError(error)), { halfOpenAfter: 5000, breaker }),
    timeout(4000, TimeoutStrategy.Aggressive),
  );
  return (work) => policy.execute(work);
}

const variants: Record<string, () => Guard> = {
  "bare call (no breaker)": () => (work) => work(),
  "own CircuitBreaker": ownGuard,
  "cockatiel + SamplingBreaker": () =>
    cockatielGuard(new SamplingBreaker({ threshold: 0.5, duration: 10_000 })),
  "cockatiel + ConsecutiveBreaker": () => cockatielGuard(new ConsecutiveBreaker(5)),
};

/** Microseconds per guarded call of an already-resolved promise, sequentially. */
async function overheadMicros(guard: Guard, calls: number): Promise<number> {
  const work = () => Promise.resolve(1);
  const started = performance.now();
  for (let i = 0; i < calls; i++) await guard(work);
  return ((performance.now() - started) * 1000) / calls;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function batch(category: string) {
  const at = new Date().toISOString();
  return [{
    session_id: crypto.randomUUID(),
    user_id: null,
    session: { device_type: "desktop" },
    events: Array.from({ length: 50 }, (_, k) => ({
      id: crypto.randomUUID(),
      type: "click",
      category,
      element_id: `el-${k}`,
      time_spent_ms: 100 + k,
      occurred_at: at,
    })),
  }];
}

const scenario: BenchScenario = {
  name: SCENARIO,
  description:
    "own circuit breaker vs cockatiel (Sampling/Consecutive): per-call overhead and ingest throughput",
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const names = Object.keys(variants);
    const rounds = ctx.quick ? 3 : 5;
    const calls = ctx.quick ? 50_000 : 200_000;
    const seconds = ctx.quick ? 2 : 4;
    const overhead: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    const stored: Record<string, { events: number; seconds: number }> = Object.fromEntries(
      names.map((n) => [n, { events: 0, seconds: 0 }]),
    );
    for (const name of names) await overheadMicros(variants[name](), calls / 10); // warm-up (JIT)
    for (let r = 0; r < rounds; r++) {
      for (const name of names) overhead[name].push(await overheadMicros(variants[name](), calls));
    }
    const category = `bench-breaker-${crypto.randomUUID().slice(0, 8)}`;
    for (let r = 0; r < rounds; r++) {
      for (const name of names) {
        const guard = variants[name]();
        const load = await concurrentLoad(async () => {
          await guard(() =>
            rpcRows(ctx.sql, "tracking.ingest_event_batches", { event_batches: batch(category) })
          );
        }, { connections: 50, durationSeconds: seconds });
        if (load.errors) throw new Error(`${name}: ${load.errors} failed ingest calls`);
        stored[name].events += load.requests * 50;
        stored[name].seconds += load.durationSeconds;
      }
    }
    const bare = median(overhead[names[0]]);
    const own = stored["own CircuitBreaker"].events / stored["own CircuitBreaker"].seconds;
    const rows: BenchRow[] = [];
    for (const name of names) {
      const micros = median(overhead[name]);
      rows.push({
        scenario: SCENARIO,
        subject: name,
        metric: `per-call overhead (median of ${rounds})`,
        value: round(micros, 3),
        unit: "µs/call",
        anchor: name === names[0] ? undefined : "bare call",
        ratio: name === names[0] ? undefined : micros / bare,
      });
    }
    for (const name of names) {
      const rate = stored[name].events / stored[name].seconds;
      rows.push({
        scenario: SCENARIO,
        subject: `${name}: ingest_event_batches, 50 loops`,
        metric: `throughput (${rounds} rounds, turns)`,
        value: round(rate),
        unit: "events/s",
        anchor: name === "own CircuitBreaker" ? undefined : "own CircuitBreaker",
        ratio: name === "own CircuitBreaker" ? undefined : rate / own,
      });
    }
    return rows;
  },
};

export default scenario;
