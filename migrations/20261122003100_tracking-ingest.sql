-- Ingest: set-based, one transaction per call. The `track` edge function validates each item, maps it
-- to snake_case JSON and calls these as the service path; anon and authenticated cannot execute them
-- (the only way in for a browser is the edge function). Each returns the number of rows actually
-- stored, so a resent batch (same ids) reports its items as duplicates.
--
-- Grouped ingest: under load the `track` function coalesces the event batches that arrive while a
-- database call is in flight and stores them with one call (tracking.ingest_event_batches): one
-- statement, one transaction and one round trip for several batches (group commit). Each batch keeps
-- its own answer. Sessions are upserted set-based through tracking.touch_sessions, which every ingest
-- path shares.

create type tracking.session_touch as (
  session_id uuid,
  user_id uuid,
  -- The descriptor in snake_case: visitor_id, device_type, viewport_width, viewport_height, referrer, utm.
  session jsonb,
  first_at timestamptz,
  last_at timestamptz,
  steps int,
  level smallint,
  ended boolean
);

-- Creates or touches every session named in touches; several touches of one session merge first
-- (earliest first event, latest last event, steps combined, highest level, the first non-empty
-- descriptor). First descriptor wins against the stored row too, and progress only moves forward.
-- Rows are upserted in session id order, so concurrent groups lock sessions in the same order and
-- cannot deadlock on them. PL/pgSQL so that the plan is cached per connection.
create or replace function tracking.touch_sessions(touches tracking.session_touch[])
returns void
language plpgsql volatile set search_path = '' as $$
begin
  insert into tracking.sessions as s (
    id, visitor_id, user_id, started_at, last_seen_at, last_event_at, ended_at, device_type,
    viewport_width, viewport_height, referrer, utm, completion_level, completed_at, steps_mask
  )
  select m.session_id,
         m.session ->> 'visitor_id',
         (select u.id from auth.users u where u.id = m.user_id),
         least(statement_timestamp(), coalesce(m.first_at, statement_timestamp())),
         statement_timestamp(),
         m.last_at,
         case when m.ended then statement_timestamp() end,
         coalesce(m.session ->> 'device_type', 'unknown'),
         (m.session ->> 'viewport_width')::int,
         (m.session ->> 'viewport_height')::int,
         m.session ->> 'referrer',
         coalesce(m.session -> 'utm', '{}'::jsonb),
         coalesce(m.level, 0),
         case when m.level >= 2 then statement_timestamp() end,
         coalesce(m.steps, 0)
  from (
    select t.session_id,
           (array_agg(t.user_id order by t.ord) filter (where t.user_id is not null))[1] as user_id,
           coalesce((array_agg(t.session order by t.ord)
                       filter (where t.session is not null and t.session <> '{}'::jsonb))[1], '{}'::jsonb) as session,
           min(t.first_at) as first_at,
           max(t.last_at) as last_at,
           bit_or(t.steps) as steps,
           max(t.level) as level,
           bool_or(t.ended) as ended
    from unnest(touch_sessions.touches) with ordinality as t(session_id, user_id, session, first_at, last_at, steps, level,
                                                ended, ord)
    where t.session_id is not null
    group by t.session_id
  ) m
  order by m.session_id
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

-- The single-session form the snapshot and metric ingest call.
create or replace function tracking.touch_session(
  session_id uuid,
  user_id uuid,
  session jsonb,
  first_at timestamptz,
  last_at timestamptz,
  steps int,
  level smallint,
  ended boolean
) returns void
language plpgsql volatile set search_path = '' as $$
begin
  perform tracking.touch_sessions(array[
    row(touch_session.session_id, touch_session.user_id, touch_session.session, touch_session.first_at,
        touch_session.last_at, touch_session.steps, touch_session.level, touch_session.ended)::tracking.session_touch
  ]);
end;
$$;

-- event_batches: [{ "session_id", "user_id", "session": {descriptor}, "events": [{ id, type, category,
-- element_id, value, previous_value, time_spent_ms, occurred_at, props }] }, ...]. Returns one row per
-- batch (0-based position) with the number of its events stored; the rest were already stored. An
-- event id that appears in two batches of the group is stored once, for the earlier batch. Events
-- are inserted in key order (occurred_at, id): the index's own order, and the same lock order for
-- concurrent groups.
create or replace function tracking.ingest_event_batches(event_batches jsonb)
returns table (batch int, stored int)
language plpgsql volatile set search_path = '' as $$
begin
  return query
  with batches as (
    select (b.ord - 1)::int as batch,
           (b.value ->> 'session_id')::uuid as session_id,
           (b.value ->> 'user_id')::uuid as user_id,
           b.value -> 'session' as session,
           b.value -> 'events' as events
    from jsonb_array_elements(ingest_event_batches.event_batches) with ordinality as b(value, ord)
  ), input as materialized (
    select b.batch, b.session_id, e.*
    from batches b
    cross join lateral jsonb_to_recordset(b.events) as e(
      id uuid, type text, category text, element_id text, value text, previous_value text,
      time_spent_ms int, occurred_at timestamptz, props jsonb
    )
  ), reached as (
    select k.batch, bit_or(1 << (f.position - 1)) as steps
    from (select distinct i.batch, i.type, i.category from input i) k
    join tracking.funnel_steps f
      on f.source = 'event' and f.event_type = k.type and (f.category is null or f.category = k.category)
    group by k.batch
  ), touched as (
    select tracking.touch_sessions(array_agg(
             row(b.session_id, b.user_id, b.session, t.first_at, t.last_at, coalesce(r.steps, 0), null,
                 false)::tracking.session_touch)) as done
    from batches b
    join (select i.batch, min(i.occurred_at) as first_at, max(i.occurred_at) as last_at
          from input i group by i.batch) t on t.batch = b.batch
    left join reached r on r.batch = b.batch
  ), first_sight as (
    select distinct on (i.occurred_at, i.id) i.*
    from input i
    order by i.occurred_at, i.id, i.batch
  ), inserted as (
    insert into tracking.events (id, session_id, type, category, element_id, value, previous_value,
                                 time_spent_ms, occurred_at, props)
    select f.id, f.session_id, f.type, f.category, f.element_id, f.value, f.previous_value, f.time_spent_ms,
           f.occurred_at, coalesce(f.props, '{}'::jsonb)
    from first_sight f
    order by f.occurred_at, f.id
    on conflict do nothing
    returning id, occurred_at
  )
  select b.batch, count(n.id)::int
  from batches b
  left join first_sight f on f.batch = b.batch
  left join inserted n on n.id = f.id and n.occurred_at = f.occurred_at
  where (select count(*) from touched) >= 0
  group by b.batch
  order by b.batch;
end;
$$;

-- One batch: a group of one.
create or replace function tracking.ingest_events(session_id uuid, user_id uuid, session jsonb, events jsonb)
returns int
language sql volatile set search_path = '' as $$
  select g.stored
  from tracking.ingest_event_batches(jsonb_build_array(jsonb_build_object(
    'session_id', ingest_events.session_id, 'user_id', ingest_events.user_id, 'session', ingest_events.session,
    'events', ingest_events.events))) g
$$;

create or replace function tracking.ingest_snapshots(
  session_id uuid, user_id uuid, session jsonb, snapshots jsonb
) returns int
language sql volatile set search_path = '' as $$
  with input as (
    select e.*
    from jsonb_to_recordset(ingest_snapshots.snapshots) as e(
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
    select tracking.touch_session(ingest_snapshots.session_id, ingest_snapshots.user_id, ingest_snapshots.session,
                                  s.first_at, s.last_at, s.steps, s.level, s.ended)
    from summary s
  ), inserted as (
    insert into tracking.snapshots (id, session_id, configuration, total_price, completion_percentage, trigger,
                                    occurred_at)
    select i.id, ingest_snapshots.session_id, i.configuration, i.total_price, i.completion_percentage, i.trigger, i.occurred_at
    from input i
    on conflict do nothing
    returning 1
  )
  select (select count(*) from inserted)::int + 0 * (select count(*) from touched)::int
$$;

create or replace function tracking.ingest_metrics(session_id uuid, user_id uuid, session jsonb, metrics jsonb)
returns int
language sql volatile set search_path = '' as $$
  with input as (
    select e.*
    from jsonb_to_recordset(ingest_metrics.metrics) as e(
      id uuid, name text, value double precision, route text, extra jsonb, occurred_at timestamptz
    )
  ), touched as (
    select tracking.touch_session(ingest_metrics.session_id, ingest_metrics.user_id, ingest_metrics.session,
                                  min(i.occurred_at), max(i.occurred_at), 0, null, false)
    from input i
    where ingest_metrics.session_id is not null
    having count(*) > 0
  ), inserted as (
    insert into tracking.performance_metrics (id, session_id, name, value, route, extra, occurred_at)
    select i.id, ingest_metrics.session_id, i.name, i.value, i.route, coalesce(i.extra, '{}'::jsonb), i.occurred_at
    from input i
    on conflict do nothing
    returning 1
  )
  select (select count(*) from inserted)::int + 0 * (select count(*) from touched)::int
$$;

revoke execute on function tracking.touch_sessions(tracking.session_touch[]),
  tracking.touch_session(uuid, uuid, jsonb, timestamptz, timestamptz, int, smallint, boolean),
  tracking.ingest_event_batches(jsonb), tracking.ingest_events(uuid, uuid, jsonb, jsonb),
  tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb), tracking.ingest_metrics(uuid, uuid, jsonb, jsonb)
  from public, anon, authenticated;
grant execute on function tracking.touch_sessions(tracking.session_touch[]),
  tracking.touch_session(uuid, uuid, jsonb, timestamptz, timestamptz, int, smallint, boolean),
  tracking.ingest_event_batches(jsonb), tracking.ingest_events(uuid, uuid, jsonb, jsonb),
  tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb), tracking.ingest_metrics(uuid, uuid, jsonb, jsonb)
  to service_role;

-- Comments: what each RPC does (Studio shows them; tests/db/foundation/08-comments).

comment on function tracking.ingest_event_batches(jsonb) is 'Service role: stores a group of event batches in one statement; one row per batch with the events stored.';
comment on function tracking.ingest_events(uuid, uuid, jsonb, jsonb) is 'Service role: stores one batch of events for a session; returns the events stored.';
comment on function tracking.ingest_snapshots(uuid, uuid, jsonb, jsonb) is 'Service role: stores configuration snapshots for a session; returns the snapshots stored.';
comment on function tracking.ingest_metrics(uuid, uuid, jsonb, jsonb) is 'Service role: stores performance samples; returns the samples stored.';
comment on function tracking.touch_sessions(tracking.session_touch[]) is 'Ingest: creates or advances the given sessions set-based.';
comment on function tracking.touch_session(uuid, uuid, jsonb, timestamptz, timestamptz, int, smallint, boolean) is 'Ingest: creates or advances one session.';
