-- Tracking schema: tables, daily partitions (ahead, default catch-all, retention), RLS coverage,
-- privileges on the ingest path, cron jobs and the realtime publication.
begin;
select plan(46);

select has_schema('tracking');
select has_table('tracking', t, format('tracking.%s exists', t))
from unnest(array['sessions', 'events', 'snapshots', 'performance_metrics', 'settings', 'funnel_steps',
                  'rollup_state', 'rollup_events', 'rollup_selections', 'rollup_snapshots', 'rollup_metric_bins',
                  'rollup_metrics', 'rollup_sessions', 'rollup_funnel']) t;

select is((select relkind::text from pg_class where oid = 'tracking.events'::regclass), 'p',
  'events is a partitioned table');
select col_is_pk('tracking', 'events', array['occurred_at', 'id'], 'events are unique by (occurred_at, id), in time order');
select has_column('tracking', 'sessions', 'completion_state', 'sessions carry their completion state');

select ok(
  (select bool_and(to_regclass(format('tracking_partitions.%s', tracking.event_partition_name(d::date))) is not null)
   from generate_series(current_date - 7, current_date + 7, interval '1 day') d),
  'daily partitions exist from a week back to a week ahead');

select is_empty(
  $$select t from tests.tables_without_rls() t where t like 'tracking.%' or t like 'tracking\_partitions.%'$$,
  'every tracking table, partitions included, has RLS enabled');
select is_empty(
  $$select c.relname from pg_class c where c.relnamespace = 'tracking'::regnamespace and c.relispartition$$,
  'no partition sits in the exposed tracking schema (the generated types stay the same from day to day)');

-- A day without a partition lands in the default partition; creating the partition moves it.
insert into tracking.events (id, session_id, type, occurred_at)
values ('00000000-0000-4000-8000-0000000e0001', '00000000-0000-4000-8000-0000000e5001', 'click',
        (current_date + 40)::timestamp at time zone 'utc' + interval '3 hours');
select is((select count(*)::int from tracking_partitions.events_default), 1, 'an event without a partition lands in default');
select is(tracking.ensure_event_partitions(current_date + 40, current_date + 40), 1, 'the missing partition is created');
select is((select count(*)::int from tracking_partitions.events_default), 0, 'and the default partition is emptied');
select is((select count(*)::int from tracking.events where id = '00000000-0000-4000-8000-0000000e0001'), 1,
  'the moved event is still stored exactly once');
select ok(
  (select relrowsecurity from pg_class
   where oid = to_regclass(format('tracking_partitions.%s', tracking.event_partition_name(current_date + 40)))),
  'a new partition gets RLS');
select is(tracking.ensure_event_partitions(current_date + 40, current_date + 40), 0, 'creating partitions is idempotent');

-- Retention drops whole days beyond retention_days and prunes the unpartitioned tables.
update tracking.settings set retention_days = 10;
select is(tracking.ensure_event_partitions(current_date - 12, current_date - 12), 1, 'a partition for a past day can be created');
insert into tracking.events (id, session_id, type, occurred_at)
values ('00000000-0000-4000-8000-0000000e0002', '00000000-0000-4000-8000-0000000e5001', 'click',
        (current_date - 12)::timestamp at time zone 'utc' + interval '1 hour');
insert into tracking.snapshots (id, session_id, configuration, trigger, occurred_at)
values ('00000000-0000-4000-8000-0000000e0003', '00000000-0000-4000-8000-0000000e5001', '{}', 'auto_save',
        now() - interval '12 days'),
       ('00000000-0000-4000-8000-0000000e0004', '00000000-0000-4000-8000-0000000e5001', '{}', 'auto_save',
        now() - interval '1 day');
select ok(tracking.apply_retention() >= 2, 'retention reports what it removed');
select is(to_regclass(format('tracking_partitions.%s', tracking.event_partition_name(current_date - 12))), null,
  'the partition older than the retention is dropped');
select ok(to_regclass(format('tracking_partitions.%s', tracking.event_partition_name(current_date - 7))) is not null,
  'partitions inside the retention stay');
select results_eq(
  $$select id::text from tracking.snapshots where session_id = '00000000-0000-4000-8000-0000000e5001'$$,
  $$values ('00000000-0000-4000-8000-0000000e0004')$$,
  'old snapshots are pruned, recent ones kept');
select throws_ok($$update tracking.settings set retention_days = 5$$, '23514', null,
  'retention cannot be shorter than the accepted lateness');

-- Ingest path and privileges.
select ok(not has_function_privilege('anon', 'tracking.ingest_events(uuid, uuid, jsonb, jsonb)', 'execute'),
  'anon cannot call the ingest function directly');
select ok(not has_function_privilege('authenticated', 'tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb)', 'execute'),
  'authenticated cannot call the snapshot ingest directly');
select ok(has_function_privilege('service_role', 'tracking.ingest_metrics(uuid, uuid, jsonb, jsonb)', 'execute'),
  'service_role (the edge function path) may ingest');
select ok(not has_function_privilege('anon', 'tracking.ingest_event_batches(jsonb)', 'execute'),
  'anon cannot call the grouped ingest directly');
select ok(not has_function_privilege('authenticated', 'tracking.ingest_event_batches(jsonb)', 'execute'),
  'authenticated cannot call the grouped ingest directly');
select ok(has_function_privilege('service_role', 'tracking.ingest_event_batches(jsonb)', 'execute'),
  'service_role (the edge function path) may ingest groups');
select ok(not has_function_privilege('anon', 'tracking.touch_sessions(tracking.session_touch[])', 'execute'),
  'anon cannot create or touch sessions directly');
select ok(not has_function_privilege('authenticated', 'tracking.run_rollups()', 'execute'),
  'rollups are not callable by browsers');
select ok(has_function_privilege('authenticated', 'tracking.analytics_overview(timestamptz, timestamptz)', 'execute'),
  'analytics RPCs are granted to authenticated (they check the role inside)');

-- Pipelines.
select results_eq(
  $$select schedule, command from cron.job where jobname = 'tracking-rollups'$$,
  $$values ('* * * * *'::text, $c$select private.run_job('tracking-rollups', 'select tracking.run_rollups()')$c$::text)$$,
  'rollups run every minute through run_job');
select results_eq(
  $$select schedule, command from cron.job where jobname = 'tracking-partitions'$$,
  $$values ('7 * * * *'::text,
            $c$select private.run_job('tracking-partitions', 'select tracking.maintain_partitions()')$c$::text)$$,
  'partition maintenance runs hourly through run_job');
select set_eq(
  $$select tablename::text from pg_publication_tables where pubname = 'supabase_realtime' and schemaname = 'tracking'$$,
  array['rollup_sessions', 'rollup_events', 'rollup_metrics', 'rollup_funnel', 'rollup_snapshots'],
  'rollup tables are published to Realtime');

select has_index('tracking', 'sessions', 'sessions_visitor_idx', array['visitor_id'],
  'a visitor''s sessions (return visits, a lead scoring signal) are found through an index');

select * from finish();
rollback;
