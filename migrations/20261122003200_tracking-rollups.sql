-- Rollups: hourly and daily aggregates kept incrementally by pg_cron every minute.
--
-- Each run reads only rows received since the last watermark and below a safe upper bound below
-- which every row is committed (tracking.rollup_horizon). Additive facts
-- (events, selections, snapshots, metric histograms) are added; per-session facts are recomputed
-- for the start hours of sessions touched in the window. The whole run is one transaction that
-- also advances the watermark, so a run killed midway changes nothing and the rerun counts once.

create table tracking.rollup_state (
  name text primary key,
  processed_until timestamptz not null,
  last_run_at timestamptz,
  last_rows bigint
);
insert into tracking.rollup_state (name, processed_until) values ('rollups', now());
alter table tracking.rollup_state enable row level security;

create table tracking.rollup_events (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  type text not null,
  category text not null default '',
  events bigint not null,
  time_spent_ms bigint not null default 0,
  primary key (grain, bucket, type, category)
);

create table tracking.rollup_selections (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  category text not null default '',
  value text not null,
  selections bigint not null,
  primary key (grain, bucket, category, value)
);

create table tracking.rollup_snapshots (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  trigger text not null,
  snapshots bigint not null,
  completed bigint not null,
  priced bigint not null,
  price_sum numeric not null default 0,
  price_min numeric,
  price_max numeric,
  primary key (grain, bucket, trigger)
);

-- Metric values in logarithmic bins (5 % wide): additive across runs, so percentiles stay correct
-- when late samples arrive; the percentile columns of rollup_metrics are recomputed from the bins.
create table tracking.rollup_metric_bins (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  name text not null,
  bin int not null,
  samples bigint not null,
  primary key (grain, bucket, name, bin)
);

create table tracking.rollup_metrics (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  name text not null,
  samples bigint not null,
  value_sum double precision not null,
  value_min double precision,
  value_max double precision,
  p50 double precision,
  p95 double precision,
  p99 double precision,
  primary key (grain, bucket, name)
);
create index rollup_metrics_name_idx on tracking.rollup_metrics (name, grain, bucket);

-- Per session start hour (and day): sessions, conversions (completed or ordered), orders, duration.
create table tracking.rollup_sessions (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  device_type text not null,
  sessions bigint not null,
  conversions bigint not null,
  orders bigint not null,
  duration_ms_sum bigint not null,
  primary key (grain, bucket, device_type)
);

create table tracking.rollup_funnel (
  grain text not null check (grain in ('hour', 'day')),
  bucket timestamptz not null,
  position smallint not null,
  sessions bigint not null,
  primary key (grain, bucket, position)
);

alter table tracking.rollup_events enable row level security;
alter table tracking.rollup_selections enable row level security;
alter table tracking.rollup_snapshots enable row level security;
alter table tracking.rollup_metric_bins enable row level security;
alter table tracking.rollup_metrics enable row level security;
alter table tracking.rollup_sessions enable row level security;
alter table tracking.rollup_funnel enable row level security;

do $$
declare
  t text;
begin
  foreach t in array array['rollup_state', 'rollup_events', 'rollup_selections', 'rollup_snapshots',
                           'rollup_metric_bins', 'rollup_metrics', 'rollup_sessions', 'rollup_funnel'] loop
    execute format('grant select on tracking.%I to authenticated, service_role', t);
    execute format($p$create policy "analysts and admins read %s" on tracking.%I for select to authenticated
                      using ((select private.has_any_role(array['admin', 'analyst'])))$p$, t, t);
  end loop;
end
$$;

-- Dashboards subscribe to rollup changes (postgres_changes, filtered by the policies above) and to
-- the private broadcast topic 'analytics:tracking' that every run sends a summary to.
alter publication supabase_realtime add table tracking.rollup_sessions, tracking.rollup_events,
  tracking.rollup_metrics, tracking.rollup_funnel, tracking.rollup_snapshots;

create policy "analysts and admins receive tracking analytics" on realtime.messages
  for select to authenticated
  using ((select realtime.topic()) = 'analytics:tracking'
         and (select private.has_any_role(array['admin', 'analyst']))
         and extension = 'broadcast');

create or replace function tracking.metric_bin(value double precision) returns int
language sql immutable parallel safe set search_path = '' as $$
  select case when value <= 0.001 then -1000 else floor(ln(value) / ln(1.05))::int end
$$;

-- The geometric middle of a bin (relative error under 2.5 %); bin -1000 stands for values <= 0.001.
create or replace function tracking.metric_bin_value(bin int) returns double precision
language sql immutable parallel safe set search_path = '' as $$
  select case when bin = -1000 then 0 else power(1.05::double precision, bin + 0.5) end
$$;

-- The safe upper bound of a run: every row received below it is committed and visible to the next
-- statement. Rows carry received_at = the start of the statement that wrote them, so an open
-- transaction that has written (it holds an xid) bounds the horizon by its start, and one that is
-- running a statement without an xid yet by that statement's start; idle transactions that wrote
-- nothing (dashboards, lock holders) write later rows with later timestamps and do not hold it back.
-- One second of margin covers the instant between a statement taking its start time and publishing
-- its state in pg_stat_activity.
create or replace function tracking.rollup_horizon() returns timestamptz
language plpgsql volatile set search_path = '' as $$
declare
  oldest timestamptz;
begin
  perform pg_catalog.pg_stat_clear_snapshot();
  select min(case when a.backend_xid is not null then a.xact_start
                  when a.state = 'active' then a.query_start end)
    into oldest
  from pg_catalog.pg_stat_activity a
  where a.datname = pg_catalog.current_database()
    and a.pid <> pg_catalog.pg_backend_pid()
    and a.backend_type not like 'autovacuum%';
  return least(pg_catalog.clock_timestamp(), coalesce(oldest, 'infinity'::timestamptz)) - interval '1 second';
end;
$$;

-- One incremental run: takes the watermark lock, folds in [watermark, safe horizon), advances.
create or replace function tracking.run_rollups() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  since timestamptz;
  horizon timestamptz;
  touched bigint;
begin
  -- Serializes runs; a concurrent run waits here and then sees the advanced watermark.
  select s.processed_until into since from tracking.rollup_state s where s.name = 'rollups' for update;
  horizon := tracking.rollup_horizon();
  if horizon <= since then
    return 0;
  end if;
  touched := tracking.rollup_window(since, horizon);
  update tracking.rollup_state
  set processed_until = horizon, last_run_at = now(), last_rows = touched
  where name = 'rollups';
  perform realtime.send(
    jsonb_build_object('processedUntil', horizon, 'rowsTouched', touched),
    'rollup', 'analytics:tracking', true);
  return touched;
end;
$$;

-- Folds the rows received in [since, horizon) into every rollup; returns the rollup rows touched.
-- Callers own the watermark (run_rollups); tests call it with explicit windows.
create or replace function tracking.rollup_window(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  touched bigint := 0;
  n bigint;
begin
  -- Events by type and category. Late events fold into the (older) bucket they occurred in.
  with src as (
    select date_trunc('hour', e.occurred_at, 'UTC') as hour, e.type, coalesce(e.category, '') as category,
           count(*) as events, coalesce(sum(e.time_spent_ms), 0) as spent
    from tracking.events e
    where e.received_at >= since and e.received_at < horizon
    group by 1, 2, 3
  ), expanded as (
    select 'hour' as grain, hour as bucket, type, category, events, spent from src
    union all
    select 'day', date_trunc('day', hour, 'UTC'), type, category, sum(events), sum(spent) from src group by 2, 3, 4
  ), upserted as (
    insert into tracking.rollup_events as r (grain, bucket, type, category, events, time_spent_ms)
    select grain, bucket, type, category, events, spent from expanded
    on conflict (grain, bucket, type, category) do update
      set events = r.events + excluded.events, time_spent_ms = r.time_spent_ms + excluded.time_spent_ms
    returning 1
  ) select count(*) into n from upserted;
  touched := touched + n;

  with src as (
    select date_trunc('hour', e.occurred_at, 'UTC') as hour, coalesce(e.category, '') as category,
           e.value, count(*) as selections
    from tracking.events e
    where e.received_at >= since and e.received_at < horizon and e.type = 'selection' and e.value is not null
    group by 1, 2, 3
  ), expanded as (
    select 'hour' as grain, hour as bucket, category, value, selections from src
    union all
    select 'day', date_trunc('day', hour, 'UTC'), category, value, sum(selections) from src group by 2, 3, 4
  ), upserted as (
    insert into tracking.rollup_selections as r (grain, bucket, category, value, selections)
    select grain, bucket, category, value, selections from expanded
    on conflict (grain, bucket, category, value) do update set selections = r.selections + excluded.selections
    returning 1
  ) select count(*) into n from upserted;
  touched := touched + n;

  with src as (
    select date_trunc('hour', s.occurred_at, 'UTC') as hour, s.trigger, count(*) as snapshots,
           count(*) filter (where s.completion_percentage >= 100) as completed,
           count(s.total_price) as priced, coalesce(sum(s.total_price), 0) as price_sum,
           min(s.total_price) as price_min, max(s.total_price) as price_max
    from tracking.snapshots s
    where s.received_at >= since and s.received_at < horizon
    group by 1, 2
  ), expanded as (
    select 'hour' as grain, hour as bucket, trigger, snapshots, completed, priced, price_sum, price_min, price_max
    from src
    union all
    select 'day', date_trunc('day', hour, 'UTC'), trigger, sum(snapshots), sum(completed), sum(priced),
           sum(price_sum), min(price_min), max(price_max)
    from src group by 2, 3
  ), upserted as (
    insert into tracking.rollup_snapshots as r
      (grain, bucket, trigger, snapshots, completed, priced, price_sum, price_min, price_max)
    select * from expanded
    on conflict (grain, bucket, trigger) do update set
      snapshots = r.snapshots + excluded.snapshots,
      completed = r.completed + excluded.completed,
      priced = r.priced + excluded.priced,
      price_sum = r.price_sum + excluded.price_sum,
      price_min = least(r.price_min, excluded.price_min),
      price_max = greatest(r.price_max, excluded.price_max)
    returning 1
  ) select count(*) into n from upserted;
  touched := touched + n;

  touched := touched + tracking.rollup_metrics_between(since, horizon);
  touched := touched + tracking.rollup_sessions_between(since, horizon);
  return touched;
end;
$$;

create or replace function tracking.rollup_metrics_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
  m bigint;
begin
  with src as (
    select date_trunc('hour', p.occurred_at, 'UTC') as hour, p.name, tracking.metric_bin(p.value) as bin,
           count(*) as samples, sum(p.value) as value_sum, min(p.value) as value_min, max(p.value) as value_max
    from tracking.performance_metrics p
    where p.received_at >= since and p.received_at < horizon
    group by 1, 2, 3
  ), bins as (
    select 'hour' as grain, hour as bucket, name, bin, samples from src
    union all
    select 'day', date_trunc('day', hour, 'UTC'), name, bin, sum(samples) from src group by 2, 3, 4
  ), stats as (
    select 'hour' as grain, hour as bucket, name, sum(samples) as samples, sum(value_sum) as value_sum,
           min(value_min) as value_min, max(value_max) as value_max
    from src group by 2, 3
    union all
    select 'day', date_trunc('day', hour, 'UTC'), name, sum(samples), sum(value_sum), min(value_min),
           max(value_max)
    from src group by 2, 3
  ), upserted_bins as (
    insert into tracking.rollup_metric_bins as r (grain, bucket, name, bin, samples)
    select grain, bucket, name, bin, samples from bins
    on conflict (grain, bucket, name, bin) do update set samples = r.samples + excluded.samples
    returning 1
  ), upserted_stats as (
    insert into tracking.rollup_metrics as r (grain, bucket, name, samples, value_sum, value_min, value_max)
    select grain, bucket, name, samples, value_sum, value_min, value_max from stats
    on conflict (grain, bucket, name) do update set
      samples = r.samples + excluded.samples,
      value_sum = r.value_sum + excluded.value_sum,
      value_min = least(r.value_min, excluded.value_min),
      value_max = greatest(r.value_max, excluded.value_max)
    returning 1
  )
  select (select count(*) from upserted_bins) + (select count(*) from upserted_stats) into n;

  -- Percentiles of the touched buckets from their complete histograms (now including this run).
  with hours as (
    select distinct date_trunc('hour', p.occurred_at, 'UTC') as hour, p.name
    from tracking.performance_metrics p
    where p.received_at >= since and p.received_at < horizon
  ), touched_buckets as (
    select 'hour' as grain, hour as bucket, name from hours
    union
    select 'day', date_trunc('day', hour, 'UTC'), name from hours
  ), ranked as (
    select b.grain, b.bucket, b.name, tracking.metric_bin_value(b.bin) as value,
           sum(b.samples) over (partition by b.grain, b.bucket, b.name order by b.bin) as running,
           sum(b.samples) over (partition by b.grain, b.bucket, b.name) as total
    from tracking.rollup_metric_bins b
    join touched_buckets t on t.grain = b.grain and t.bucket = b.bucket and t.name = b.name
  ), percentiles as (
    select grain, bucket, name,
           min(value) filter (where running >= 0.50 * total) as p50,
           min(value) filter (where running >= 0.95 * total) as p95,
           min(value) filter (where running >= 0.99 * total) as p99
    from ranked group by 1, 2, 3
  ), updated as (
    update tracking.rollup_metrics r
    set p50 = least(greatest(p.p50, r.value_min), r.value_max),
        p95 = least(greatest(p.p95, r.value_min), r.value_max),
        p99 = least(greatest(p.p99, r.value_min), r.value_max)
    from percentiles p
    where r.grain = p.grain and r.bucket = p.bucket and r.name = p.name
    returning 1
  ) select count(*) into m from updated;
  return n;
end;
$$;

create or replace function tracking.rollup_sessions_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  hours timestamptz[];
  days timestamptz[];
  n bigint;
  m bigint;
begin
  select coalesce(array_agg(distinct date_trunc('hour', s.started_at, 'UTC')), '{}')
    into hours
  from tracking.sessions s
  where s.last_seen_at >= since and s.last_seen_at < horizon;
  if cardinality(hours) = 0 then
    return 0;
  end if;
  select array_agg(distinct date_trunc('day', h, 'UTC')) into days from unnest(hours) h;

  delete from tracking.rollup_sessions where grain = 'hour' and bucket = any (hours);
  delete from tracking.rollup_funnel where grain = 'hour' and bucket = any (hours);

  with hour_sessions as (
    select date_trunc('hour', s.started_at, 'UTC') as bucket, s.device_type, s.completion_level, s.steps_mask,
           greatest(0, extract(epoch from (coalesce(s.last_event_at, s.started_at) - s.started_at)) * 1000)::bigint
             as duration_ms
    from unnest(hours) h
    join tracking.sessions s on s.started_at >= h and s.started_at < h + interval '1 hour'
  ), by_device as (
    insert into tracking.rollup_sessions (grain, bucket, device_type, sessions, conversions, orders, duration_ms_sum)
    select 'hour', bucket, device_type, count(*), count(*) filter (where completion_level >= 2),
           count(*) filter (where completion_level = 3), sum(duration_ms)
    from hour_sessions group by bucket, device_type
    returning 1
  ), steps as (
    select f.position, (select bit_or(1 << (g.position - 1)) from tracking.funnel_steps g
                        where g.position <= f.position) as required
    from tracking.funnel_steps f
  ), by_step as (
    insert into tracking.rollup_funnel (grain, bucket, position, sessions)
    select 'hour', hs.bucket, st.position, count(*) filter (where hs.steps_mask & st.required = st.required)
    from hour_sessions hs cross join steps st
    group by hs.bucket, st.position
    returning 1
  ) select (select count(*) from by_device) + (select count(*) from by_step) into n;

  -- Days are rebuilt from their hourly rows, which are now all current.
  delete from tracking.rollup_sessions where grain = 'day' and bucket = any (days);
  delete from tracking.rollup_funnel where grain = 'day' and bucket = any (days);
  insert into tracking.rollup_sessions (grain, bucket, device_type, sessions, conversions, orders, duration_ms_sum)
  select 'day', date_trunc('day', r.bucket, 'UTC'), r.device_type, sum(r.sessions), sum(r.conversions),
         sum(r.orders), sum(r.duration_ms_sum)
  from tracking.rollup_sessions r
  where r.grain = 'hour' and r.bucket >= (select min(d) from unnest(days) d)
    and date_trunc('day', r.bucket, 'UTC') = any (days)
  group by 2, 3;
  get diagnostics m = row_count;
  n := n + m;
  insert into tracking.rollup_funnel (grain, bucket, position, sessions)
  select 'day', date_trunc('day', r.bucket, 'UTC'), r.position, sum(r.sessions)
  from tracking.rollup_funnel r
  where r.grain = 'hour' and r.bucket >= (select min(d) from unnest(days) d)
    and date_trunc('day', r.bucket, 'UTC') = any (days)
  group by 2, 3;
  get diagnostics m = row_count;
  return n + m;
end;
$$;

-- Rebuilds every rollup from the raw rows still retained (after a funnel change, or a bulk load
-- with historic received_at values); the next run continues incrementally from here.
create or replace function tracking.rebuild_rollups() returns bigint
language plpgsql volatile set search_path = '' as $$
begin
  perform 1 from tracking.rollup_state where name = 'rollups' for update;
  truncate tracking.rollup_events, tracking.rollup_selections, tracking.rollup_snapshots,
    tracking.rollup_metric_bins, tracking.rollup_metrics, tracking.rollup_sessions, tracking.rollup_funnel;
  update tracking.rollup_state set processed_until = '-infinity' where name = 'rollups';
  return tracking.run_rollups();
end;
$$;

revoke execute on function tracking.run_rollups(), tracking.rebuild_rollups(), tracking.rollup_horizon(),
  tracking.rollup_window(timestamptz, timestamptz),
  tracking.rollup_metrics_between(timestamptz, timestamptz), tracking.rollup_sessions_between(timestamptz, timestamptz)
  from public, anon, authenticated;
grant execute on function tracking.metric_bin(double precision), tracking.metric_bin_value(int)
  to authenticated, service_role;

select cron.schedule('tracking-rollups', '* * * * *',
  $$select private.run_job('tracking-rollups', 'select tracking.run_rollups()')$$);
