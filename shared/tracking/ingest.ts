// Tracking ingest: one breaker-guarded database call per batch (tracking.ingest_* functions, one
// transaction each). Ingest runs on the service path and never reads tracking data back: the
// answer is only how many items were stored, were duplicates, or were rejected.
import { db } from "../db.ts";
import { HttpError, unprocessable } from "../errors.ts";
import { log } from "../log.ts";
import { redis } from "../redis.ts";
import { type BreakerOptions, CircuitBreaker } from "./breaker.ts";
import type { Rejection, SessionInput } from "./schemas.ts";

export type IngestKind = "events" | "snapshots" | "metrics";

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: Rejection[];
  shed: boolean;
}

/** One statement, one transaction: the session is created or touched and every row inserted. */
async function store(request: IngestRequest): Promise<number> {
  const sql = db();
  const session = sql.json(sessionRow(request.session) as never);
  const rows = sql.json(request.rows as never);
  const [row] = request.kind === "events"
    ? await sql`select tracking.ingest_events(${request.sessionId}, ${request.userId}, ${session}, ${rows}) as stored`
    : request.kind === "snapshots"
    ? await sql`select tracking.ingest_snapshots(${request.sessionId}, ${request.userId}, ${session}, ${rows}) as stored`
    : await sql`select tracking.ingest_metrics(${request.sessionId}, ${request.userId}, ${session}, ${rows}) as stored`;
  return Number(row.stored);
}

function breakerOptionsFromEnv(): Partial<BreakerOptions> {
  const read = (name: string) => {
    const value = Number(Deno.env.get(name));
    return Number.isFinite(value) && value > 0 ? value : undefined;
  };
  const options: Partial<BreakerOptions> = {
    p95ThresholdMs: read("TRACKING_BREAKER_P95_MS"),
    openMs: read("TRACKING_BREAKER_OPEN_MS"),
    timeoutMs: read("TRACKING_INGEST_TIMEOUT_MS"),
    maxInFlight: read("TRACKING_MAX_IN_FLIGHT"),
  };
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
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
