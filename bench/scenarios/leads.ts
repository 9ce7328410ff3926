// Leads: (1) capture through HTTP (gateway, kernel, validation, rate limits, dedupe, scoring, routing,
// history, outbox) at 50 concurrent clients against a bare INSERT of the same row in the same run;
// (2) the dashboard RPCs on 100,000 generated leads, under an analyst's RLS, against a bare
// count(*) over the same range. Targets: the capture RPC keeps >= 0.3x the bare INSERT's
// throughput, and every dashboard RPC answers in under 50 ms.
import { BENCH_FROM, BENCH_TO, ensureBenchLeads } from "../leads/generate.ts";
import {
  type BenchContext,
  type BenchRow,
  type BenchScenario,
  clientAddress,
  concurrentLoad,
  httpLoad,
  type LoadResult,
  percentile,
  pooled,
  round,
  timeAsync,
} from "../lib.ts";

const SCENARIO = "leads";
const CONNECTIONS = 50;
const RPC_SUBJECT = "leads.capture RPC (database only, 50 callers)";

const runId = crypto.randomUUID().slice(0, 8);

// Phone numbers: capture merges a submission whose e-mail or phone it saw within 24 hours into that
// lead, so each phase (and each run, from a random start) takes its own block of the 8,000,000 numbers
// +1832 200-0000 to 999-9999. Otherwise every RPC capture merged into the anchor row of the same index
// (and HTTP into the RPC's), and a rerun within a day measured merges instead of new leads.
const PHONE_BLOCKS: Record<string, number> = { anchor: 0, rpc: 1_500_000, http: 3_000_000, probe: 4_500_000 };
const phoneSeed = Math.floor(Math.random() * 8_000_000);

function leadBody(i: number, prefix: string) {
  const number = (phoneSeed + (PHONE_BLOCKS[prefix] ?? 6_000_000) + i) % 8_000_000;
  const line = String(number % 10000).padStart(4, "0");
  const exchange = 200 + Math.floor(number / 10000);
  return {
    kind: "business",
    firstName: "Bench",
    lastName: `Lead ${i}`,
    email: `${prefix}-${runId}-${i}@bench-capture.local`,
    phone: `+1832${exchange}${line}`,
    companyName: `Bench Plant ${i}`,
    industry: "manufacturing",
    companySize: 250,
    formType: "quote",
    latitude: 29 + (i % 400) / 100,
    longitude: -98 + (i % 300) / 100,
  };
}

async function captureRows(ctx: BenchContext, seconds: number): Promise<BenchRow[]> {
  // The anchor: the same row a capture stores, written by one plain INSERT per request over 50 pooled
  // connections. "The same row" includes what capture adds to the input (source, office, owner, score,
  // status, reasons, routing), taken from one capture made first: its foreign keys (source, office,
  // owner) cost the anchor the same key-share locks on the same parent rows that captures take.
  const [probe] = await ctx.sql`select leads.capture(${ctx.sql.json(leadBody(0, "probe"))}) ->> 'id' as id`;
  const [stored] = await ctx.sql`
    select source_id, office_id, owner_id, score, trust_score, status, score_reasons, routing
    from leads.leads where id = ${probe.id}::uuid`;
  const anchorOnce = async (i: number) => {
    const b = leadBody(i, "anchor");
    await ctx.sql`
      insert into leads.leads (kind, first_name, last_name, email, phone, company_name, industry, company_size,
                               form_type, latitude, longitude, source_id, office_id, owner_id, score, trust_score,
                               status, score_reasons, routing)
      values (${b.kind}, ${b.firstName}, ${b.lastName}, ${b.email}, ${b.phone}, ${b.companyName}, ${b.industry},
              ${b.companySize}, ${b.formType}, ${b.latitude}, ${b.longitude}, ${stored.source_id}, ${stored.office_id},
              ${stored.owner_id}, ${stored.score}, ${stored.trust_score}, ${stored.status},
              ${ctx.sql.json(stored.score_reasons)}, ${ctx.sql.json(stored.routing)})`;
  };

  // The database half of a capture alone (dedupe, insert, score, recommend, route, history, rollup):
  // separates what the HTTP stack costs from what the lead pipeline costs.
  const rpcOnce = async (i: number) => {
    await ctx.sql`select leads.capture(${ctx.sql.json(leadBody(i, "rpc"))})`;
  };
  // Anchor and RPC take turns over ROUNDS rounds (as the tracking scenario's phases do), so that a
  // background job, autovacuum or a checkpoint falls on both alike rather than on one; each is
  // reported pooled over its rounds. Indices keep counting across rounds, so no row repeats.
  const ROUNDS = 3;
  const anchorRounds: LoadResult[] = [];
  const rpcRounds: LoadResult[] = [];
  const anchorSamples: number[] = [];
  const rpcSamples: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const offset = r * 300_000;
    const phase = { connections: CONNECTIONS, durationSeconds: seconds / ROUNDS };
    anchorRounds.push(
      await concurrentLoad((i) => anchorOnce(offset + i), { ...phase, samples: anchorSamples }),
    );
    rpcRounds.push(await concurrentLoad((i) => rpcOnce(offset + i), { ...phase, samples: rpcSamples }));
  }
  const anchor = pooled(anchorRounds, anchorSamples);
  const rpc = pooled(rpcRounds, rpcSamples);

  const http = await httpLoad({
    url: `${ctx.functionsUrl}/leads`,
    method: "POST",
    headers: { "content-type": "application/json" },
    body: (i) => JSON.stringify(leadBody(i, "http")),
    // One client address per request: the leads class allows 5 per 5 minutes per IP.
    headersFor: (i) => ({ "x-forwarded-for": clientAddress(i) }),
    connections: CONNECTIONS,
    durationSeconds: seconds,
  });

  const row = (metric: string, value: number, unit: string, anchorValue: number): BenchRow => ({
    scenario: SCENARIO,
    subject: "POST /functions/v1/leads (capture)",
    metric,
    value: round(value),
    unit,
    anchor: "bare INSERT of the same row",
    ratio: anchorValue ? value / anchorValue : undefined,
  });
  return [
    row("throughput", http.rps, "req/s", anchor.rps),
    row("p50 latency", http.p50Ms, "ms", anchor.p50Ms),
    row("p99 latency", http.p99Ms, "ms", anchor.p99Ms),
    {
      scenario: SCENARIO,
      subject: "POST /functions/v1/leads (capture)",
      metric: "non-2xx + errors",
      value: http.non2xx + http.errors,
      unit: `of ${http.requests}`,
      target: "0",
      met: http.non2xx + http.errors === 0,
    },
    // Target (issue 14.10): the capture RPC does dedupe, scoring, routing, history and rollup in
    // one pass, so it keeps at least 0.3x the throughput of the bare INSERT it ends in.
    {
      ...row("throughput", rpc.rps, "req/s", anchor.rps),
      subject: RPC_SUBJECT,
      target: ">= 0.3x",
      met: anchor.rps > 0 && rpc.rps / anchor.rps >= 0.3,
    },
    { ...row("p50 latency", rpc.p50Ms, "ms", anchor.p50Ms), subject: RPC_SUBJECT },
    { ...row("p99 latency", rpc.p99Ms, "ms", anchor.p99Ms), subject: RPC_SUBJECT },
    {
      scenario: SCENARIO,
      subject: RPC_SUBJECT,
      metric: "errors",
      value: rpc.errors,
      unit: "calls",
      target: "0",
      met: rpc.errors === 0,
    },
    {
      scenario: SCENARIO,
      subject: "bare INSERT of the same row",
      metric: "throughput",
      value: round(anchor.rps),
      unit: "rows/s",
    },
    {
      scenario: SCENARIO,
      subject: "bare INSERT of the same row",
      metric: "p50 latency",
      value: round(anchor.p50Ms),
      unit: "ms",
    },
    {
      scenario: SCENARIO,
      subject: "bare INSERT of the same row",
      metric: "p99 latency",
      value: round(anchor.p99Ms),
      unit: "ms",
    },
  ];
}

const DASHBOARDS = [
  "dashboard_summary($1, $2)",
  "dashboard_distribution($1, $2)",
  "dashboard_quality_matrix($1, $2)",
  "dashboard_funnel($1, $2)",
  "dashboard_top_opportunities($1, $2, 10)",
];

/** Runs one statement as the seeded analyst, exactly as PostgREST would (role + claims, one tx). */
async function asAnalyst(ctx: BenchContext, statement: string) {
  await ctx.sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true),
                    set_config('request.jwt.claims', ${
      JSON.stringify({
        role: "authenticated",
        sub: "00000000-0000-4000-8000-00000000a501",
        user_role: "analyst",
      })
    }, true)`;
    await tx.unsafe(statement, [BENCH_FROM, BENCH_TO]);
  });
}

async function dashboardRows(ctx: BenchContext, iterations: number): Promise<BenchRow[]> {
  const generated = await ensureBenchLeads(ctx.sql, 100_000);
  if (generated) console.error(`generated ${generated} leads for the dashboard benchmark`);
  const anchorStatement = "select count(*) from leads.leads where created_at >= $1 and created_at < $2";
  await asAnalyst(ctx, anchorStatement);
  const anchor = await timeAsync(() => asAnalyst(ctx, anchorStatement), iterations);
  const anchorP50 = percentile(anchor, 50);
  const rows: BenchRow[] = [{
    scenario: SCENARIO,
    subject: "count(*) of the range (analyst, RLS)",
    metric: "p50 latency",
    value: round(anchorP50),
    unit: "ms",
  }];
  for (const call of DASHBOARDS) {
    const statement = `select leads.${call}`;
    await asAnalyst(ctx, statement);
    const latencies = await timeAsync(() => asAnalyst(ctx, statement), iterations);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const subject = `leads.${call.split("(")[0]} on 100k leads`;
    rows.push(
      {
        scenario: SCENARIO,
        subject,
        metric: "p50 latency",
        value: round(p50),
        unit: "ms",
        anchor: "count(*) of the range",
        ratio: p50 / anchorP50,
        target: "< 50 ms",
        met: p50 < 50,
      },
      {
        scenario: SCENARIO,
        subject,
        metric: "p99 latency",
        value: round(p99),
        unit: "ms",
        target: "< 50 ms",
        met: p99 < 50,
      },
    );
  }
  return rows;
}

const scenario: BenchScenario = {
  name: SCENARIO,
  description:
    "lead capture over HTTP at 50 clients vs a bare INSERT; dashboard RPCs on 100k leads vs count(*)",
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    return [
      ...await captureRows(ctx, ctx.quick ? 3 : 10),
      ...await dashboardRows(ctx, ctx.quick ? 10 : 40),
    ];
  },
};

export default scenario;
