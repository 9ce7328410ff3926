// What operators see of vending in /health: the vendor (last call latency, breaker state as the
// worker last saw it, wallet balance), the queue (depth, pending requeries, paused), and Prometheus
// counts of vends by status and vendor calls by endpoint and response code.
import type { Sql } from "../db.ts";

export interface VendingStatus {
  breakerState: string;
  lastLatencyMs: number | null;
  lastCallAt: string | null;
  walletBalanceKobo: number | null;
  walletCheckedAt: string | null;
  queueDepth: number;
  dueNow: number;
  pendingRequeries: number;
  paused: boolean;
  pausedReason: string | null;
  openAlerts: number;
}

export async function vendingStatus(sql: Sql): Promise<VendingStatus> {
  const [row] = await sql`
    select s.breaker_state, s.last_latency_ms, s.last_call_at, s.paused, s.paused_reason,
           (select balance_kobo from vending.wallet_snapshots order by checked_at desc limit 1) as wallet,
           (select checked_at from vending.wallet_snapshots order by checked_at desc limit 1) as wallet_at,
           (select count(*) from vending.vend_queue)::int as depth,
           (select count(*) from vending.vend_queue where available_at <= now())::int as due,
           (select count(*) from vending.vend_queue where action = 'requery')::int as requeries,
           (select count(*) from vending.alerts where acknowledged_at is null)::int as alerts
    from vending.vendor_state s`;
  return {
    breakerState: row.breaker_state,
    lastLatencyMs: row.last_latency_ms,
    lastCallAt: row.last_call_at?.toISOString() ?? null,
    walletBalanceKobo: row.wallet === null ? null : Number(row.wallet),
    walletCheckedAt: row.wallet_at?.toISOString() ?? null,
    queueDepth: row.depth,
    dueNow: row.due,
    pendingRequeries: row.requeries,
    paused: row.paused,
    pausedReason: row.paused_reason,
    openAlerts: row.alerts,
  };
}

const label = (value: string) => value.replace(/["\\\n]/g, "_");

/** Prometheus lines: vends by status, vendor calls by endpoint and code (last 24 h), queue depth. */
export async function vendingMetrics(sql: Sql): Promise<string> {
  const vends =
    await sql`select status, count(*)::int as n from vending.vends group by status order by status`;
  const calls = await sql`
    select endpoint, coalesce(http_status::text, outcome) as code, count(*)::int as n
    from vending.vendor_calls where called_at > now() - interval '24 hours'
    group by 1, 2 order by 1, 2`;
  const status = await vendingStatus(sql);
  return [
    "# HELP powerbase_vending_vends Vends by status.",
    "# TYPE powerbase_vending_vends gauge",
    ...vends.map((r) => `powerbase_vending_vends{status="${label(r.status)}"} ${r.n}`),
    "# HELP powerbase_vending_vendor_calls_24h BuyPower calls in the last 24 hours by endpoint and response code.",
    "# TYPE powerbase_vending_vendor_calls_24h gauge",
    ...calls.map((r) =>
      `powerbase_vending_vendor_calls_24h{endpoint="${label(r.endpoint)}",code="${label(r.code)}"} ${r.n}`
    ),
    "# HELP powerbase_vending_queue_depth Vends with work left (submit or requery).",
    "# TYPE powerbase_vending_queue_depth gauge",
    `powerbase_vending_queue_depth ${status.queueDepth}`,
    "# HELP powerbase_vending_paused 1 while an empty wallet holds the queue.",
    "# TYPE powerbase_vending_paused gauge",
    `powerbase_vending_paused ${status.paused ? 1 : 0}`,
    "",
  ].join("\n");
}
