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

export async function followMessages(
  dbUrl: string,
  deliver: (row: MessageRow) => void,
  onError: (error: unknown) => void,
): Promise<Replication> {
  const sql = postgres(dbUrl, {
    max: 2,
    prepare: false,
    onnotice: () => {},
    publications: PUBLICATION,
    connection: { application_name: "realtime_broadcast_changes" },
  });
  await ensurePublication(sql);
  await maintainPartitions(sql);
  const janitor = setInterval(() => maintainPartitions(sql).catch(onError), 60 * 60 * 1000);
  const { unsubscribe } = await sql.subscribe(
    "insert",
    (row, info) => {
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
    },
    () => {},
    // postgres.js reports a broken stream here (and reconnects with a new temporary slot).
    () => onError(new Error("logical replication stream failed")),
  );
  return {
    async stop() {
      clearInterval(janitor);
      unsubscribe();
      await sql.end({ timeout: 1 });
    },
  };
}
