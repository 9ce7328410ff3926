// Follows committed inserts into realtime.messages by logical replication, as supabase/realtime's
// Realtime.Tenants.ReplicationConnection does: a publication for the table alone
// (supabase_realtime_messages_publication), a temporary pgoutput slot, one decoded row per insert in
// commit order. PostgreSQL decodes a transaction only once it has committed, so a rolled-back
// broadcast never arrives. postgres.js's built-in logical subscription (sql.subscribe) does the
// streaming; the table is partitioned by day, so rows arrive under the partition's name.
// Like Realtime's janitor, it also keeps the daily partitions (yesterday to three days ahead) made
// and drops those older than three days.
import postgres from "postgres";

export const PUBLICATION = "supabase_realtime_messages_publication";
const WATCHDOG_MS = 1000;

export interface MessageRow {
  id: string;
  topic: string;
  event: string;
  private: boolean;
  extension: string;
  /** JSON text, or raw bytes for realtime.send_binary. */
  payload: string | Uint8Array;
}

export interface Replication {
  stop(): Promise<void>;
}

async function ensurePublication(sql: postgres.Sql): Promise<void> {
  const tables = await sql`
    select schemaname, tablename from pg_publication_tables where pubname = ${PUBLICATION}`;
  const exists = (await sql`select 1 from pg_publication where pubname = ${PUBLICATION}`).length > 0;
  const valid = tables.length > 0 &&
    tables.every((t) => t.schemaname === "realtime" && /^messages(_|$)/.test(t.tablename));
  if (exists && valid) return;
  if (exists) await sql.unsafe(`drop publication ${PUBLICATION}`);
  await sql.unsafe(`create publication ${PUBLICATION} for table realtime.messages`);
}

/** Realtime.Tenants.create_messages_partitions and Messages.delete_old_messages. */
export async function maintainPartitions(sql: postgres.Sql): Promise<void> {
  await sql`
    do $$
    declare
      day date;
      old record;
    begin
      for day in select generate_series(current_date - 1, current_date + 3, interval '1 day')::date loop
        execute format('create table if not exists realtime.%I partition of realtime.messages for values from (%L) to (%L)',
                       'messages_' || to_char(day, 'YYYY_MM_DD'), day, day + 1);
      end loop;
      for old in
        select c.relname from pg_inherits i
        join pg_class c on c.oid = i.inhrelid join pg_class p on p.oid = i.inhparent
        join pg_namespace n on n.oid = c.relnamespace
        where p.relname = 'messages' and n.nspname = 'realtime' and c.relname ~ '^messages_\\d{4}_\\d{2}_\\d{2}$'
          and to_date(substr(c.relname, 10), 'YYYY_MM_DD') < current_date - 3
      loop
        execute format('drop table if exists realtime.%I', old.relname);
      end loop;
    end
    $$`;
}

function toPayload(row: Record<string, unknown>): string | Uint8Array | null {
  if (row.binary_payload instanceof Uint8Array) return row.binary_payload;
  if (row.payload !== null && row.payload !== undefined) return JSON.stringify(row.payload);
  return null;
}

/**
 * Follows realtime.messages until stopped. Like Realtime's ReplicationConnection with its Watchdog,
 * a lost stream (a PostgreSQL restart, a killed walsender) is noticed within WATCHDOG_MS and
 * replaced by a new temporary slot; rows committed while no slot existed are not replayed, as on
 * Supabase.
 */
export async function followMessages(
  dbUrl: string,
  deliver: (row: MessageRow) => void,
  onError: (error: unknown) => void,
): Promise<Replication> {
  const admin = postgres(dbUrl, {
    max: 1,
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "realtime_janitor" },
  });
  await ensurePublication(admin);
  await maintainPartitions(admin);

  const handle = (row: postgres.Row | null, info: { relation: { schema: string; table: string } }) => {
    if (!row) return;
    if (info.relation.schema !== "realtime" || !/^messages(_|$)/.test(info.relation.table)) return;
    const payload = toPayload(row);
    // ReplicationConnection skips rows missing any of these (probe rows never commit).
    if (!row.id || !row.topic || !row.event || row.private === null || payload === null) return;
    try {
      deliver({
        id: String(row.id),
        topic: String(row.topic),
        event: String(row.event),
        private: row.private === true,
        extension: String(row.extension),
        payload,
      });
    } catch (error) {
      onError(error);
    }
  };

  async function connect() {
    const sql = postgres(dbUrl, {
      max: 1,
      prepare: false,
      onnotice: () => {},
      publications: PUBLICATION,
      connection: { application_name: "realtime_broadcast_changes" },
    });
    try {
      // postgres.js returns the walsender's pid in `state` (set on every reconnect); its types omit it.
      const subscription = await sql.subscribe(
        "insert",
        handle,
        () => {},
        // postgres.js reports a broken stream here; the watchdog replaces it.
        () => onError(new Error("logical replication stream failed")),
      ) as postgres.SubscriptionHandle & { state: { pid?: number } };
      return { sql, state: subscription.state };
    } catch (error) {
      await sql.end({ timeout: 0 }).catch(() => {});
      throw error;
    }
  }

  let current: Awaited<ReturnType<typeof connect>> | null = await connect();
  let stopped = false;
  let checking = false;
  const watchdog = setInterval(async () => {
    if (stopped || checking) return;
    checking = true;
    try {
      const pid = current?.state.pid;
      const alive = pid !== undefined && await admin`
        select 1 from pg_stat_activity where pid = ${pid} and backend_type = 'walsender'`
        .then((rows) => rows.length > 0, () => false);
      if (alive) return;
      const old = current;
      current = null;
      await old?.sql.end({ timeout: 0 }).catch(() => {});
      current = await connect();
      onError(new Error("logical replication restarted with a new slot"));
    } catch (error) {
      onError(error);
    } finally {
      checking = false;
    }
  }, WATCHDOG_MS);
  const janitor = setInterval(() => maintainPartitions(admin).catch(onError), 60 * 60 * 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(watchdog);
      clearInterval(janitor);
      await Promise.allSettled([current?.sql.end({ timeout: 1 }), admin.end({ timeout: 1 })]);
    },
  };
}
