// The probes behind /health/status. Each runs with its own deadline so one stuck dependency cannot
// hold the whole report hostage.
import type { Redis } from "@upstash/redis";
import type { Sql } from "../../shared/db.ts";

export interface Probe<T> {
  ok: boolean;
  latencyMs: number;
  error?: string;
  value?: T;
}

export async function probe<T>(work: () => Promise<T>, deadlineMs = 2000): Promise<Probe<T>> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const value = await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${deadlineMs} ms`)), deadlineMs);
      }),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started), value };
  } catch (error) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: String((error as Error).message ?? error),
    };
  } finally {
    clearTimeout(timer);
  }
}

export const databaseCheck = (sql: Sql) => async () => {
  const [row] =
    await sql`select current_setting('server_version') as version, pg_is_in_recovery() as in_recovery`;
  return { version: row.version as string, inRecovery: row.in_recovery as boolean };
};

export const redisCheck = (redis: Redis) => () => redis.ping();

/** Every pg_cron job with its last run (pg_cron's own record) and its last ops.job_runs entry. */
export const cronJobsCheck = (sql: Sql) => () =>
  sql`
    select j.jobname as name, j.schedule, j.active,
           last_run.status as last_status, last_run.start_time as last_started_at,
           last_run.end_time as last_finished_at, last_run.return_message as last_message,
           recorded.status as recorded_status, recorded.rows_touched as recorded_rows,
           recorded.error as recorded_error
    from cron.job j
    left join lateral (
      select d.status, d.start_time, d.end_time, d.return_message
      from cron.job_run_details d where d.jobid = j.jobid
      order by d.start_time desc limit 1
    ) last_run on true
    left join lateral (
      select r.status, r.rows_touched, r.error
      from ops.job_runs r where r.job_name = j.jobname
      order by r.started_at desc limit 1
    ) recorded on true
    order by j.jobname`;

export const netQueueCheck = (sql: Sql) => async () => {
  const [row] = await sql`
    select (select count(*) from net.http_request_queue)::int as queued,
           (select count(*) from net._http_response where created > now() - interval '1 hour'
              and (error_msg is not null or status_code >= 500))::int as failed_last_hour`;
  return { queued: row.queued as number, failedLastHour: row.failed_last_hour as number };
};

export const latestMigrationCheck = (sql: Sql) => async () => {
  const [row] = await sql`
    select version, name, (select count(*) from supabase_migrations.schema_migrations)::int as applied
    from supabase_migrations.schema_migrations order by version desc limit 1`;
  return row
    ? { version: row.version as string, name: row.name as string, applied: row.applied as number }
    : null;
};
