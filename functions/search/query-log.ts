// Every search and autocomplete query goes into search.queries with its result count. Writes are
// batched (one multi-row insert per FLUSH_MS or BATCH_SIZE entries) so logging stays off the
// request's critical path; a batch is flushed when the isolate unloads.
import { db } from "../../shared/db.ts";
import { log } from "../../shared/log.ts";

export interface QueryLogEntry {
  session_id: string | null;
  user_id: string | null;
  query: string;
  kind: "search" | "autocomplete";
  types: string[] | null;
  result_count: number;
}

export const FLUSH_MS = 100;
const BATCH_SIZE = 200;

let pending: QueryLogEntry[] = [];
let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: Promise<void> = Promise.resolve();

/** Close to search.normalize in SQL (which the log itself uses): for cache keys. */
export function normalizeQuery(query: string): string {
  return query.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, " ")
    .trim();
}

async function write(batch: QueryLogEntry[]): Promise<void> {
  try {
    const sql = db();
    // search.normalize keeps the logged form identical to the one search.find ranks with.
    await sql`
      insert into search.queries (session_id, user_id, query, normalized, kind, types, result_count)
      select q.session_id, q.user_id, q.query, search.normalize(q.query), q.kind, q.types, q.result_count
      from jsonb_to_recordset(${sql.json(batch as never)}) as q(
        session_id uuid, user_id uuid, query text, kind text, types text[], result_count int)`;
  } catch (error) {
    log("error", "search queries not logged", { count: batch.length, error: String(error) });
  }
}

/** Writes what is pending now; resolves when every earlier batch is in. */
export function flushQueryLog(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  if (pending.length) {
    const batch = pending;
    pending = [];
    inFlight = inFlight.then(() => write(batch));
  }
  return inFlight;
}

export function logQuery(entry: QueryLogEntry): void {
  pending.push(entry);
  if (pending.length >= BATCH_SIZE) flushQueryLog();
  else timer ??= setTimeout(flushQueryLog, FLUSH_MS);
}

globalThis.addEventListener("beforeunload", () => {
  flushQueryLog();
});
