// The queue worker: takes a lane's lease, then runs `concurrency` runners that each claim a few due
// rows (for update skip locked, visibility timeout), call the vendor through the breaker and settle
// each vend in its own short transaction. At most `concurrency` vendor calls are in flight, and only
// one worker holds a lane. A worker killed midway leaves claimed rows that become visible again
// when their visibility timeout passes; their vends are `submitted`, so they are requeried.
import type { Sql } from "../db.ts";
import { log } from "../log.ts";
import type { BuyPowerClient, VendorAnswer, VendorCall } from "./buypower.ts";
import type { VendorBreaker } from "./breaker.ts";
import { backoffSeconds, decideRequery, decideSubmit, type Decision } from "./outcomes.ts";

export interface ClaimedVend {
  vend_id: string;
  order_id: string;
  action: "submit" | "requery";
  attempts: number;
  requery_delays: number[];
  requeries: number;
  disco_code: string;
  meter_number: string;
  vend_type: string;
  amount_kobo: string | number;
  phone: string;
  email: string | null;
  name: string | null;
}

export interface WorkerDeps {
  sql: Sql;
  client: BuyPowerClient;
  breaker: VendorBreaker;
  /** Requeries before a vend that stays unknown goes to needs_attention. */
  maxRequeries: number;
  /** Backoff base in seconds (tests and the bench shorten it). */
  backoffBaseSeconds?: number;
  /** How long a shed vend waits (the breaker's open time). */
  releaseSeconds?: number;
}

export interface WorkerOptions {
  lane?: string;
  workerId?: string;
  concurrency?: number;
  /** Rows one runner claims at a time. */
  claimSize?: number;
  visibilitySeconds?: number;
  leaseSeconds?: number;
  /** Stop claiming after this long (an edge function has a wall-clock limit). */
  budgetMs?: number;
}

export interface WorkerReport {
  leased: boolean;
  processed: number;
  bySettlement: Record<string, number>;
  breakerState: string;
}

interface Settle {
  vendId: string;
  outcome: string;
  availableAt?: string;
  requeryDelays?: number[];
  error?: string;
  calls: VendorCall[];
  vendorCode?: number | null;
  vendorMessage?: string;
  [field: string]: unknown;
}

/** Calls the vendor for one claimed vend and decides what happened; never throws for vendor trouble. */
export async function attempt(
  deps: WorkerDeps,
  vend: ClaimedVend,
): Promise<{ decision: Decision; settle: Settle }> {
  const call = vend.action === "submit"
    ? () =>
      deps.client.vend({
        orderId: vend.order_id,
        meter: vend.meter_number,
        disco: vend.disco_code,
        vendType: vend.vend_type as "PREPAID" | "POSTPAID",
        amount: Number(vend.amount_kobo) / 100,
        phone: vend.phone,
        email: vend.email,
        name: vend.name,
      })
    : () => deps.client.requery(vend.order_id);
  const decide = (answer: VendorAnswer) =>
    vend.action === "submit" ? decideSubmit(answer, vend.vend_type) : decideRequery(answer, vend.vend_type);
  const ran = await deps.breaker.run(call, (answer) => decide(answer).vendorFailure);
  if (ran.shed) {
    const decision: Decision = { settlement: "released", vendorFailure: false, reason: "breaker_open" };
    return {
      decision,
      settle: {
        vendId: vend.vend_id,
        outcome: "released",
        availableAt: inSeconds(deps.releaseSeconds ?? 30),
        error: "breaker open: not sent",
        calls: [],
      },
    };
  }
  const answer = ran.value;
  let decision = decide(answer);
  const requeriesAfter = vend.requeries + (vend.action === "requery" ? 1 : 0);
  if (decision.settlement === "pending" && requeriesAfter >= deps.maxRequeries) {
    decision = {
      ...decision,
      settlement: "needs_attention",
      reason: `${decision.reason}; requeries exhausted`,
    };
  }
  const settle: Settle = {
    vendId: vend.vend_id,
    outcome: decision.settlement,
    calls: [answer.call],
    vendorCode: answer.code,
    vendorMessage: answer.message || undefined,
    error: decision.settlement === "succeeded" ? undefined : decision.reason,
  };
  if (decision.settlement === "pending" || decision.settlement === "resubmit") {
    // The vendor's delay schedule from the 202 comes first; then exponential backoff with jitter.
    const scheduled = decision.delaySeconds ??
      (vend.action === "requery" ? vend.requery_delays[vend.requeries] : undefined);
    const wait = scheduled ??
      (decision.settlement === "resubmit" && decision.reason === "not_found"
        ? 0
        : backoffSeconds(vend.attempts, deps.backoffBaseSeconds ?? 2));
    settle.availableAt = inSeconds(wait);
    if (decision.requeryDelays?.length) settle.requeryDelays = decision.requeryDelays;
  }
  if (decision.result) Object.assign(settle, decision.result);
  return { decision, settle };
}

const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();

/** Settles one vend (and pauses the queue on a 422) in one transaction. */
export async function settle(sql: Sql, outcome: { decision: Decision; settle: Settle }): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`select private.vending_settle(${tx.json([outcome.settle] as never)})`;
    if (outcome.decision.pauseQueue) await tx`select private.vending_pause(${outcome.decision.reason})`;
    if (
      outcome.decision.reason.startsWith("signature_invalid") &&
      outcome.decision.settlement === "needs_attention"
    ) {
      await tx`select private.vending_alert('signature_invalid',
        'BuyPower answers for a vend never verified; its token was not delivered.',
        ${tx.json({ vendId: outcome.settle.vendId } as never)})`;
    }
  });
}

export function claim(
  sql: Sql,
  lane: string,
  size: number,
  visibilitySeconds: number,
  onlyVends: string[] | null = null,
): Promise<ClaimedVend[]> {
  return sql<ClaimedVend[]>`
    select * from private.vending_claim(${lane}, ${size}, make_interval(secs => ${visibilitySeconds}), ${onlyVends})`;
}

/** Records vendor calls that belong to no vend (meter checks, wallet, DISCO status). */
export async function recordCalls(sql: Sql, calls: VendorCall[]): Promise<void> {
  await sql`
    insert into vending.vendor_calls (endpoint, http_status, response_code, latency_ms, signature_valid, outcome,
                                      summary, called_at)
    select c.endpoint, c."httpStatus", c."responseCode", c."latencyMs", c."signatureValid", c.outcome, c.summary,
           c."calledAt"
    from jsonb_to_recordset(${
    sql.json(calls as never)
  }) as c(endpoint text, "httpStatus" int, "responseCode" int,
      "latencyMs" int, "signatureValid" boolean, outcome text, summary jsonb, "calledAt" timestamptz)`;
}

async function recordVendorState(sql: Sql, state: string, latencyMs: number | null): Promise<void> {
  await sql`select private.vending_record_vendor_state(${state}, ${latencyMs})`;
}

/** Drains the lane's due rows until none are left or the budget is spent. */
export async function processQueue(deps: WorkerDeps, options: WorkerOptions = {}): Promise<WorkerReport> {
  const lane = options.lane ?? "default";
  const workerId = options.workerId ?? crypto.randomUUID();
  const concurrency = options.concurrency ?? 5;
  const claimSize = options.claimSize ?? 2;
  const visibility = options.visibilitySeconds ?? 120;
  const leaseSeconds = options.leaseSeconds ?? 90;
  const deadline = Date.now() + (options.budgetMs ?? 45_000);
  const report: WorkerReport = {
    leased: false,
    processed: 0,
    bySettlement: {},
    breakerState: deps.breaker.state,
  };
  const takeLease = async () => {
    const [row] = await deps.sql`
      select private.vending_take_lease(${lane}, ${workerId}, make_interval(secs => ${leaseSeconds})) as ok`;
    return row.ok as boolean;
  };
  if (!(await takeLease())) return report;
  report.leased = true;
  let lastLatency: number | null = null;
  let leaseRenewedAt = Date.now();
  let leaseLost = false;
  // Each runner claims and settles on its own: `concurrency` runners, so at most that many calls.
  const runner = async () => {
    while (Date.now() < deadline && !leaseLost) {
      if (Date.now() - leaseRenewedAt > (leaseSeconds * 1000) / 3) {
        leaseRenewedAt = Date.now();
        if (!(await takeLease())) {
          leaseLost = true;
          break;
        }
      }
      const claimed = await claim(deps.sql, lane, claimSize, visibility);
      if (claimed.length === 0) break;
      for (const vend of claimed) {
        const outcome = await attempt(deps, vend);
        await settle(deps.sql, outcome);
        lastLatency = outcome.settle.calls[0]?.latencyMs ?? lastLatency;
        report.processed++;
        report.bySettlement[outcome.decision.settlement] =
          (report.bySettlement[outcome.decision.settlement] ?? 0) +
          1;
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, runner));
  } finally {
    report.breakerState = deps.breaker.state;
    await recordVendorState(deps.sql, deps.breaker.state, lastLatency).catch((error) =>
      log("warn", "vendor state not recorded", { error: String(error) })
    );
    await deps.sql`select private.vending_release_lease(${lane}, ${workerId})`;
  }
  return report;
}

/** Sends one vend at once (POST /vend answers 201 when the vendor answers at once). */
export async function processOne(deps: WorkerDeps, vendId: string): Promise<Decision | null> {
  const [vend] = await claim(deps.sql, "default", 1, 120, [vendId]);
  if (!vend) return null;
  const outcome = await attempt(deps, vend);
  await settle(deps.sql, outcome);
  await recordVendorState(deps.sql, deps.breaker.state, outcome.settle.calls[0]?.latencyMs ?? null);
  return outcome.decision;
}
