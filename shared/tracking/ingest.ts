// Tracking ingest: breaker-guarded database calls to the tracking.ingest_* functions, one
// transaction each. Event batches are coalesced: those that arrive while the isolate's calls are busy
// share the next call (tracking.ingest_event_batches). Ingest runs on the service path and never
// reads tracking data back: the answer is only how many items were stored, were duplicates, or were
// rejected.
import { db } from "../db.ts";
import { HttpError, unprocessable } from "../errors.ts";
import { log } from "../log.ts";
import { redis } from "../redis.ts";
import { type BreakerOptions, CircuitBreaker } from "./breaker.ts";
import { Coalescer, type CoalescerOptions, type Settled } from "../coalescer.ts";
import type { Rejection, SessionInput } from "./schemas.ts";

export type IngestKind = "events" | "snapshots" | "metrics";

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  shed: boolean;
}

/** One statement, one transaction: the session is created or touched and every row inserted. */
function store(request: IngestRequest): Promise<number> {
  if (request.kind === "events") return eventCoalescer().submit(request, request.rows.length);
  const sql = db();
  const session = sql.json(sessionRow(request.session) as never);
  const rows = sql.json(request.rows as never);
  return (request.kind === "snapshots"
    ? sql`select tracking.ingest_snapshots(${request.sessionId}, ${request.userId}, ${session}, ${rows}) as stored`
    : sql`select tracking.ingest_metrics(${request.sessionId}, ${request.userId}, ${session}, ${rows}) as stored`)
    .then(([row]) => Number(row.stored));
}

/** Stores a group of event batches with one call; answers each batch's stored count, in order. */
async function storeEventBatches(requests: IngestRequest[]): Promise<number[]> {
  const sql = db();
  const batches = requests.map((request) => ({
    session_id: request.sessionId,
    user_id: request.userId,
    session: sessionRow(request.session),
    events: request.rows,
  }));
  const rows = await sql`
    select batch, stored from tracking.ingest_event_batches(${sql.json(batches as never)})`;
  const stored = requests.map(() => 0);
  for (const row of rows) stored[row.batch] = row.stored;
  return stored;
}

/**
 * A group fails as a whole. When the cause is one batch's data (a value the database refused), the
 * batches are stored one by one so that only the culprit fails; an outage fails them all.
 */
export async function storeEventGroup(requests: IngestRequest[]): Promise<Settled<number>[]> {
  try {
    return (await storeEventBatches(requests)).map((value) => ({ ok: true, value }));
  } catch (error) {
    if (requests.length === 1 || !isDataError(error)) throw error;
    return await Promise.all(requests.map((request) =>
      storeEventBatches([request]).then(
        ([value]): Settled<number> => ({ ok: true, value }),
        (failure): Settled<number> => ({ ok: false, error: failure }),
      )
    ));
  }
}

const readPositive = (name: string) => {
  const value = Number(Deno.env.get(name));
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

function breakerOptionsFromEnv(): Partial<BreakerOptions> {
  const options: Partial<BreakerOptions> = {
    p95ThresholdMs: readPositive("TRACKING_BREAKER_P95_MS"),
    openMs: readPositive("TRACKING_BREAKER_OPEN_MS"),
    timeoutMs: readPositive("TRACKING_INGEST_TIMEOUT_MS"),
    maxInFlight: readPositive("TRACKING_MAX_IN_FLIGHT"),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
}

/**
 * One call in flight per isolate: measured on 2 cores with two gateways, one call each gave 25–28k
 * events/s and two gave 19–21k (more, smaller groups). At most 2,000 events per call.
 */
const DEFAULT_COALESCER_OPTIONS: CoalescerOptions = { maxCalls: 1, maxItems: 2000 };

let sharedCoalescer: Coalescer<IngestRequest, number> | undefined;
/** One event coalescer per isolate. */
function eventCoalescer(): Coalescer<IngestRequest, number> {
  sharedCoalescer ??= new Coalescer(storeEventGroup, {
    maxCalls: readPositive("TRACKING_COALESCE_CALLS") ?? DEFAULT_COALESCER_OPTIONS.maxCalls,
    maxItems: readPositive("TRACKING_COALESCE_MAX_EVENTS") ?? DEFAULT_COALESCER_OPTIONS.maxItems,
  });
  return sharedCoalescer;
}

let sharedBreaker: CircuitBreaker | undefined;
/** One breaker per isolate, shared by the three ingest routes (they share the database). */
export function ingestBreaker(): CircuitBreaker {
  sharedBreaker ??= new CircuitBreaker(breakerOptionsFromEnv());
  return sharedBreaker;
}

/** The session descriptor in the column names tracking.touch_session reads. */
export function sessionRow(session: SessionInput | undefined): Record<string, unknown> {
  if (!session) return {};
  return {
    visitor_id: session.visitorId,
    device_type: session.device,
    viewport_width: session.viewportWidth,
    viewport_height: session.viewportHeight,
    referrer: session.referrer,
    utm: session.utm,
  };
}

// Shed batches are counted in memory and flushed at most once a second in one pipeline: shedding
// happens under overload, exactly when one Redis call per request would make things worse.
const pendingShed = new Map<IngestKind, number>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;

function countShed(kind: IngestKind): void {
  pendingShed.set(kind, (pendingShed.get(kind) ?? 0) + 1);
  flushTimer ??= setTimeout(flushShed, 1000);
}

function flushShed(): void {
  flushTimer = undefined;
  const counts = [...pendingShed.entries()];
  pendingShed.clear();
  const pipeline = redis().pipeline();
  for (const [kind, count] of counts) pipeline.hincrby("tracking:shed", kind, count);
  pipeline.exec().catch((error) => log("warn", "shed not counted", { error: String(error), counts }));
}

/** Data errors that slipped past validation are the client's fault: 422, never 500. */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return typeof code === "string" && /^(22|23)/.test(code);
}

export interface IngestRequest {
  kind: IngestKind;
  sessionId: string | null;
  userId: string | null;
  session: SessionInput | undefined;
  rows: Record<string, unknown>[];
  duplicatesInBatch: number;
  rejected: Rejection[];
}

export async function ingest(request: IngestRequest): Promise<IngestResult> {
  const base = { duplicates: request.duplicatesInBatch, rejected: request.rejected };
  if (request.rows.length === 0) return { accepted: 0, ...base, shed: false };
  let outcome;
  try {
    outcome = await ingestBreaker().run(() => store(request));
  } catch (error) {
    if (isDataError(error)) {
      throw unprocessable("The batch holds a value the database refused.", [{
        message: String((error as Error).message),
      }]);
    }
    log("warn", "tracking ingest failed", { kind: request.kind, error: String(error) });
    throw new HttpError(
      503,
      "ingest_unavailable",
      "Tracking is unavailable for a moment; retry the batch later.",
      [],
      {
        "Retry-After": "1",
      },
    );
  }
  if (outcome.shed) {
    countShed(request.kind);
    return { accepted: 0, ...base, shed: true };
  }
  const stored = outcome.value;
  return {
    accepted: stored,
    duplicates: base.duplicates + request.rows.length - stored,
    rejected: base.rejected,
    shed: false,
  };
}
