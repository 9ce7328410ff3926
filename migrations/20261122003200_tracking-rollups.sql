-- Rollups: hourly and daily aggregates kept incrementally by pg_cron every minute. This file holds the
-- rollup tables, their policies, the horizon and the run; tracking-rollup-folds holds the folds.
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
-- its state in pg_stat_activity. Only client backends write rows: a walsender (Realtime's logical
-- replication connection is one, open all the time on a real project) reports an active statement
-- since it connected and would freeze the horizon there; autovacuum and other workers never insert.
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
    and a.backend_type = 'client backend';
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

revoke execute on function tracking.run_rollups(), tracking.rebuild_rollups(), tracking.rollup_horizon()
  from public, anon, authenticated;
grant execute on function tracking.metric_bin(double precision), tracking.metric_bin_value(int)
  to authenticated, service_role;

select cron.schedule('tracking-rollups', '* * * * *',
  $$select private.run_job('tracking-rollups', 'select tracking.run_rollups()')$$);

-- Comments: what each table, column and RPC holds (Studio shows them; tests/db/foundation/08-comments).

comment on table tracking.rollup_state is 'The rollup watermark: raw rows received before processed_until are folded into the rollups.';
comment on column tracking.rollup_state.name is 'Watermark name (rollups).';
comment on column tracking.rollup_state.processed_until is 'Rows received before this are folded.';
comment on column tracking.rollup_state.last_run_at is 'When the last run finished.';
comment on column tracking.rollup_state.last_rows is 'Rollup rows the last run touched.';
comment on table tracking.rollup_events is 'Events per hour and day by type and category.';
comment on column tracking.rollup_events.grain is 'hour or day (UTC).';
comment on column tracking.rollup_events.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_events.type is 'Event type.';
comment on column tracking.rollup_events.category is 'Event category (empty for none).';
comment on column tracking.rollup_events.events is 'Number of events.';
comment on column tracking.rollup_events.time_spent_ms is 'Sum of time spent.';
comment on table tracking.rollup_selections is 'Selections per hour and day by category and value (popular options).';
comment on column tracking.rollup_selections.grain is 'hour or day (UTC).';
comment on column tracking.rollup_selections.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_selections.category is 'Selection category (empty for none).';
comment on column tracking.rollup_selections.value is 'Selected value.';
comment on column tracking.rollup_selections.selections is 'Number of selections.';
comment on table tracking.rollup_snapshots is 'Snapshots per hour and day by trigger, with completion and price statistics.';
comment on column tracking.rollup_snapshots.grain is 'hour or day (UTC).';
comment on column tracking.rollup_snapshots.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_snapshots.trigger is 'Snapshot trigger.';
comment on column tracking.rollup_snapshots.snapshots is 'Number of snapshots.';
comment on column tracking.rollup_snapshots.completed is 'Snapshots at 100 % completion.';
comment on column tracking.rollup_snapshots.priced is 'Snapshots with a price.';
comment on column tracking.rollup_snapshots.price_sum is 'Sum of prices.';
comment on column tracking.rollup_snapshots.price_min is 'Lowest price.';
comment on column tracking.rollup_snapshots.price_max is 'Highest price.';
comment on table tracking.rollup_metric_bins is 'Metric histograms per hour and day in 5 % logarithmic bins (percentiles stay exact under late samples).';
comment on column tracking.rollup_metric_bins.grain is 'hour or day (UTC).';
comment on column tracking.rollup_metric_bins.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_metric_bins.name is 'Metric name.';
comment on column tracking.rollup_metric_bins.bin is 'Bin number (tracking.metric_bin).';
comment on column tracking.rollup_metric_bins.samples is 'Samples in the bin.';
comment on table tracking.rollup_metrics is 'Metric statistics per hour and day, percentiles recomputed from the bins.';
comment on column tracking.rollup_metrics.grain is 'hour or day (UTC).';
comment on column tracking.rollup_metrics.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_metrics.name is 'Metric name.';
comment on column tracking.rollup_metrics.samples is 'Number of samples.';
comment on column tracking.rollup_metrics.value_sum is 'Sum of values.';
comment on column tracking.rollup_metrics.value_min is 'Smallest value.';
comment on column tracking.rollup_metrics.value_max is 'Largest value.';
comment on column tracking.rollup_metrics.p50 is 'Median.';
comment on column tracking.rollup_metrics.p95 is '95th percentile.';
comment on column tracking.rollup_metrics.p99 is '99th percentile.';
comment on table tracking.rollup_sessions is 'Sessions per start hour and day by device: conversions, orders and duration.';
comment on column tracking.rollup_sessions.grain is 'hour or day (UTC).';
comment on column tracking.rollup_sessions.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_sessions.device_type is 'Device type.';
comment on column tracking.rollup_sessions.sessions is 'Sessions started.';
comment on column tracking.rollup_sessions.conversions is 'Sessions that completed or ordered.';
comment on column tracking.rollup_sessions.orders is 'Sessions that attempted an order.';
comment on column tracking.rollup_sessions.duration_ms_sum is 'Sum of session durations.';
comment on table tracking.rollup_funnel is 'Sessions per start hour and day that reached each funnel step (and every step before it).';
comment on column tracking.rollup_funnel.grain is 'hour or day (UTC).';
comment on column tracking.rollup_funnel.bucket is 'Start of the hour or day.';
comment on column tracking.rollup_funnel.position is 'Funnel step.';
comment on column tracking.rollup_funnel.sessions is 'Sessions that reached it.';
comment on function tracking.metric_bin(double precision) is 'The 5 % logarithmic histogram bin of a metric value.';
comment on function tracking.metric_bin_value(int) is 'The representative value of a histogram bin.';
comment on function tracking.rollup_horizon() is 'The safe upper bound of a rollup run: every row received below it is committed.';
comment on function tracking.run_rollups() is 'The per-minute rollup job: folds rows received since the watermark and advances it.';
comment on function tracking.rebuild_rollups() is 'Rebuilds every rollup from the raw rows still retained.';
