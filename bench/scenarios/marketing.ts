// Marketing: (1) a campaign to 100,000 subscribers — queued by marketing.run_campaigns and handed, row by
// row, to a Resend stand-in by the send job (claim with suppression, liquid rendering, signed links,
// HTTP POST /emails with Idempotency-Key, settle) — in messages per second against a bare INSERT of the
// same 100,000 outbox rows in the same run; (2) segment refresh on 100,000 customers and 1,000,000 orders:
// an incremental run (1,000 new orders through marketing.record_orders, which recomputes those customers
// and refreshes membership incrementally) against a full recompute of every analytics row and segment.
// The minute tick is paused during both, so the stack's own send job does not take the bench's rows.
import { functionEnv, stackConfig } from "../../supabase/local/stack.ts";
import { BENCH_LIST, ensureBenchCustomers, ensureBenchSubscribers } from "../marketing/generate.ts";
import { type BenchContext, type BenchRow, type BenchScenario, percentile, round } from "../lib.ts";

const SCENARIO = "marketing";

for (const [name, value] of Object.entries(await functionEnv(stackConfig()))) Deno.env.set(name, value);
const { runSendJob } = await import("../../shared/marketing/sender.ts");
const { parseSettings } = await import("../../shared/marketing/settings.ts");
const { createResendStandin } = await import("../../supabase/local/standins/resend.ts");

async function campaignRows(ctx: BenchContext, subscribers: number): Promise<BenchRow[]> {
  const created = await ensureBenchSubscribers(ctx.sql, subscribers);
  if (created) console.error(`generated ${created} bench subscribers`);
  const standin = createResendStandin({ apiKey: Deno.env.get("RESEND_API_KEY")!, keep: 100 });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (r) => standin.handle(r));
  const config = parseSettings({
    ...Deno.env.toObject(),
    RESEND_API_BASE: `http://127.0.0.1:${server.addr.port}`,
    MARKETING_SEND_RATE: "10000",
    MARKETING_SEND_BATCH: "1000",
  });
  try {
    await ctx.sql`
      insert into marketing.templates (slug, name, subject, body_html, body_text)
      values ('bench-campaign', 'Bench', 'Hello {{ subscriber.name }}',
              '<p>Hi {{ subscriber.name }}, <a href="https://example.com/offer">our offer</a></p>', 'Hi')
      on conflict (slug) do nothing`;
    // Anchor: the same rows by one bare INSERT ... SELECT into a copy of the outbox (its indexes included).
    const anchor = await ctx.sql.begin(async (tx) => {
      await tx`create temporary table bench_outbox (like marketing.messages including all) on commit drop`;
      const t0 = performance.now();
      await tx`
        insert into bench_outbox (subscriber_id, template_id, list_id, kind, campaign_id)
        select x.subscriber_id, t.id, x.list_id, 'marketing', ${crypto.randomUUID()}::uuid
        from marketing.subscriptions x join marketing.lists l on l.id = x.list_id, marketing.templates t
        where l.slug = ${BENCH_LIST} and t.slug = 'bench-campaign' and x.status = 'confirmed'`;
      return performance.now() - t0;
    });
    const anchorRate = subscribers / (anchor / 1000);

    const [campaign] = await ctx.sql`
      insert into marketing.campaigns (name, template_id, list_id, status, send_at)
      select 'Bench ' || now(), t.id, l.id, 'draft', null from marketing.templates t, marketing.lists l
      where t.slug = 'bench-campaign' and l.slug = ${BENCH_LIST} returning id`;
    await ctx
      .sql`update marketing.campaigns set status = 'scheduled', send_at = now() where id = ${campaign.id}`;
    const t0 = performance.now();
    await ctx.sql`select marketing.run_campaigns()`;
    const queuedMs = performance.now() - t0;
    let sent = 0;
    while (sent < subscribers) {
      const report = await runSendJob({ config, concurrency: 64, deadlineMs: 55_000 });
      sent += report.sent;
      if (report.claimed === 0) break;
    }
    const totalMs = performance.now() - t0;
    const [{ delivered }] = await ctx.sql`
      select count(*)::int as delivered from marketing.messages where campaign_id = ${campaign.id} and status = 'sent'`;
    const rate = delivered / (totalMs / 1000);
    return [
      {
        scenario: SCENARIO,
        subject: `campaign to ${subscribers} subscribers, queued and handed to the Resend stand-in`,
        metric: "messages per second",
        value: round(rate),
        unit: "msg/s",
        anchor: "bare INSERT of the same outbox rows",
        ratio: rate / anchorRate,
        target: `all ${subscribers} accepted by the provider exactly once`,
        met: delivered === subscribers && standin.accepted() === subscribers,
      },
      {
        scenario: SCENARIO,
        subject: "campaign queueing (run_campaigns)",
        metric: "time",
        value: round(queuedMs),
        unit: "ms",
        anchor: "bare INSERT of the same outbox rows",
        ratio: queuedMs / anchor,
      },
      {
        scenario: SCENARIO,
        subject: "bare INSERT of the same outbox rows",
        metric: "rows per second",
        value: round(anchorRate),
        unit: "rows/s",
      },
    ];
  } finally {
    await server.shutdown();
  }
}

async function segmentRows(ctx: BenchContext, customers: number, orders: number): Promise<BenchRow[]> {
  const created = await ensureBenchCustomers(ctx.sql, customers, orders);
  if (created) console.error(`generated ${created} bench customers`);
  const time = async (work: () => Promise<unknown>) => {
    const t0 = performance.now();
    await work();
    return performance.now() - t0;
  };
  // Untimed: one full run, then vacuum and statistics for the tables under test, as autovacuum leaves
  // them on a deployed database (pgbench's habit too, as in the tracking scenario). On a freshly
  // generated database the planner would otherwise plan the incremental run blind (it took a hash
  // over every member of a segment for a thousand changed customers), and the first reads of a million
  // fresh order rows would pay for setting their hint bits.
  await ctx.sql`select marketing.recompute_customer_analytics(null)`;
  await ctx.sql`select marketing.refresh_segments(true)`;
  await ctx
    .sql`vacuum (analyze) marketing.customer_orders, marketing.customer_analytics, marketing.segment_members`;
  // Five turns of each, taking turns (full, incremental, full, ...), and the median of each: a single
  // timing of a 50 ms step moves by a third with a checkpoint or autovacuum falling on it. Each
  // incremental turn delivers 1,000 new orders as the order feed does, from inside the database: the
  // payload is built first (untimed) in a temporary table on the same connection, so the time is the
  // contract's, not that of finding a thousand customers or of shipping the JSON from this process.
  const fullTimes: number[] = [];
  const incrementalTimes: number[] = [];
  const session = await ctx.sql.reserve();
  try {
    for (let turn = 0; turn < 5; turn++) {
      // Full: every analytics row and every segment from scratch.
      fullTimes.push(
        await time(async () => {
          await session`select marketing.recompute_customer_analytics(null)`;
          await session`select marketing.refresh_segments(true)`;
        }),
      );
      const batch = `${Date.now()}-${turn}`;
      await session`
        create temporary table if not exists bench_order_payload (payload jsonb)`;
      await session`truncate bench_order_payload`;
      await session`
        insert into bench_order_payload
        select jsonb_agg(jsonb_build_object('orderId', 'bench-inc-' || ${batch}::text || '-' || n,
          'userId', u.id, 'total', 75, 'placedAt', now()))
        from (select id, row_number() over () as n from auth.users where email like '%@bench-customers.local' limit 1000) u`;
      incrementalTimes.push(
        await time(() => session`select marketing.record_orders((select payload from bench_order_payload))`),
      );
    }
    await session`drop table if exists bench_order_payload`;
  } finally {
    session.release();
  }
  const fullMs = percentile(fullTimes, 50);
  const incrementalMs = percentile(incrementalTimes, 50);
  return [
    {
      scenario: SCENARIO,
      subject: `segment refresh, ${customers} customers / ${orders} orders: 1,000 new orders (incremental)`,
      metric: "time (median of 5 turns)",
      value: round(incrementalMs),
      unit: "ms",
      anchor: "full recompute of analytics and every segment",
      ratio: incrementalMs / fullMs,
      target: "incremental < 0.1x full",
      met: incrementalMs < fullMs / 10,
    },
    {
      scenario: SCENARIO,
      subject: "full recompute of analytics and every segment",
      metric: "time (median of 5 turns)",
      value: round(fullMs),
      unit: "ms",
    },
  ];
}

const scenario: BenchScenario = {
  name: SCENARIO,
  description:
    "campaign send to the Resend stand-in vs bare insert; incremental segment refresh vs full recompute",
  async run(ctx) {
    const subscribers = ctx.quick ? 5_000 : 100_000;
    const [customers, orders] = ctx.quick ? [10_000, 100_000] : [100_000, 1_000_000];
    // The minute tick rests for the whole scenario: its send job would take the campaign's rows, and its
    // automation and send work would fall on some of the segment timings and not on others.
    // Unscheduled, not altered: the migration role owns the job but may not call cron.alter_job.
    await ctx.sql`select cron.unschedule(jobid) from cron.job where jobname = 'marketing-tick'`;
    try {
      return [...await campaignRows(ctx, subscribers), ...await segmentRows(ctx, customers, orders)];
    } finally {
      // As the campaigns migration schedules it.
      await ctx.sql`
        select cron.schedule('marketing-tick', '* * * * *',
          $$select private.run_job('marketing-tick', 'select private.marketing_tick()')$$)`;
    }
  },
};

export default scenario;
