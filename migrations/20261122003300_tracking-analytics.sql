-- Admin analytics RPCs. Security invoker: they read the rollups (and, for journeys and the live
-- view, raw rows) under the caller's RLS; the `analytics` edge function calls them through asUser,
-- and dashboards may call them through the Data API. Windows are [window_from, window_to), checked by
-- private.require_window like every module's; buckets are UTC hours for spans up to 7 days and UTC
-- days beyond. Refusals raise PT4xx (private.require_any_role).

create or replace function tracking.analytics_grain(window_from timestamptz, window_to timestamptz) returns text
language sql immutable set search_path = '' as $$
  select case when window_to - window_from > interval '7 days' then 'day' else 'hour' end
$$;

-- How far the rollups have folded in raw rows: every answer says which moment it is complete up to.
create or replace function tracking.rollups_processed_until() returns timestamptz
language sql stable set search_path = '' as $$
  select st.processed_until from tracking.rollup_state st where st.name = 'rollups'
$$;

create or replace function tracking.analytics_overview(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  g text := tracking.analytics_grain(window_from, window_to);
  from_bucket timestamptz := date_trunc(g, window_from, 'UTC');
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  perform private.require_window(window_from, window_to);
  with s as (
    select r.device_type, sum(r.sessions) as sessions, sum(r.conversions) as conversions, sum(r.orders) as orders,
           sum(r.duration_ms_sum) as duration
    from tracking.rollup_sessions r
    where r.grain = g and r.bucket >= from_bucket and r.bucket < window_to
    group by 1
  ), e as (
    select r.type, sum(r.events) as events
    from tracking.rollup_events r
    where r.grain = g and r.bucket >= from_bucket and r.bucket < window_to
    group by 1
  ), totals as (
    select coalesce(sum(sessions), 0) as sessions, coalesce(sum(conversions), 0) as conversions,
           coalesce(sum(orders), 0) as orders, coalesce(sum(duration), 0) as duration
    from s
  )
  select jsonb_build_object(
    'from', from_bucket, 'to', window_to, 'grain', g,
    'sessions', t.sessions,
    'conversions', t.conversions,
    'orders', t.orders,
    'conversionRate', case when t.sessions > 0 then round(t.conversions::numeric / t.sessions, 4) else 0 end,
    'averageSessionDurationMs', case when t.sessions > 0 then round(t.duration::numeric / t.sessions) else 0 end,
    'events', coalesce((select sum(events) from e), 0),
    'eventsByType', coalesce((select jsonb_object_agg(type, events) from e), '{}'::jsonb),
    'devices', coalesce((select jsonb_object_agg(device_type, sessions) from s), '{}'::jsonb),
    'asOf', tracking.rollups_processed_until()
  ) into result
  from totals t;
  return result;
end;
$$;

create or replace function tracking.analytics_funnel(window_from timestamptz, window_to timestamptz) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  g text := tracking.analytics_grain(window_from, window_to);
  from_bucket timestamptz := date_trunc(g, window_from, 'UTC');
  total bigint;
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  perform private.require_window(window_from, window_to);
  select coalesce(sum(r.sessions), 0) into total
  from tracking.rollup_sessions r
  where r.grain = g and r.bucket >= from_bucket and r.bucket < window_to;

  with reached as (
    select f.position, f.name, coalesce(sum(r.sessions), 0) as sessions
    from tracking.funnel_steps f
    left join tracking.rollup_funnel r
      on r.position = f.position and r.grain = g and r.bucket >= from_bucket and r.bucket < window_to
    group by f.position, f.name
  ), steps as (
    select position, name, sessions, coalesce(lag(sessions) over (order by position), total) as previous
    from reached
  )
  select jsonb_build_object(
    'from', from_bucket, 'to', window_to, 'grain', g, 'sessions', total,
    'steps', coalesce(jsonb_agg(jsonb_build_object(
      'position', position, 'name', name, 'sessions', sessions,
      'dropOff', greatest(previous - sessions, 0),
      'dropOffRate', case when previous > 0 then round(greatest(previous - sessions, 0)::numeric / previous, 4) else 0 end,
      'conversionRate', case when total > 0 then round(sessions::numeric / total, 4) else 0 end
    ) order by position), '[]'::jsonb),
    'asOf', tracking.rollups_processed_until()
  ) into result
  from steps;
  return result;
end;
$$;

create or replace function tracking.analytics_performance(metric_name text, window_from timestamptz, window_to timestamptz)
returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  g text := tracking.analytics_grain(window_from, window_to);
  from_bucket timestamptz := date_trunc(g, window_from, 'UTC');
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  perform private.require_window(window_from, window_to);
  with buckets as (
    select r.bucket, r.samples, r.value_sum / nullif(r.samples, 0) as average, r.p50, r.p95, r.p99
    from tracking.rollup_metrics r
    where r.name = metric_name and r.grain = g and r.bucket >= from_bucket and r.bucket < window_to
  ), bins as (
    select b.bin, sum(b.samples) as samples
    from tracking.rollup_metric_bins b
    where b.name = metric_name and b.grain = g and b.bucket >= from_bucket and b.bucket < window_to
    group by b.bin
  ), ranked as (
    select tracking.metric_bin_value(bin) as value, sum(samples) over (order by bin) as running,
           sum(samples) over () as total
    from bins
  ), overall as (
    select max(total) as samples,
           min(value) filter (where running >= 0.50 * total) as p50,
           min(value) filter (where running >= 0.95 * total) as p95,
           min(value) filter (where running >= 0.99 * total) as p99
    from ranked
  )
  select jsonb_build_object(
    'metric', metric_name, 'from', from_bucket, 'to', window_to, 'grain', g,
    'overall', (select jsonb_build_object('samples', coalesce(o.samples, 0), 'p50', o.p50, 'p95', o.p95,
                                          'p99', o.p99) from overall o),
    'buckets', coalesce((select jsonb_agg(jsonb_build_object(
                 'bucket', b.bucket, 'samples', b.samples, 'average', b.average,
                 'p50', b.p50, 'p95', b.p95, 'p99', b.p99) order by b.bucket) from buckets b), '[]'::jsonb),
    'asOf', tracking.rollups_processed_until()
  ) into result;
  return result;
end;
$$;

create or replace function tracking.analytics_popular_configs(window_from timestamptz, window_to timestamptz, max_rows int)
returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  g text := tracking.analytics_grain(window_from, window_to);
  from_bucket timestamptz := date_trunc(g, window_from, 'UTC');
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  perform private.require_window(window_from, window_to);
  with options as (
    select r.category, r.value, sum(r.selections) as selections
    from tracking.rollup_selections r
    where r.grain = g and r.bucket >= from_bucket and r.bucket < window_to
    group by 1, 2
  ), ranked as (
    select category, value, selections,
           row_number() over (partition by category order by selections desc, value) as rank
    from options
  ), by_category as (
    select category, jsonb_agg(jsonb_build_object('value', value, 'selections', selections) order by rank) as options
    from ranked where rank <= max_rows group by category
  ), latest as (
    -- The configuration each session ended the window with.
    select distinct on (s.session_id) s.configuration, s.total_price
    from tracking.snapshots s
    where s.occurred_at >= window_from and s.occurred_at < window_to
    order by s.session_id, s.occurred_at desc
  ), configurations as (
    select configuration, count(*) as sessions, round(avg(total_price), 2) as average_price
    from latest group by configuration
    order by count(*) desc, configuration::text
    limit max_rows
  )
  select jsonb_build_object(
    'from', window_from, 'to', window_to,
    'options', coalesce((select jsonb_agg(jsonb_build_object('category', category, 'options', options)
                                          order by category) from by_category), '[]'::jsonb),
    'configurations', coalesce((select jsonb_agg(jsonb_build_object(
                        'configuration', configuration, 'sessions', sessions, 'averagePrice', average_price)
                        order by sessions desc, configuration::text) from configurations), '[]'::jsonb)
  ) into result;
  return result;
end;
$$;

-- The ordered timeline of one session: events and snapshots, with the time spent on each step
-- (reported by the client, or else the gap to the next step). Owners may read their own journey.
create or replace function tracking.analytics_journey(session_id uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  session_row tracking.sessions;
  result jsonb;
begin
  select * into session_row from tracking.sessions s where s.id = analytics_journey.session_id;
  if not found then
    return null;
  end if;
  with steps as (
    select 'event' as kind, e.occurred_at, e.type, e.category, e.element_id, e.value, e.previous_value,
           e.time_spent_ms, null::jsonb as configuration, null::numeric as total_price,
           null::numeric as completion_percentage, e.props
    from tracking.events e
    where e.session_id = analytics_journey.session_id and e.occurred_at >= session_row.started_at - interval '8 days'
    union all
    select 'snapshot', s.occurred_at, s.trigger, null, null, null, null, null, s.configuration, s.total_price,
           s.completion_percentage, null
    from tracking.snapshots s
    where s.session_id = analytics_journey.session_id
  ), timed as (
    select *, coalesce(time_spent_ms::bigint,
                       (extract(epoch from lead(occurred_at) over (order by occurred_at) - occurred_at) * 1000)::bigint)
                as spent_ms
    from steps
    order by occurred_at
    limit 5000
  )
  select jsonb_build_object(
    'session', jsonb_build_object(
      'id', session_row.id, 'visitorId', session_row.visitor_id, 'userId', session_row.user_id,
      'startedAt', session_row.started_at, 'lastSeenAt', session_row.last_seen_at, 'endedAt', session_row.ended_at,
      'device', session_row.device_type, 'viewportWidth', session_row.viewport_width,
      'viewportHeight', session_row.viewport_height, 'referrer', session_row.referrer, 'utm', session_row.utm,
      'completionState', session_row.completion_state),
    'timeline', coalesce(jsonb_agg(jsonb_strip_nulls(jsonb_build_object(
      'kind', kind, 'occurredAt', occurred_at, 'type', type, 'category', category, 'elementId', element_id,
      'value', value, 'previousValue', previous_value, 'timeSpentMs', spent_ms, 'configuration', configuration,
      'totalPrice', total_price, 'completionPercentage', completion_percentage, 'props', props
    )) order by occurred_at), '[]'::jsonb)
  ) into result
  from timed;
  return result;
end;
$$;

create or replace function tracking.analytics_realtime() returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst']);
  with recent as (
    select e.type, count(*) as events
    from tracking.events e
    where e.received_at > now() - interval '5 minutes'
      and e.occurred_at > now() - interval '7 days 10 minutes'
    group by e.type
  )
  select jsonb_build_object(
    'since', now() - interval '5 minutes',
    'activeSessions', (select count(*) from tracking.sessions s where s.last_seen_at > now() - interval '5 minutes'),
    'events', coalesce((select sum(events) from recent), 0),
    'eventsByType', coalesce((select jsonb_object_agg(type, events) from recent), '{}'::jsonb),
    'snapshots', (select count(*) from tracking.snapshots s where s.received_at > now() - interval '5 minutes'),
    'rollupsProcessedUntil', tracking.rollups_processed_until()
  ) into result;
  return result;
end;
$$;

grant execute on function tracking.analytics_grain(timestamptz, timestamptz),
  tracking.rollups_processed_until(),
  tracking.analytics_overview(timestamptz, timestamptz), tracking.analytics_funnel(timestamptz, timestamptz),
  tracking.analytics_performance(text, timestamptz, timestamptz),
  tracking.analytics_popular_configs(timestamptz, timestamptz, int), tracking.analytics_journey(uuid),
  tracking.analytics_realtime()
  to authenticated, service_role;

-- Comments: what each RPC does (Studio shows them; tests/db/foundation/08-comments).

comment on function tracking.analytics_overview(timestamptz, timestamptz) is 'Analysts: sessions, conversions, orders, duration, events and devices of the window, from the rollups.';
comment on function tracking.analytics_funnel(timestamptz, timestamptz) is 'Analysts: reach and drop-off per funnel step of the window.';
comment on function tracking.analytics_performance(text, timestamptz, timestamptz) is 'Analysts: p50/p95/p99 of one metric per bucket and overall in the window.';
comment on function tracking.analytics_popular_configs(timestamptz, timestamptz, int) is 'Analysts: most selected options per category and most common final configurations.';
comment on function tracking.analytics_journey(uuid) is 'Owners and analysts: the ordered timeline of one sessions events and snapshots with time spent.';
comment on function tracking.analytics_realtime() is 'Analysts: active sessions and events of the last five minutes.';
comment on function tracking.analytics_grain(timestamptz, timestamptz) is 'hour for windows up to 7 days, day beyond.';
comment on function tracking.rollups_processed_until() is 'The rollup watermark every analytics answer is complete up to.';
