-- Rollups: each window folds in only the rows received in it, late events land in the bucket they
-- occurred in, a window counted twice is prevented by the watermark, metric percentiles come from
-- the histograms, session and funnel rollups are recomputed; the analytics RPCs read them.
begin;
select plan(22);

-- A private hour two days back, so rows from anything else never share these buckets.
create temporary table t as
select date_trunc('hour', now() - interval '2 days') + interval '10 minutes' as at,
       now() - interval '30 minutes' as received;

insert into tracking.sessions (id, device_type, started_at, last_seen_at, last_event_at, completion_level, steps_mask)
select ('00000000-0000-4000-8000-0000000f000' || n)::uuid, case when n <= 2 then 'mobile' else 'desktop' end,
       (select at from t), (select received from t), (select at from t) + (n || ' minutes')::interval,
       case when n = 1 then 3 when n = 2 then 2 else 0 end,
       case when n <= 2 then 31 when n = 3 then 3 else 1 end
from generate_series(1, 4) n;

insert into tracking.events (id, session_id, type, category, value, time_spent_ms, occurred_at, received_at)
select gen_random_uuid(), '00000000-0000-4000-8000-0000000f0001',
       case when n % 2 = 0 then 'selection' else 'click' end, 'rollup-test',
       case when n % 2 = 0 then case when n % 4 = 0 then 'oak' else 'pine' end end, 100,
       (select at from t), (select received from t)
from generate_series(1, 10) n;

insert into tracking.snapshots (id, session_id, configuration, total_price, completion_percentage, trigger,
                                occurred_at, received_at)
values (gen_random_uuid(), '00000000-0000-4000-8000-0000000f0001', '{"wood":"oak"}', 1000, 100, 'order_attempt',
        (select at from t), (select received from t)),
       (gen_random_uuid(), '00000000-0000-4000-8000-0000000f0002', '{"wood":"oak"}', 3000, 100, 'order_attempt',
        (select at from t), (select received from t));

insert into tracking.performance_metrics (id, name, value, occurred_at, received_at)
select gen_random_uuid(), 'rollup_test_ms', n, (select at from t), (select received from t)
from generate_series(1, 100) n;

select ok(tracking.rollup_window((select received from t) - interval '1 minute', (select received from t) + interval '1 minute') > 0,
  'a window with new rows touches rollups');

create temporary table bucket as select date_trunc('hour', (select at from t), 'UTC') as hour;
grant select on t, bucket to authenticated;

select results_eq(
  $$select type, events::int, time_spent_ms::int from tracking.rollup_events
    where grain = 'hour' and bucket = (select hour from bucket) and category = 'rollup-test' order by type$$,
  $$values ('click'::text, 5, 500), ('selection'::text, 5, 500)$$,
  'events are counted by type and category per hour');
select results_eq(
  $$select sum(events)::int from tracking.rollup_events
    where grain = 'day' and bucket = date_trunc('day', (select hour from bucket), 'UTC') and category = 'rollup-test'$$,
  $$values (10)$$, 'and per day');
select results_eq(
  $$select value, selections::int from tracking.rollup_selections
    where grain = 'hour' and bucket = (select hour from bucket) and category = 'rollup-test' order by value$$,
  $$values ('oak'::text, 2), ('pine'::text, 3)$$, 'selections are counted per option');
select results_eq(
  $$select snapshots::int, completed::int, price_sum, price_min, price_max from tracking.rollup_snapshots
    where grain = 'hour' and bucket = (select hour from bucket) and trigger = 'order_attempt'$$,
  $$values (2, 2, 4000::numeric, 1000::numeric, 3000::numeric)$$, 'snapshot prices are aggregated');
select results_eq(
  $$select samples::int, value_min, value_max from tracking.rollup_metrics
    where grain = 'hour' and bucket = (select hour from bucket) and name = 'rollup_test_ms'$$,
  $$values (100, 1::float8, 100::float8)$$, 'metrics keep count, min and max');
select ok(
  (select abs(p50 - 50) <= 2.5 and abs(p95 - 95) <= 4.75 and abs(p99 - 99) <= 4.95 from tracking.rollup_metrics
   where grain = 'hour' and bucket = (select hour from bucket) and name = 'rollup_test_ms'),
  'p50/p95/p99 are within the 5 % bin width of the exact values');
select results_eq(
  $$select device_type, sessions::int, conversions::int, orders::int from tracking.rollup_sessions
    where grain = 'hour' and bucket = (select hour from bucket) order by device_type$$,
  $$values ('desktop'::text, 2, 0, 0), ('mobile'::text, 2, 2, 1)$$,
  'sessions, conversions and orders per device for the start hour');
select results_eq(
  $$select position::int, sessions::int from tracking.rollup_funnel
    where grain = 'hour' and bucket = (select hour from bucket) order by position$$,
  $$values (1, 4), (2, 3), (3, 2), (4, 2), (5, 2)$$, 'each funnel step counts sessions that reached it in order');

-- An empty window changes nothing: what was counted is not counted again.
select is(tracking.rollup_window((select received from t) + interval '1 minute', (select received from t) + interval '2 minutes'),
  0::bigint, 'a window without new rows touches nothing');
select results_eq(
  $$select sum(events)::int from tracking.rollup_events
    where grain = 'hour' and bucket = (select hour from bucket) and category = 'rollup-test'$$,
  $$values (10)$$, 'and the counts stay the same');

-- A late event (received now, occurred two days ago) folds into its old bucket on the next window.
insert into tracking.events (id, session_id, type, category, occurred_at, received_at)
values (gen_random_uuid(), '00000000-0000-4000-8000-0000000f0003', 'click', 'rollup-test',
        (select at from t) + interval '5 minutes', (select received from t) + interval '3 minutes');
insert into tracking.performance_metrics (id, name, value, occurred_at, received_at)
select gen_random_uuid(), 'rollup_test_ms', 1000, (select at from t), (select received from t) + interval '3 minutes'
from generate_series(1, 100);
update tracking.sessions set last_seen_at = (select received from t) + interval '3 minutes', completion_level = 2
where id = '00000000-0000-4000-8000-0000000f0003';
select ok(tracking.rollup_window((select received from t) + interval '2 minutes', (select received from t) + interval '4 minutes') > 0,
  'the next window picks up the late rows');
select results_eq(
  $$select events::int from tracking.rollup_events
    where grain = 'hour' and bucket = (select hour from bucket) and category = 'rollup-test' and type = 'click'$$,
  $$values (6)$$, 'the late event is added to the hour it occurred in');
select results_eq(
  $$select samples::int, value_max from tracking.rollup_metrics
    where grain = 'day' and bucket = date_trunc('day', (select hour from bucket), 'UTC') and name = 'rollup_test_ms'$$,
  $$values (200, 1000::float8)$$, 'late samples are merged into the daily metric');
select ok(
  (select p50 > 90 and p95 > 900 from tracking.rollup_metrics
   where grain = 'hour' and bucket = (select hour from bucket) and name = 'rollup_test_ms'),
  'and the percentiles are recomputed over the whole hour');
select results_eq(
  $$select sum(sessions)::int, sum(conversions)::int from tracking.rollup_sessions
    where grain = 'hour' and bucket = (select hour from bucket)$$,
  $$values (4, 3)$$, 'a touched session is recomputed, not added twice');
select results_eq(
  $$select sum(sessions)::int, sum(conversions)::int from tracking.rollup_sessions
    where grain = 'day' and bucket = date_trunc('day', (select hour from bucket), 'UTC')
      and device_type in ('mobile', 'desktop')$$,
  $$select sum(sessions)::int, sum(conversions)::int from tracking.rollup_sessions
    where grain = 'hour' and date_trunc('day', bucket, 'UTC') = date_trunc('day', (select hour from bucket), 'UTC')
      and device_type in ('mobile', 'desktop')$$,
  'the day equals the sum of its hours');

-- The watermark: run_rollups only moves forward and records where it stopped.
update tracking.rollup_state set processed_until = now() - interval '1 minute';
select lives_ok($$select tracking.run_rollups()$$, 'run_rollups runs');
select ok((select processed_until > now() - interval '1 minute' and last_run_at is not null
           from tracking.rollup_state where name = 'rollups'), 'and advances the watermark');

-- The analytics RPCs over the rollups.
select tests.create_supabase_user('rollup_analyst', null, 'analyst');
select tests.authenticate_as('rollup_analyst');
select is(
  (select tracking.analytics_overview((select hour from bucket), (select hour from bucket) + interval '1 hour')
     - 'asOf' - 'from' - 'to' - 'eventsByType'),
  (select jsonb_build_object('grain', 'hour', 'sessions', 4, 'conversions', 3, 'orders', 1, 'conversionRate', 0.75,
     'averageSessionDurationMs', 150000, 'events', 11, 'devices', '{"mobile": 2, "desktop": 2}'::jsonb)),
  'the overview reads sessions, conversion rate, duration, events and devices from the rollups');
select is(
  (select jsonb_path_query_array(tracking.analytics_funnel((select hour from bucket), (select hour from bucket) + interval '1 hour'),
     '$.steps[*].dropOff')),
  '[0, 1, 1, 0, 0]'::jsonb, 'the funnel reports the drop-off per step');
select is(
  (select tracking.analytics_performance('rollup_test_ms', (select hour from bucket), (select hour from bucket) + interval '1 hour')
     -> 'overall' -> 'samples'),
  '200'::jsonb, 'performance merges the histograms of the window');

select * from finish();
rollback;
