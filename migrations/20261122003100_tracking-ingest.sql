-- Ingest: one call per batch, one transaction, set-based. The `track` edge function validates each
-- item, maps it to snake_case JSON and calls these as the service path; anon and authenticated
-- cannot execute them (the only way in for a browser is the edge function). Each returns the number
-- of rows actually stored, so a resent batch (same ids) reports its items as duplicates.

-- Creates the session or touches it: first descriptor wins, progress only moves forward. PL/pgSQL
-- so that the upsert's plan is cached per connection (a SQL function re-plans it on every call).
create or replace function tracking.touch_session(
  p_session_id uuid,
  p_user_id uuid,
  p_session jsonb,
  p_first_at timestamptz,
  p_last_at timestamptz,
  p_steps int,
  p_level smallint,
  p_ended boolean
) returns void
language plpgsql volatile set search_path = '' as $$
begin
  insert into tracking.sessions as s (
    id, visitor_id, user_id, started_at, last_seen_at, last_event_at, ended_at, device_type,
    viewport_width, viewport_height, referrer, utm, completion_level, completed_at, steps_mask
  )
  values (
    p_session_id,
    p_session ->> 'visitor_id',
    (select u.id from auth.users u where u.id = p_user_id),
    least(statement_timestamp(), coalesce(p_first_at, statement_timestamp())),
    statement_timestamp(),
    p_last_at,
    case when p_ended then statement_timestamp() end,
    coalesce(p_session ->> 'device_type', 'unknown'),
    (p_session ->> 'viewport_width')::int,
    (p_session ->> 'viewport_height')::int,
    p_session ->> 'referrer',
    coalesce(p_session -> 'utm', '{}'::jsonb),
    coalesce(p_level, 0),
    case when p_level >= 2 then statement_timestamp() end,
    coalesce(p_steps, 0)
  )
  on conflict (id) do update set
    last_seen_at = statement_timestamp(),
    last_event_at = greatest(s.last_event_at, excluded.last_event_at),
    ended_at = coalesce(excluded.ended_at, s.ended_at),
    user_id = coalesce(s.user_id, excluded.user_id),
    visitor_id = coalesce(s.visitor_id, excluded.visitor_id),
    device_type = case when s.device_type = 'unknown' then excluded.device_type else s.device_type end,
    viewport_width = coalesce(s.viewport_width, excluded.viewport_width),
    viewport_height = coalesce(s.viewport_height, excluded.viewport_height),
    referrer = coalesce(s.referrer, excluded.referrer),
    utm = case when s.utm = '{}'::jsonb then excluded.utm else s.utm end,
    completion_level = greatest(s.completion_level, excluded.completion_level),
    completed_at = coalesce(s.completed_at, excluded.completed_at),
    steps_mask = s.steps_mask | excluded.steps_mask;
end;
$$;

create or replace function tracking.ingest_events(p_session_id uuid, p_user_id uuid, p_session jsonb, p_events jsonb)
returns int
language sql volatile set search_path = '' as $$
  with input as (
    select e.*
    from jsonb_to_recordset(p_events) as e(
      id uuid, type text, category text, element_id text, value text, previous_value text,
      time_spent_ms int, occurred_at timestamptz, props jsonb
    )
  ), summary as (
    select min(occurred_at) as first_at, max(occurred_at) as last_at,
           (select coalesce(bit_or(1 << (f.position - 1)), 0)
            from tracking.funnel_steps f
            where f.source = 'event'
              and exists (select 1 from input i
                          where i.type = f.event_type and (f.category is null or f.category = i.category))) as steps
    from input
  ), touched as (
    select tracking.touch_session(p_session_id, p_user_id, p_session, s.first_at, s.last_at, s.steps, null, false)
    from summary s
  ), inserted as (
    insert into tracking.events (id, session_id, type, category, element_id, value, previous_value,
                                 time_spent_ms, occurred_at, props)
    select i.id, p_session_id, i.type, i.category, i.element_id, i.value, i.previous_value, i.time_spent_ms,
           i.occurred_at, coalesce(i.props, '{}'::jsonb)
    from input i
    on conflict do nothing
    returning 1
  )
  select (select count(*) from inserted)::int + 0 * (select count(*) from touched)::int
$$;

create or replace function tracking.ingest_snapshots(
  p_session_id uuid, p_user_id uuid, p_session jsonb, p_snapshots jsonb
) returns int
language sql volatile set search_path = '' as $$
  with input as (
    select e.*
    from jsonb_to_recordset(p_snapshots) as e(
      id uuid, configuration jsonb, total_price numeric, completion_percentage numeric, trigger text,
      occurred_at timestamptz
    )
  ), summary as (
    select min(occurred_at) as first_at, max(occurred_at) as last_at,
           max(case when trigger = 'order_attempt' then 3 when completion_percentage >= 100 then 2 else 1 end)::smallint
             as level,
           bool_or(trigger = 'page_exit') as ended,
           (select coalesce(bit_or(1 << (f.position - 1)), 0)
            from tracking.funnel_steps f
            where f.source = 'snapshot'
              and exists (select 1 from input i
                          where (f.snapshot_trigger is null or f.snapshot_trigger = i.trigger)
                            and (f.min_completion is null
                                 or coalesce(i.completion_percentage, 0) >= f.min_completion))) as steps
    from input
  ), touched as (
    select tracking.touch_session(p_session_id, p_user_id, p_session, s.first_at, s.last_at, s.steps, s.level,
                                  s.ended)
    from summary s
  ), inserted as (
    insert into tracking.snapshots (id, session_id, configuration, total_price, completion_percentage, trigger,
                                    occurred_at)
    select i.id, p_session_id, i.configuration, i.total_price, i.completion_percentage, i.trigger, i.occurred_at
    from input i
    on conflict do nothing
    returning 1
  )
  select (select count(*) from inserted)::int + 0 * (select count(*) from touched)::int
$$;

create or replace function tracking.ingest_metrics(p_session_id uuid, p_user_id uuid, p_session jsonb, p_metrics jsonb)
returns int
language sql volatile set search_path = '' as $$
  with input as (
    select e.*
    from jsonb_to_recordset(p_metrics) as e(
      id uuid, name text, value double precision, route text, extra jsonb, occurred_at timestamptz
    )
  ), touched as (
    select tracking.touch_session(p_session_id, p_user_id, p_session, min(i.occurred_at), max(i.occurred_at), 0,
                                  null, false)
    from input i
    where p_session_id is not null
    having count(*) > 0
  ), inserted as (
    insert into tracking.performance_metrics (id, session_id, name, value, route, extra, occurred_at)
    select i.id, p_session_id, i.name, i.value, i.route, coalesce(i.extra, '{}'::jsonb), i.occurred_at
    from input i
    on conflict do nothing
    returning 1
  )
  select (select count(*) from inserted)::int + 0 * (select count(*) from touched)::int
$$;

revoke execute on function tracking.touch_session(uuid, uuid, jsonb, timestamptz, timestamptz, int, smallint, boolean),
  tracking.ingest_events(uuid, uuid, jsonb, jsonb), tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb),
  tracking.ingest_metrics(uuid, uuid, jsonb, jsonb)
  from public, anon, authenticated;
grant execute on function tracking.touch_session(uuid, uuid, jsonb, timestamptz, timestamptz, int, smallint, boolean),
  tracking.ingest_events(uuid, uuid, jsonb, jsonb), tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb),
  tracking.ingest_metrics(uuid, uuid, jsonb, jsonb)
  to service_role;
