// Vending: (1) a batch of 10,000 vends worked by the queue worker against the BuyPower sandbox
// answering every call in 50 ms, with at most 5 calls in flight: the physical limit is 5 / 50 ms =
// 100 vends/s, the anchor; the target is at least 0.8x of it. (2) Peak memory while streaming a
// 100,000-row CSV into a batch, against the size of the file (the upload must never be held whole).
import { functionEnv } from "../../supabase/local/stack.ts";
import { BuyPowerSandbox } from "../../supabase/local/standins/buypower.ts";
import { type BenchScenario, round } from "../lib.ts";

const API_KEY = "bench-buypower-key";
const LATENCY_MS = 50;
const IN_FLIGHT = 5;

const scenario: BenchScenario = {
  name: "vending",
  description: "10,000 vends at 50 ms per vendor call and 5 in flight (limit 100/s); CSV streaming memory",
  async run(ctx) {
    // The worker and the batch upload run in this process, with the functions' environment.
    for (const [name, value] of Object.entries(await functionEnv(ctx.config))) Deno.env.set(name, value);
    const { db } = await import("../../shared/db.ts");
    const { BuyPowerClient } = await import("../../shared/vending/buypower.ts");
    const { createVendorBreaker } = await import("../../shared/vending/breaker.ts");
    const { processQueue } = await import("../../shared/vending/worker.ts");

    const vends = ctx.quick ? 1000 : 10_000;
    const csvRows = ctx.quick ? 20_000 : 100_000;
    const sandbox = new BuyPowerSandbox({ apiKey: API_KEY, latencyMs: LATENCY_MS });
    const server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (r) => sandbox.handle(r),
    );
    const customer = crypto.randomUUID();
    const lane = `bench-${customer.slice(0, 8)}`;
    try {
      await ctx.sql`
        insert into auth.users (id, aud, role, email) values (${customer}, 'authenticated', 'authenticated',
          ${`bench-${customer.slice(0, 8)}@bench.local`})`;
      await ctx
        .sql`insert into vending.accounts (customer_id, balance_kobo) values (${customer}, ${2_000_000_000})`;
      const ids = (await ctx.sql`
        insert into vending.vends (order_id, customer_id, disco_code, meter_number, vend_type, amount_kobo, phone, funding)
        select 'BENCH' || ${customer.slice(0, 8)} || lpad(n::text, 6, '0'), ${customer}, 'IKEJA',
               '6' || lpad(n::text, 9, '0') || '3', 'PREPAID', 100000, '+2348031234567', 'account'
        from generate_series(1, ${vends}) n returning id`).map((r) => r.id as string);
      await ctx.sql`select private.vending_debit_accounts(${ids}::uuid[])`;
      await ctx
        .sql`insert into vending.vend_queue (vend_id, action, lane) select unnest(${ids}::uuid[]), 'submit', ${lane}`;
      await ctx.sql`vacuum analyze vending.vend_queue`;

      const deps = {
        sql: db(),
        client: new BuyPowerClient({
          baseUrl: `http://127.0.0.1:${server.addr.port}/v2`,
          apiKey: API_KEY,
          timeoutMs: 10_000,
        }),
        breaker: createVendorBreaker({
          consecutiveFailures: 5,
          openMs: 5000,
          timeoutMs: 11_000,
          maxInFlight: 50,
        }),
        maxRequeries: 20,
      };
      const started = performance.now();
      let processed = 0;
      while (processed < vends) {
        // The production defaults (claim size, settle grouping) but the bench's lane and budget.
        const report = await processQueue(deps, { lane, concurrency: IN_FLIGHT, budgetMs: 600_000 });
        if (report.processed === 0) break;
        processed += report.processed;
      }
      const seconds = (performance.now() - started) / 1000;
      // The anchor, in the same run: the same client calling the same sandbox with 5 calls in flight
      // and no database at all: what this machine allows right now (100/s on an idle one).
      const anchorCalls = Math.min(vends, 2000);
      let issued = 0;
      const anchorStarted = performance.now();
      await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
        while (issued < anchorCalls) {
          const n = issued++;
          await deps.client.vend({
            orderId: `ANCHOR${customer.slice(0, 8)}${n}`,
            meter: `8${String(n).padStart(9, "0")}1`,
            disco: "EKO",
            vendType: "PREPAID",
            amount: 1000,
            phone: "+2348031234567",
          });
        }
      }));
      const anchorRate = anchorCalls / ((performance.now() - anchorStarted) / 1000);
      const [done] = await ctx.sql`
        select count(*) filter (where status = 'succeeded')::int as ok, count(*)::int as total
        from vending.vends where customer_id = ${customer}`;
      const rate = done.ok / seconds;
      const limit = IN_FLIGHT * (1000 / LATENCY_MS);
      console.error(
        `${done.ok}/${done.total} vends in ${round(seconds)} s = ${round(rate)} vends/s; ` +
          `bare client ${round(anchorRate)} calls/s`,
      );

      // (2) Streaming memory. The queue is paused meanwhile, so the 100,000 queued rows go nowhere.
      await ctx.sql`update vending.vendor_state set paused = true, paused_reason = 'bench'`;
      let stream: {
        batchId: string;
        rows: number;
        fileBytes: number;
        peakLiveHeapGrowth: number;
        seconds: number;
      };
      try {
        const child = await new Deno.Command(Deno.execPath(), {
          args: [
            "run",
            "-A",
            "--v8-flags=--expose-gc",
            new URL("../vending/stream-memory.ts", import.meta.url).pathname,
            customer,
            String(csvRows),
          ],
          stderr: "inherit",
        }).output();
        if (!child.success) throw new Error("the streaming run failed");
        stream = JSON.parse(new TextDecoder().decode(child.stdout).trim().split("\n").at(-1)!);
        console.error(`streamed ${stream.rows} rows in ${round(stream.seconds)} s`);
      } finally {
        await ctx.sql`delete from vending.batches where uploaded_by = ${customer}`;
        await ctx.sql`update vending.vendor_state set paused = false, paused_reason = null`;
      }
      return [
        {
          scenario: "vending",
          subject: `${vends} vends, ${LATENCY_MS} ms vendor, ${IN_FLIGHT} in flight`,
          metric: "throughput",
          value: round(rate),
          unit: "vends/s",
          anchor: `physical limit ${limit} vends/s`,
          ratio: rate / limit,
          target: ">= 0.8x",
          met: rate / limit >= 0.8 && done.ok === vends,
        },
        {
          scenario: "vending",
          subject: `${vends} vends, ${LATENCY_MS} ms vendor, ${IN_FLIGHT} in flight`,
          metric: "throughput vs bare client",
          value: round(rate),
          unit: "vends/s",
          anchor: `the same client without queue or database: ${round(anchorRate)} calls/s`,
          ratio: rate / anchorRate,
          target: ">= 0.8x",
          met: rate / anchorRate >= 0.8,
        },
        {
          scenario: "vending",
          subject: `stream a ${stream.rows}-row CSV (${round(stream.fileBytes / 1e6)} MB)`,
          metric: "peak live heap growth",
          value: round(stream.peakLiveHeapGrowth / 1e6),
          unit: "MB",
          anchor: "the file's size",
          ratio: stream.peakLiveHeapGrowth / stream.fileBytes,
          target: "< 0.5x (never the whole file)",
          met: stream.peakLiveHeapGrowth < stream.fileBytes / 2,
        },
      ];
    } finally {
      await server.shutdown();
      await ctx.sql`delete from auth.users where id = ${customer}`;
    }
  },
};

export default scenario;
