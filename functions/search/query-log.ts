// Every search and autocomplete query goes into search.queries with its result count. Logging stays
// off the request's critical path and is group-committed: one write in flight per isolate, and the
// entries that arrive meanwhile leave together in the next one (a single set-based insert). An entry
// that finds no write under way waits up to LINGER_MS for company, or until a group is full: nobody
// waits for a log entry, and keystrokes arrive in bursts, so without it the first entry of every
// burst was a transaction of its own. The pending timer keeps the isolate alive until it fires
// (on Supabase a worker with a pending timer has not completed its event loop).
import { Coalescer, type Settled } from "../../shared/coalescer.ts";
import { db } from "../../shared/db.ts";
import { log } from "../../shared/log.ts";

interface QueryLogEntry {
  session_id: string | null;
  user_id: string | null;
  query: string;
  kind: "search" | "autocomplete";
  types: string[] | null;
  result_count: number;
}

const WRITTEN: Settled<void> = { ok: true, value: undefined };

// A lost log entry must never fail a search: a failed write is reported once for its whole group,
// and every entry counts as settled, so nothing is left rejected and unhandled.
async function write(entries: QueryLogEntry[]): Promise<Settled<void>[]> {
  try {
    const sql = db();
    // search.normalize keeps the logged form identical to the one search.find ranks with.
    await sql`
      insert into search.queries (session_id, user_id, query, normalized, kind, types, result_count)
      select q.session_id, q.user_id, q.query, search.normalize(q.query), q.kind, q.types, q.result_count
      from jsonb_to_recordset(${sql.json(entries as never)}) as q(
        session_id uuid, user_id uuid, query text, kind text, types text[], result_count int)`;
  } catch (error) {
    log("error", "search queries not logged", { count: entries.length, error: String(error) });
  }
  return entries.map(() => WRITTEN);
}

const LINGER_MS = 100;
const queryLog = new Coalescer(write, { maxCalls: 1, maxItems: 200, lingerMs: LINGER_MS });

export function logQuery(entry: QueryLogEntry): void {
  void queryLog.submit(entry, 1);
}
