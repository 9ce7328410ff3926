// Request metrics as Redis hash counters, so every isolate adds to the same totals, rendered in the
// Prometheus text exposition format by the health function.
import type { Redis } from "@upstash/redis";

/** Upper bounds of the latency histogram, in seconds (Prometheus convention). */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

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

/** Adds one request: three field increments in one pipelined round trip. */
export async function recordRequest(redis: Redis, sample: RequestSample): Promise<void> {
  const labels = [sample.fn, sample.method, sample.route, String(sample.status)].join(SEP);
  const seconds = sample.durationMs / 1000;
  const bound = LATENCY_BUCKETS.find((le) => seconds <= le);
  const pipeline = redis.pipeline();
  pipeline.hincrby(COUNT_KEY, labels, 1);
  pipeline.hincrbyfloat(SUM_KEY, labels, seconds);
  pipeline.hincrby(BUCKET_KEY, `${labels}${SEP}${bound ?? "+Inf"}`, 1);
  await pipeline.exec();
}

export interface JobRunCount {
  job_name: string;
  status: string;
  runs: number;
  last_finished_epoch: number | null;
}

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

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
      `powerbase_job_runs_total{job="${escapeLabel(run.job_name)}",status="${escapeLabel(run.status)}"} ${run.runs}`,
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
