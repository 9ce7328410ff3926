// The analytics benchmark's data set, generated inside PostgreSQL set-based (generate_series): 200,000
// sessions over the last 30 days with 25 events each (5,000,000 events), their configuration
// snapshots and 500,000 performance samples; then the rollups are rebuilt from it. Generated once
// per database: a marker session says it is there.
import type postgres from "postgres";

const BENCH_SESSIONS = 200_000;
const EVENTS_PER_SESSION = 25;
export const BENCH_METRIC = "bench_api_response_time";
const MARKER = "b0000000-0000-4000-8000-00000000bea5";

export async function ensureBenchTracking(sql: postgres.Sql, log: (msg: string) => void): Promise<void> {
  const [marker] = await sql`select 1 from tracking.sessions where id = ${MARKER}`;
  if (marker) return;
  const started = performance.now();
  log(`generating ${BENCH_SESSIONS * EVENTS_PER_SESSION} tracking events (once per database)...`);
  await sql`select tracking.ensure_event_partitions(current_date - 31, current_date + 7)`;
  await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    await tx`set local synchronous_commit = off`;
    // Sessions: device by id, a completion level with a realistic decay, and matching funnel steps.
    await tx`
      insert into tracking.sessions (id, visitor_id, started_at, last_seen_at, last_event_at, device_type,
                                     completion_level, completed_at, steps_mask)
      select md5('bench-session-' || g)::uuid, 'bench-5m', s.started_at, s.started_at + interval '8 minutes',
             s.started_at + interval '8 minutes', (array['desktop', 'mobile', 'tablet'])[1 + g % 3], s.level,
             case when s.level >= 2 then s.started_at + interval '7 minutes' end,
             case s.level when 0 then case when g % 5 = 0 then 1 else 3 end when 1 then 7 when 2 then 15 else 31 end
      from generate_series(1, ${BENCH_SESSIONS}::int) g
      cross join lateral (
        select now() - interval '30 days' + (g::float8 / ${BENCH_SESSIONS}) * interval '29 days 23 hours' as started_at,
               case when g % 10 = 0 then 3 when g % 10 in (1, 2) then 2 when g % 10 in (3, 4, 5) then 1 else 0 end
                 as level
      ) s`;
    await tx`
      insert into tracking.events (id, session_id, type, category, element_id, value, time_spent_ms, occurred_at,
                                   received_at)
      select gen_random_uuid(), s.id,
             (array['page_view', 'click', 'hover', 'scroll', 'selection'])[1 + k % 5],
             (array['nest', 'facade', 'roof', 'windows', 'interior'])[1 + k % 5],
             'el-' || k,
             case when k % 5 = 4 then 'option-' || ((hashtext(s.id::text) + k) & 7) end,
             200 + (k * 37) % 5000,
             s.started_at + k * interval '19 seconds',
             s.started_at + k * interval '19 seconds' + interval '2 seconds'
      from tracking.sessions s
      cross join generate_series(0, ${EVENTS_PER_SESSION - 1}::int) k
      where s.visitor_id = 'bench-5m'`;
    await tx`
      insert into tracking.snapshots (id, session_id, configuration, total_price, completion_percentage, trigger,
                                      occurred_at, received_at)
      select gen_random_uuid(), s.id,
             jsonb_build_object('nest', 'nest-' || (40 + 20 * (hashtext(s.id::text) & 3)),
                                'facade', (array['wood', 'plaster', 'metal'])[1 + (hashtext(s.id::text) >> 3 & 1)]),
             100000 + (hashtext(s.id::text) & 65535),
             case when s.completion_level >= 2 then 100 else 60 end,
             case when s.completion_level = 3 then 'order_attempt' else 'auto_save' end,
             s.started_at + interval '7 minutes', s.started_at + interval '7 minutes'
      from tracking.sessions s
      where s.visitor_id = 'bench-5m' and s.completion_level >= 1`;
    await tx`
      insert into tracking.performance_metrics (id, session_id, name, value, route, occurred_at, received_at)
      select gen_random_uuid(), null, ${BENCH_METRIC}, 20 + 400 * power(random(), 3), '/price',
             now() - interval '30 days' + (g::float8 / 500000) * interval '29 days 23 hours',
             now() - interval '30 days' + (g::float8 / 500000) * interval '29 days 23 hours'
      from generate_series(1, 500000) g`;
    await tx`insert into tracking.sessions (id, visitor_id) values (${MARKER}, 'bench-marker')`;
  });
  log(`generated in ${Math.round((performance.now() - started) / 1000)} s; rebuilding rollups...`);
  const rebuild = performance.now();
  await sql.begin(async (tx) => {
    await tx`set local statement_timeout = 0`;
    await tx`select tracking.rebuild_rollups()`;
  });
  await sql`analyze tracking.events`;
  await sql`analyze tracking.sessions`;
  await sql`analyze tracking.performance_metrics`;
  log(`rollups rebuilt in ${Math.round((performance.now() - rebuild) / 1000)} s`);
}
