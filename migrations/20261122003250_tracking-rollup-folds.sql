-- Rollup folds: each folds the rows received in [since, horizon) into its rollups and returns the
-- rollup rows touched. tracking.run_rollups owns the watermark and calls tracking.rollup_window;
-- tests call them with explicit windows.

-- Events by type and category. Late events fold into the (older) bucket they occurred in.
create or replace function tracking.rollup_events_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
begin
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

  return n;
end;
$$;

-- Selections by category and chosen value.
create or replace function tracking.rollup_selections_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
begin
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

  return n;
end;
$$;

-- Configuration snapshots by trigger: counts, completions and price statistics.
create or replace function tracking.rollup_snapshots_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
begin
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

  return n;
end;
$$;

create or replace function tracking.rollup_metrics_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
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

  perform tracking.rollup_metric_percentiles(since, horizon);
  return n;
end;
$$;

-- Recomputes p50/p95/p99 of the metric buckets touched by rows received in [since, horizon) from
-- their complete histograms (this run's bins included); returns the buckets updated.
create or replace function tracking.rollup_metric_percentiles(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  m bigint;
begin
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
  return m;
end;
$$;

create or replace function tracking.rollup_sessions_between(since timestamptz, horizon timestamptz) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  hours timestamptz[];
  days timestamptz[];
  n bigint;
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
  return n + tracking.rollup_session_days(days);
end;
$$;

-- Rebuilds the daily session and funnel rollups of the given days from their hourly rows.
create or replace function tracking.rollup_session_days(days timestamptz[]) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  n bigint;
  m bigint;
begin
  delete from tracking.rollup_sessions where grain = 'day' and bucket = any (days);
  delete from tracking.rollup_funnel where grain = 'day' and bucket = any (days);
  insert into tracking.rollup_sessions (grain, bucket, device_type, sessions, conversions, orders, duration_ms_sum)
  select 'day', date_trunc('day', r.bucket, 'UTC'), r.device_type, sum(r.sessions), sum(r.conversions),
         sum(r.orders), sum(r.duration_ms_sum)
  from tracking.rollup_sessions r
  where r.grain = 'hour' and r.bucket >= (select min(d) from unnest(days) d)
    and date_trunc('day', r.bucket, 'UTC') = any (days)
  group by 2, 3;
  get diagnostics n = row_count;
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

-- Folds the rows received in [since, horizon) into every rollup; returns the rollup rows touched.
create or replace function tracking.rollup_window(since timestamptz, horizon timestamptz) returns bigint
language sql volatile set search_path = '' as $$
  select tracking.rollup_events_between(since, horizon) + tracking.rollup_selections_between(since, horizon)
       + tracking.rollup_snapshots_between(since, horizon) + tracking.rollup_metrics_between(since, horizon)
       + tracking.rollup_sessions_between(since, horizon)
$$;

revoke execute on function tracking.rollup_window(timestamptz, timestamptz),
  tracking.rollup_events_between(timestamptz, timestamptz), tracking.rollup_selections_between(timestamptz, timestamptz),
  tracking.rollup_snapshots_between(timestamptz, timestamptz),
  tracking.rollup_metrics_between(timestamptz, timestamptz), tracking.rollup_sessions_between(timestamptz, timestamptz),
  tracking.rollup_session_days(timestamptz[]), tracking.rollup_metric_percentiles(timestamptz, timestamptz)
  from public, anon, authenticated;

-- Comments: what each RPC does (Studio shows them; tests/db/foundation/08-comments).

comment on function tracking.rollup_window(timestamptz, timestamptz) is 'Folds rows received in [since, horizon) into every rollup.';
comment on function tracking.rollup_events_between(timestamptz, timestamptz) is 'Fold: events by type and category.';
comment on function tracking.rollup_selections_between(timestamptz, timestamptz) is 'Fold: selections by category and value.';
comment on function tracking.rollup_snapshots_between(timestamptz, timestamptz) is 'Fold: snapshots by trigger.';
comment on function tracking.rollup_metrics_between(timestamptz, timestamptz) is 'Fold: metric bins and statistics, percentiles of touched buckets.';
comment on function tracking.rollup_sessions_between(timestamptz, timestamptz) is 'Fold: sessions and funnel of the start hours touched.';
comment on function tracking.rollup_metric_percentiles(timestamptz, timestamptz) is 'Fold: percentiles of the metric buckets touched, from their histograms.';
comment on function tracking.rollup_session_days(timestamptz[]) is 'Fold: rebuilds daily sessions and funnel from their hours.';
