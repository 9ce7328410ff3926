// Request metrics as Redis hash counters, so every isolate adds to the same totals, rendered in the
// Prometheus text exposition format by the health function. Each isolate buffers its samples and
// flushes them about once a second.
import type { Redis } from "@upstash/redis";

/** Upper bounds of the latency histogram, in seconds (Prometheus convention). */
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const COUNT_KEY = "metrics:http:count";
const SUM_KEY = "metrics:http:seconds_sum";
const BUCKET_KEY = "metrics:http:bucket";
const SEP = "\u001f";

export interface RequestSample {
  fn: string;
  method: string;
  route: string;
  status: number;
  durationMs: number;
}

/**
 * Aggregates request samples and other counters in memory and flushes the increments to Redis in one
 * pipelined round trip at most once per interval, so the hot path never waits on Redis.
 */
export class MetricsBuffer {
  #counts = new Map<string, number>();
  #sums = new Map<string, number>();
  #buckets = new Map<string, number>();
  /** Other counters: Redis hash key and field, joined by SEP. */
  #counters = new Map<string, number>();
  #timer: ReturnType<typeof setTimeout> | undefined;
  #flushing: Promise<void> = Promise.resolve();

  constructor(
    private redis: () => Redis,
    private intervalMs = 1000,
    private onError: (error: unknown) => void = () => {},
  ) {}

  record(sample: RequestSample): void {
    const labels = [sample.fn, sample.method, sample.route, String(sample.status)].join(SEP);
    const seconds = sample.durationMs / 1000;
    const bound = LATENCY_BUCKETS.find((le) => seconds <= le);
    const bucket = `${labels}${SEP}${bound ?? "+Inf"}`;
    this.#counts.set(labels, (this.#counts.get(labels) ?? 0) + 1);
    this.#sums.set(labels, (this.#sums.get(labels) ?? 0) + seconds);
    this.#buckets.set(bucket, (this.#buckets.get(bucket) ?? 0) + 1);
    this.#scheduleFlush();
  }

  /** Adds `by` to `field` of the Redis hash `key` (HINCRBY) with the next flush. */
  increment(key: string, field: string, by = 1): void {
    const counter = `${key}${SEP}${field}`;
    this.#counters.set(counter, (this.#counters.get(counter) ?? 0) + by);
    this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#timer !== undefined) return;
    const timer = setTimeout(() => void this.flush(), this.intervalMs);
    // A pending flush must not keep a process alive that has nothing else to do.
    Deno.unrefTimer(timer);
    this.#timer = timer;
  }

  /** Sends everything gathered so far; safe to call at any time (also awaits an earlier flush). */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const counts = this.#counts, sums = this.#sums, buckets = this.#buckets, counters = this.#counters;
    this.#counts = new Map();
    this.#sums = new Map();
    this.#buckets = new Map();
    this.#counters = new Map();
    this.#flushing = this.#flushing.then(async () => {
      if (counts.size === 0 && counters.size === 0) return;
      const pipeline = this.redis().pipeline();
      for (const [field, value] of counts) pipeline.hincrby(COUNT_KEY, field, value);
      for (const [field, value] of sums) pipeline.hincrbyfloat(SUM_KEY, field, value);
      for (const [field, value] of buckets) pipeline.hincrby(BUCKET_KEY, field, value);
      for (const [counter, value] of counters) {
        const [key, field] = counter.split(SEP);
        pipeline.hincrby(key, field, value);
      }
      await pipeline.exec();
    }).catch(this.onError);
    return this.#flushing;
  }
}

export interface JobRunCount {
  job_name: string;
  status: string;
  runs: number;
  last_finished_epoch: number | null;
}

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

function labelText(values: string[]): string {
  const [fn, method, route, status] = values.map(escapeLabel);
  return `function="${fn}",method="${method}",route="${route}",status="${status}"`;
}

async function readHash(redis: Redis, key: string): Promise<Record<string, number>> {
  const raw = (await redis.hgetall<Record<string, string | number>>(key)) ?? {};
  return Object.fromEntries(Object.entries(raw).map(([field, value]) => [field, Number(value)]));
}

/** Prometheus text format: request counters, latency histograms, and job runs from ops.job_runs. */
export async function renderPrometheus(redis: Redis, jobRuns: JobRunCount[]): Promise<string> {
  const [counts, sums, buckets] = await Promise.all([
    readHash(redis, COUNT_KEY),
    readHash(redis, SUM_KEY),
    readHash(redis, BUCKET_KEY),
  ]);
  const lines: string[] = [
    "# HELP powerbase_http_requests_total Requests answered, by function, route and status.",
    "# TYPE powerbase_http_requests_total counter",
  ];
  for (const [labels, count] of Object.entries(counts).sort()) {
    lines.push(`powerbase_http_requests_total{${labelText(labels.split(SEP))}} ${count}`);
  }

  lines.push(
    "# HELP powerbase_http_request_duration_seconds Request latency, by function, route and status.",
    "# TYPE powerbase_http_request_duration_seconds histogram",
  );
  for (const [labels, count] of Object.entries(counts).sort()) {
    const labelSet = labelText(labels.split(SEP));
    let cumulative = 0;
    for (const le of LATENCY_BUCKETS) {
      cumulative += buckets[`${labels}${SEP}${le}`] ?? 0;
      lines.push(`powerbase_http_request_duration_seconds_bucket{${labelSet},le="${le}"} ${cumulative}`);
    }
    lines.push(`powerbase_http_request_duration_seconds_bucket{${labelSet},le="+Inf"} ${count}`);
    lines.push(`powerbase_http_request_duration_seconds_sum{${labelSet}} ${sums[labels] ?? 0}`);
    lines.push(`powerbase_http_request_duration_seconds_count{${labelSet}} ${count}`);
  }

  lines.push(
    "# HELP powerbase_job_runs_total pg_cron job runs recorded in ops.job_runs, by job and status.",
    "# TYPE powerbase_job_runs_total counter",
  );
  for (const run of jobRuns) {
    lines.push(
      `powerbase_job_runs_total{job="${escapeLabel(run.job_name)}",status="${
        escapeLabel(run.status)
      }"} ${run.runs}`,
    );
  }
  lines.push(
    "# HELP powerbase_job_last_finished_timestamp_seconds When each job last finished.",
    "# TYPE powerbase_job_last_finished_timestamp_seconds gauge",
  );
  for (const run of jobRuns) {
    if (run.last_finished_epoch === null) continue;
    lines.push(
      `powerbase_job_last_finished_timestamp_seconds{job="${escapeLabel(run.job_name)}",status="${
        escapeLabel(run.status)
      }"} ${run.last_finished_epoch}`,
    );
  }
  return lines.join("\n") + "\n";
}
