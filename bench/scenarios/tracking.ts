// Tracking: (1) HTTP ingest in events/s (batches of 50, 50 concurrent clients) side by side with a raw
// `unnest` insert of the same events straight into PostgreSQL (the physical limit here) and with one
// INSERT per event (the naive design). Target: >= 0.5x the raw limit (the naive anchor is information).
// (2) The analytics endpoints on 5,000,000 generated events against the same question asked of the
// raw tables. Target: overview, funnel and performance under 100 ms p95.
import { BENCH_METRIC, ensureBenchTracking } from "../tracking/generate.ts";
import {
  type BenchContext,
  type BenchRow,
  type BenchScenario,
  clientAddress,
  concurrentLoad,
  httpLoad,
  percentile,
  round,
  timeAsync,
} from "../lib.ts";
import { mintUserToken } from "../../supabase/local/tokens.ts";

const SCENARIO = "tracking";
const CONNECTIONS = 50;
const BATCH = 50;
const TYPES = ["page_view", "click", "hover", "scroll", "selection"];

function batchEvents(category: string, count = BATCH) {
  const at = new Date().toISOString();
  return Array.from({ length: count }, (_, k) => ({
    id: crypto.randomUUID(),
    type: TYPES[k % TYPES.length],
    category,
    elementId: `el-${k}`,
    value: TYPES[k % TYPES.length] === "selection" ? `option-${k % 7}` : undefined,
    timeSpentMs: 100 + k,
    occurredAt: at,
  }));
}

async function storedSince(ctx: BenchContext, category: string): Promise<number> {
  const [row] = await ctx.sql`
    select count(*)::int as n from tracking.events
    where category = ${category} and occurred_at > now() - interval '1 hour'`;
  return row.n;
}

/** pgbench's habit: vacuum the table under test before each phase, so no phase inherits another's debt. */
async function vacuumToday(ctx: BenchContext): Promise<void> {
  const [{ statement }] = await ctx.sql`
    select format('vacuum (analyze) tracking_partitions.%I', tracking.event_partition_name(current_date)) as statement`;
  await ctx.sql.unsafe(statement);
}

interface PhaseTotal {
  stored: number;
  seconds: number;
  requests: number;
  failures: number;
  p99Ms: number;
}

async function ingestRows(ctx: BenchContext, seconds: number, rounds: number): Promise<BenchRow[]> {
  const runId = crypto.randomUUID().slice(0, 8);
  const categories = {
    raw: `bench-raw-${runId}`,
    naive: `bench-naive-${runId}`,
    http: `bench-http-${runId}`,
  };

  const raw = () =>
    concurrentLoad(async () => {
      const events = batchEvents(categories.raw);
      await ctx.sql`
        insert into tracking.events (id, session_id, type, category, element_id, value, time_spent_ms, occurred_at)
        select * from unnest(${events.map((e) => e.id)}::uuid[], ${
        Array(BATCH).fill(crypto.randomUUID())
      }::uuid[],
                             ${events.map((e) => e.type)}::text[], ${events.map((e) => e.category)}::text[],
                             ${events.map((e) => e.elementId)}::text[], ${
        events.map((e) => e.value ?? null)
      }::text[],
                             ${events.map((e) => e.timeSpentMs)}::int[], ${
        events.map((e) => e.occurredAt)
      }::timestamptz[])`;
    }, { connections: CONNECTIONS, durationSeconds: seconds });

  const naive = () =>
    concurrentLoad(async () => {
      const [e] = batchEvents(categories.naive, 1);
      await ctx.sql`
        insert into tracking.events (id, session_id, type, category, element_id, time_spent_ms, occurred_at)
        values (${e.id}, ${crypto.randomUUID()}, ${e.type}, ${e.category}, ${e.elementId}, ${e.timeSpentMs},
                ${e.occurredAt})`;
    }, { connections: CONNECTIONS, durationSeconds: seconds });

  let nextIp = 0;
  const ingestLoad = (category: string, durationSeconds: number) => {
    const firstIp = nextIp;
    nextIp += 100_000;
    return httpLoad({
      url: `${ctx.functionsUrl}/track/events`,
      method: "POST",
      headers: { "content-type": "application/json", apikey: ctx.anonKey },
      body: () =>
        JSON.stringify({
          sessionId: crypto.randomUUID(),
          session: { device: "desktop" },
          events: batchEvents(category),
        }),
      // A client address per request, as 50 real browsers would have (the global class is per IP).
      headersFor: (i) => ({ "x-forwarded-for": clientAddress(firstIp + i) }),
      connections: CONNECTIONS,
      durationSeconds,
    });
  };

  // The anchors run on warm database connections; give the gateways' JIT and pools the same start.
  await ingestLoad(`bench-warmup-${runId}`, 2);

  // The phases take turns, round after round, so that background work (the per-minute rollup job,
  // autovacuum, checkpoints) and machine noise fall on all three alike rather than on one.
  const totals = {
    raw: { stored: 0, seconds: 0, requests: 0, failures: 0, p99Ms: 0 },
    naive: { stored: 0, seconds: 0, requests: 0, failures: 0, p99Ms: 0 },
    http: { stored: 0, seconds: 0, requests: 0, failures: 0, p99Ms: 0 },
  } satisfies Record<string, PhaseTotal>;
  const phases = {
    raw,
    naive,
    // Counted in the database: only events actually stored count (shed or failed batches do not).
    http: () => ingestLoad(categories.http, seconds),
  };
  for (let r = 0; r < rounds; r++) {
    for (const name of ["raw", "naive", "http"] as const) {
      await vacuumToday(ctx);
      const before = await storedSince(ctx, categories[name]);
      const load = await phases[name]();
      const total = totals[name];
      total.stored += (await storedSince(ctx, categories[name])) - before;
      total.seconds += load.durationSeconds;
      total.requests += load.requests;
      total.failures += load.non2xx + load.errors;
      total.p99Ms = Math.max(total.p99Ms, load.p99Ms);
    }
  }
  const rate = (name: keyof typeof totals) => totals[name].stored / totals[name].seconds;
  const rawRate = rate("raw");
  const naiveRate = rate("naive");
  const httpRate = rate("http");
  const http = totals.http;

  const subject = `POST /track/events (${BATCH}/batch, ${CONNECTIONS} clients)`;
  return [
    {
      scenario: SCENARIO,
      subject: "raw unnest insert (physical limit)",
      metric: "throughput",
      value: round(rawRate),
      unit: "events/s",
    },
    {
      scenario: SCENARIO,
      subject: "one INSERT per event (naive)",
      metric: "throughput",
      value: round(naiveRate),
      unit: "events/s",
    },
    {
      scenario: SCENARIO,
      subject,
      metric: "throughput vs raw",
      value: round(httpRate),
      unit: "events/s",
      anchor: "raw unnest insert",
      ratio: httpRate / rawRate,
      target: ">= 0.5x",
      met: httpRate / rawRate >= 0.5,
    },
    {
      scenario: SCENARIO,
      subject,
      metric: "throughput vs naive",
      value: round(httpRate),
      unit: "events/s",
      anchor: "one INSERT per event",
      // Information only: the one-INSERT anchor shows what group commit buys, the target is vs raw.
      ratio: httpRate / naiveRate,
    },
    {
      scenario: SCENARIO,
      subject,
      metric: "p99 latency (worst round)",
      value: round(http.p99Ms),
      unit: "ms",
    },
    {
      scenario: SCENARIO,
      subject,
      metric: "non-2xx + errors",
      value: http.failures,
      unit: `of ${http.requests}`,
      target: "0",
      met: http.failures === 0,
    },
  ];
}

/** The same questions asked of the raw tables (what the endpoints would cost without rollups). */
const RAW_QUERIES: Record<string, string> = {
  overview: `
    with s as (
      select device_type, count(*) as sessions, count(*) filter (where completion_level >= 2) as conversions,
             sum(extract(epoch from coalesce(last_event_at, started_at) - started_at)) as duration
      from tracking.sessions where started_at >= $1 and started_at < $2 group by 1
    ), e as (
      select type, count(*) as events from tracking.events where occurred_at >= $1 and occurred_at < $2 group by 1
    )
    select (select sum(sessions) from s), (select sum(conversions) from s), (select sum(duration) from s),
           (select jsonb_object_agg(type, events) from e), (select jsonb_object_agg(device_type, sessions) from s)`,
  funnel: `
    with reached as (
      select e.session_id, bool_or(e.type = 'page_view') as viewed, bool_or(e.type = 'selection') as selected
      from tracking.events e where e.occurred_at >= $1 and e.occurred_at < $2 group by e.session_id
    ), snap as (
      select session_id, true as saved, bool_or(completion_percentage >= 100) as completed,
             bool_or(trigger = 'order_attempt') as ordered
      from tracking.snapshots where occurred_at >= $1 and occurred_at < $2 group by session_id
    )
    select count(*) filter (where viewed), count(*) filter (where viewed and selected),
           count(*) filter (where viewed and selected and saved),
           count(*) filter (where viewed and selected and saved and completed),
           count(*) filter (where viewed and selected and saved and completed and ordered)
    from reached r left join snap s using (session_id)`,
  performance: `
    select date_trunc('day', occurred_at, 'UTC'), count(*),
           percentile_cont(array[0.5, 0.95, 0.99]) within group (order by value)
    from tracking.performance_metrics where name = '${BENCH_METRIC}' and occurred_at >= $1 and occurred_at < $2
    group by 1 order by 1`,
};

async function analyticsRows(ctx: BenchContext, iterations: number): Promise<BenchRow[]> {
  await ensureBenchTracking(ctx.sql, (msg) => console.error(msg));
  const token = await mintUserToken(ctx.sql, "00000000-0000-4000-8000-00000000a501", {}, ctx.config);
  const to = new Date();
  const from = new Date(to.getTime() - 30 * 24 * 3600 * 1000);
  const paths: Record<string, string> = {
    overview: "analytics/overview?range=30d",
    funnel: "analytics/funnel?range=30d",
    performance: `analytics/performance?metric=${BENCH_METRIC}&range=30d`,
  };
  const rows: BenchRow[] = [];
  for (const [name, path] of Object.entries(paths)) {
    const call = async (i: number) => {
      const response = await fetch(`${ctx.functionsUrl}/${path}`, {
        headers: { authorization: `Bearer ${token}`, "x-forwarded-for": clientAddress(100_000 + i) },
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    };
    await call(0);
    const endpoint = await timeAsync(call, iterations);
    await ctx.sql.unsafe(RAW_QUERIES[name], [from, to]);
    const raw = await timeAsync(() => ctx.sql.unsafe(RAW_QUERIES[name], [from, to]), ctx.quick ? 2 : 5);
    const p95 = percentile(endpoint, 95);
    const rawP95 = percentile(raw, 95);
    rows.push({
      scenario: SCENARIO,
      subject: `GET /analytics/${name} (30d, 5M events)`,
      metric: "p95 latency",
      value: round(p95),
      unit: "ms",
      anchor: "the same query over the raw tables",
      ratio: rawP95 / p95,
      target: "< 100 ms",
      met: p95 < 100,
    }, {
      scenario: SCENARIO,
      subject: `raw ${name} query (30d, 5M events)`,
      metric: "p95 latency",
      value: round(rawP95),
      unit: "ms",
    });
  }
  return rows;
}

const scenario: BenchScenario = {
  name: SCENARIO,
  description:
    "HTTP ingest vs raw unnest insert and one INSERT per event; analytics on 5M events vs raw queries",
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    return [
      ...await ingestRows(ctx, ctx.quick ? 4 : 8, ctx.quick ? 1 : 2),
      ...await analyticsRows(ctx, ctx.quick ? 10 : 40),
    ];
  },
};

export default scenario;
