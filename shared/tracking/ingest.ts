// Tracking ingest: breaker-guarded database calls to the tracking.ingest_* functions, one
// transaction each. Event batches are coalesced: those that arrive while the isolate's calls are busy
// share the next call (tracking.ingest_event_batches). Ingest runs on the service path and never
// reads tracking data back: the answer is only how many items were stored, were duplicates, or were
// rejected.
import { db, rpc, rpcRows } from "../db.ts";
import { HttpError, unprocessable } from "../errors.ts";
import { metrics } from "../http.ts";
import { log } from "../log.ts";
import { type BreakerOptions, CircuitBreaker } from "../breaker.ts";
import { Coalescer, type Settled } from "../coalescer.ts";
import type { Rejection, SessionInput } from "./schemas.ts";
import { trackingSettings } from "./settings.ts";

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
  const args = {
    session_id: request.sessionId,
    user_id: request.userId,
    session: sessionRow(request.session),
  };
  return request.kind === "snapshots"
    ? rpc<number>(db(), "tracking.ingest_snapshots", { ...args, snapshots: request.rows })
    : rpc<number>(db(), "tracking.ingest_metrics", { ...args, metrics: request.rows });
}

/** Stores a group of event batches with one call; answers each batch's stored count, in order. */
async function storeEventBatches(requests: IngestRequest[]): Promise<number[]> {
  const rows = await rpcRows<{ batch: number; stored: number }>(db(), "tracking.ingest_event_batches", {
    event_batches: requests.map((request) => ({
      session_id: request.sessionId,
      user_id: request.userId,
      session: sessionRow(request.session),
      events: request.rows,
    })),
  });
  const stored = requests.map(() => 0);
  for (const row of rows) stored[row.batch] = row.stored;
  return stored;
}

/**
 * A group fails as a whole. When the cause is one batch's data (a value the database refused), the
 * batches are stored one by one so that only the culprit fails; an outage fails them all. One after
 * another, as the coalescer's one call in flight intends: this path is rare, a group can hold dozens
 * of batches, and the pool serves other requests too.
 */
export async function storeEventGroup(requests: IngestRequest[]): Promise<Settled<number>[]> {
  try {
    return (await storeEventBatches(requests)).map((value) => ({ ok: true, value }));
  } catch (error) {
    if (requests.length === 1 || !isDataError(error)) throw error;
    const settled: Settled<number>[] = [];
    for (const request of requests) {
      settled.push(
        await storeEventBatches([request]).then(
          ([value]): Settled<number> => ({ ok: true, value }),
          (failure): Settled<number> => ({ ok: false, error: failure }),
        ),
      );
    }
    return settled;
  }
}

let sharedCoalescer: Coalescer<IngestRequest, number> | undefined;
/**
 * One event coalescer per isolate, by default one call in flight: measured on 2 cores with two
 * gateways, one call each gave 25–28k events/s and two gave 19–21k (more, smaller groups). At most
 * 2,000 events per call.
 */
function eventCoalescer(): Coalescer<IngestRequest, number> {
  const settings = trackingSettings();
  sharedCoalescer ??= new Coalescer(storeEventGroup, {
    maxCalls: settings.TRACKING_COALESCE_CALLS,
    maxItems: settings.TRACKING_COALESCE_MAX_EVENTS,
  });
  return sharedCoalescer;
}

let sharedBreaker: CircuitBreaker | undefined;
/** One breaker per isolate, shared by the three ingest routes (they share the database). */
function ingestBreaker(): CircuitBreaker {
  const settings = trackingSettings();
  const overrides: Partial<BreakerOptions> = {
    p95ThresholdMs: settings.TRACKING_BREAKER_P95_MS,
    openMs: settings.TRACKING_BREAKER_OPEN_MS,
    timeoutMs: settings.TRACKING_INGEST_TIMEOUT_MS,
    maxInFlight: settings.TRACKING_MAX_IN_FLIGHT,
  };
  sharedBreaker ??= new CircuitBreaker({
    ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
    isFailure: (error) => !isDataError(error),
  });
  return sharedBreaker;
}

/** The session descriptor in the column names tracking.touch_session reads. */
function sessionRow(session: SessionInput | undefined): Record<string, unknown> {
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
    // Counted in the isolate's metrics buffer: shedding happens under overload, exactly when one
    // Redis call per request would make things worse.
    metrics.increment("tracking:shed", request.kind);
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
