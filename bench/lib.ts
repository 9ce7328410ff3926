// Benchmark kit. Absolute times on a shared 2-core machine are noise, so every scenario measures an
// anchor in the same run and reports its subjects as ratios to it.
import autocannon from "autocannon";
import postgres from "postgres";
import { anonKey, serviceRoleKey, type StackConfig, stackConfig } from "../supabase/local/stack.ts";

export interface BenchContext {
  config: StackConfig;
  functionsUrl: string;
  anonKey: string;
  serviceKey: string;
  /** A superuser connection pool for setup and SQL anchors. */
  sql: postgres.Sql;
  /** Shorter runs (BENCH_QUICK=1), for smoke-testing scenarios. */
  quick: boolean;
}

export interface BenchRow {
  scenario: string;
  subject: string;
  metric: string;
  value: number;
  unit: string;
  /** The subject this row is compared with, measured in the same run. */
  anchor?: string;
  /** value / anchor value (or the inverse for latencies, stated in `metric`). */
  ratio?: number;
  target?: string;
  met?: boolean;
}

export interface BenchScenario {
  name: string;
  description: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export interface LoadResult {
  requests: number;
  errors: number;
  non2xx: number;
  rps: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  durationSeconds: number;
}

export interface HttpLoadOptions {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  /** A fixed body, or one built per request (the argument counts requests from 0). */
  body?: string | ((index: number) => string);
  /** Extra headers per request (e.g. a distinct X-Forwarded-For). */
  headersFor?: (index: number) => Record<string, string>;
  /** Paths (with query) to rotate through, one per request, against the origin of `url`. */
  paths?: string[];
  connections: number;
  /** Requests per second per connection; unset means back to back (saturation). */
  connectionRate?: number;
  durationSeconds?: number;
  amount?: number;
  /** When given, every response's latency (ms) is appended, so runs can be pooled before taking percentiles. */
  samples?: number[];
}

/** Drives an HTTP endpoint with autocannon (an established load generator) and summarizes it. */
export async function httpLoad(options: HttpLoadOptions): Promise<LoadResult> {
  let index = 0;
  const dynamic = typeof options.body === "function" || options.headersFor || options.paths;
  const instance = autocannon({
    url: options.url,
    method: options.method ?? "GET",
    headers: options.headers ?? {},
    body: typeof options.body === "string" ? options.body : undefined,
    connections: options.connections,
    connectionRate: options.connectionRate,
    duration: options.amount ? undefined : options.durationSeconds ?? 10,
    amount: options.amount,
    requests: dynamic
      ? [{
        setupRequest: (request: Record<string, unknown>) => {
          const i = index++;
          return {
            ...request,
            path: options.paths ? options.paths[i % options.paths.length] : request.path,
            body: typeof options.body === "function" ? options.body(i) : request.body,
            headers: { ...(request.headers as Record<string, string>), ...options.headersFor?.(i) },
          };
        },
      }]
      : undefined,
  });
  if (options.samples) {
    const samples = options.samples;
    instance.on(
      "response",
      (_client: unknown, _status: number, _bytes: number, ms: number) => samples.push(ms),
    );
  }
  const result = await instance;
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    durationSeconds: result.duration,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Runs `work` from `connections` concurrent loops for a duration; an in-process load for anchors. */
export async function concurrentLoad(
  work: (index: number) => Promise<void>,
  options: {
    connections: number;
    durationSeconds?: number;
    iterations?: number;
    /** When given, every call's latency (ms) is appended too, so rounds can be pooled. */
    samples?: number[];
  },
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let next = 0;
  const started = performance.now();
  const deadline = started + (options.durationSeconds ?? 10) * 1000;
  const more = () =>
    options.iterations !== undefined ? next < options.iterations : performance.now() < deadline;
  await Promise.all(Array.from({ length: options.connections }, async () => {
    while (more()) {
      const i = next++;
      const t0 = performance.now();
      try {
        await work(i);
        latencies.push(performance.now() - t0);
      } catch {
        errors++;
      }
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  options.samples?.push(...latencies);
  return {
    requests: latencies.length,
    errors,
    non2xx: 0,
    rps: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p90Ms: percentile(latencies, 90),
    p99Ms: percentile(latencies, 99),
    durationSeconds: seconds,
  };
}

/** Rounds of one load pooled: throughput over their summed time, percentiles over all their samples. */
export function pooled(rounds: LoadResult[], samples: number[]): LoadResult {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.durationSeconds, 0);
  return {
    requests,
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    non2xx: rounds.reduce((sum, r) => sum + r.non2xx, 0),
    rps: seconds ? requests / seconds : 0,
    p50Ms: percentile(samples, 50),
    p90Ms: percentile(samples, 90),
    p99Ms: percentile(samples, 99),
    durationSeconds: seconds,
  };
}

/** Times `work` once per iteration, sequentially; returns the latencies in ms. */
export async function timeAsync(
  work: (index: number) => Promise<unknown>,
  iterations: number,
): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await work(i);
    latencies.push(performance.now() - t0);
  }
  return latencies;
}

/** A distinct client address per index, as that many real browsers would have (rate limits are per IP). */
export const clientAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${(i & 255) + 1}`;

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function createContext(): Promise<BenchContext> {
  const config = stackConfig();
  return {
    config,
    functionsUrl: `${config.apiUrl}/functions/v1`,
    anonKey: await anonKey(),
    serviceKey: await serviceRoleKey(),
    sql: postgres(config.dbUrl, { max: 20, prepare: false, onnotice: () => {} }),
    quick: Deno.env.get("BENCH_QUICK") === "1",
  };
}
