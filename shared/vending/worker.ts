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
  /** Outcomes one settle statement carries at most (default 50). */
  settleGroup?: number;
  /** How long the first outcome of a group waits for company before it is settled (default 50 ms). */
  settleLingerMs?: number;
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

export type Outcome = { decision: Decision; settle: Settle };

/**
 * Settles vends (and pauses the queue on a 422) in one transaction. The common group is one statement,
 * so one round trip: private.vending_settle records the calls, outcomes, refunds and alerts itself.
 */
export async function settleMany(sql: Sql, outcomes: Outcome[]): Promise<void> {
  const settles = outcomes.map((o) => o.settle);
  const pause = outcomes.find((o) => o.decision.pauseQueue);
  if (!pause) {
    await sql`select private.vending_settle(${sql.json(settles as never)})`;
    return;
  }
  await sql.begin(async (tx) => {
    await tx`select private.vending_settle(${tx.json(settles as never)})`;
    await tx`select private.vending_pause(${pause.decision.reason})`;
  });
}

export const settle = (sql: Sql, outcome: Outcome) => settleMany(sql, [outcome]);

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

/**
 * Group commit with a linger, for settling. The kernel's Coalescer sends a job at once whenever a call
 * is free, which at 100 vends/s and a few ms per settle means groups of one or two: a statement, a
 * transaction and a round trip per vend, which on a loaded machine take CPU from the vendor calls.
 * Settling is off the call path, so here the first outcome waits up to `lingerMs` for others (or until
 * `maxItems` are there): one statement per ~5 vends at full speed. At most `maxCalls` settles run at
 * once; an urgent outcome (a pause) goes at once.
 */
export class SettlePipe {
  private pending: { outcome: Outcome; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private inFlight = 0;
  private urgent = false;

  constructor(
    private readonly settleGroup: (outcomes: Outcome[]) => Promise<void>,
    private readonly options: { maxItems: number; lingerMs: number; maxCalls: number },
  ) {}

  submit(outcome: Outcome, urgent = false): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ outcome, resolve, reject });
      if (urgent) this.urgent = true;
      if (urgent || this.pending.length >= this.options.maxItems) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.options.lingerMs);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.pending.length > 0 && this.inFlight < this.options.maxCalls) {
      const group = this.pending.splice(0, this.options.maxItems);
      this.urgent = false;
      this.inFlight++;
      this.settleGroup(group.map((item) => item.outcome))
        .then(
          () => group.forEach((item) => item.resolve()),
          (error) => group.forEach((item) => item.reject(error)),
        )
        .finally(() => {
          this.inFlight--;
          // What arrived meanwhile goes now if it is urgent, a full group, or already waited its linger
          // (no timer left armed); otherwise its timer sends it.
          if (
            this.pending.length > 0 &&
            (this.urgent || this.pending.length >= this.options.maxItems || this.timer === undefined)
          ) this.flush();
        });
    }
  }
}

/** Drains the lane's due rows until none are left or the budget is spent. */
export async function processQueue(deps: WorkerDeps, options: WorkerOptions = {}): Promise<WorkerReport> {
  const lane = options.lane ?? "default";
  const workerId = options.workerId ?? crypto.randomUUID();
  const concurrency = options.concurrency ?? 5;
  const claimSize = options.claimSize ?? 20;
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
  let renewing: Promise<void> = Promise.resolve();
  // Settling is group-committed and off the call path: a runner's slot goes to the next vendor call
  // while the database records the last one. A crash before the commit only leaves the vend
  // `submitted`, which is requeried (never resent) when its claim expires.
  const settler = new SettlePipe((outcomes) => settleMany(deps.sql, outcomes), {
    maxItems: options.settleGroup ?? 50,
    lingerMs: options.settleLingerMs ?? 50,
    maxCalls: 2,
  });
  const unsettled = new Set<Promise<void>>();
  // Each runner claims and settles on its own: `concurrency` runners, so at most that many calls.
  // Claims are prefetched into a small local buffer, so a runner never waits on the database
  // between two vendor calls; the buffer holds at most claimSize + 2 x concurrency claimed rows.
  const buffer: ClaimedVend[] = [];
  let refilling: Promise<void> | null = null;
  let exhausted = false;
  let pausedHere = false;
  const refill = () =>
    refilling ??= claim(deps.sql, lane, claimSize, visibility)
      .then((rows) => {
        buffer.push(...rows);
        if (rows.length === 0) exhausted = true;
      })
      .finally(() => (refilling = null));
  const next = async (): Promise<ClaimedVend | null> => {
    while (true) {
      const claiming = Date.now() < deadline && !leaseLost && !exhausted;
      // Refilled while a full round of calls is still buffered, so a slow claim never idles a slot.
      if (claiming && buffer.length <= concurrency * 2) refill();
      if (buffer.length) return buffer.shift()!;
      if (!claiming) return null;
      await refilling;
    }
  };
  const runner = async () => {
    while (true) {
      // Renewed in the background: no slot waits on the database for it.
      if (Date.now() - leaseRenewedAt > (leaseSeconds * 1000) / 3) {
        leaseRenewedAt = Date.now();
        renewing = takeLease().then((ok) => {
          if (!ok) leaseLost = true;
        }, (error) => log("warn", "lease not renewed", { error: String(error) }));
      }
      const vend = await next();
      if (!vend) break;
      // Submits claimed before a 422 paused the queue are never sent: back to the queue as they were.
      const outcome: Outcome = pausedHere && vend.action === "submit"
        ? {
          decision: { settlement: "released", vendorFailure: false, reason: "queue_paused" },
          settle: { vendId: vend.vend_id, outcome: "released", error: "queue paused: not sent", calls: [] },
        }
        : await attempt(deps, vend);
      // A pause must hold before anything else is sent: that outcome goes at once and is awaited.
      const settling = settler.submit(outcome, Boolean(outcome.decision.pauseQueue)).catch((error) =>
        log("error", "vend not settled; its claim will expire and it will be requeried", {
          vendId: vend.vend_id,
          error: String(error),
        })
      );
      if (outcome.decision.pauseQueue) {
        pausedHere = true;
        await settling;
      } else {
        unsettled.add(settling);
        settling.finally(() => unsettled.delete(settling));
      }
      lastLatency = outcome.settle.calls[0]?.latencyMs ?? lastLatency;
      report.processed++;
      report.bySettlement[outcome.decision.settlement] =
        (report.bySettlement[outcome.decision.settlement] ?? 0) + 1;
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, runner));
  } finally {
    await Promise.all([...unsettled, renewing]);
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
