-- Tracking (seed 002): sessions, interaction events partitioned by day, configuration snapshots and
-- performance metrics, written only through the ingest functions (service path of the `track` edge
-- function) and read by their owners and by analysts/admins under RLS.

create schema if not exists tracking;
grant usage on schema tracking to anon, authenticated, service_role;

-- Settings ------------------------------------------------------------------------------------------
-- One row. retention_days must exceed the lateness the ingest accepts (7 days), or a late event
-- could target a partition that retention already dropped.
create table tracking.settings (
  id boolean primary key default true check (id),
  retention_days int not null default 90 check (retention_days between 8 and 3650),
  partitions_ahead int not null default 7 check (partitions_ahead between 1 and 60),
  updated_at timestamptz not null default now()
);
insert into tracking.settings default values;
alter table tracking.settings enable row level security;

-- Funnel definition: a session reaches a step when it sends a matching event or snapshot.
create table tracking.funnel_steps (
  position smallint primary key check (position between 1 and 30),
  name text not null check (char_length(name) between 1 and 80),
  source text not null check (source in ('event', 'snapshot')),
  event_type text,
  category text,
  snapshot_trigger text,
  min_completion numeric(5, 2),
  check (source <> 'event' or event_type is not null)
);
insert into tracking.funnel_steps (position, name, source, event_type, category, snapshot_trigger, min_completion)
values
  (1, 'Viewed the configurator', 'event', 'page_view', null, null, null),
  (2, 'Made a selection', 'event', 'selection', null, null, null),
  (3, 'Saved a configuration', 'snapshot', null, null, null, 0),
  (4, 'Completed the configuration', 'snapshot', null, null, null, 100),
  (5, 'Attempted an order', 'snapshot', null, null, 'order_attempt', null);
alter table tracking.funnel_steps enable row level security;

-- Sessions ------------------------------------------------------------------------------------------
-- completion_level: 0 browsing, 1 configuring (a snapshot arrived), 2 completed (100 %), 3 ordered.
create table tracking.sessions (
  id uuid primary key,
  visitor_id text check (char_length(visitor_id) <= 128),
  user_id uuid references auth.users (id) on delete set null,
  started_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  last_event_at timestamptz,
  ended_at timestamptz,
  device_type text not null default 'unknown'
    check (device_type in ('desktop', 'mobile', 'tablet', 'other', 'unknown')),
  viewport_width int check (viewport_width between 0 and 100000),
  viewport_height int check (viewport_height between 0 and 100000),
  referrer text check (char_length(referrer) <= 2048),
  utm jsonb not null default '{}'::jsonb,
  completion_level smallint not null default 0 check (completion_level between 0 and 3),
  completion_state text generated always as (
    case completion_level when 0 then 'browsing' when 1 then 'configuring' when 2 then 'completed' else 'ordered' end
  ) stored,
  completed_at timestamptz,
  steps_mask int not null default 0
);
create index sessions_user_idx on tracking.sessions (user_id) where user_id is not null;
-- Return visits (a leads scoring signal) count a visitor's sessions.
create index sessions_visitor_idx on tracking.sessions (visitor_id) where visitor_id is not null;
create index sessions_started_idx on tracking.sessions (started_at);
create index sessions_last_seen_idx on tracking.sessions (last_seen_at);
alter table tracking.sessions enable row level security;

-- Events, partitioned by day of occurred_at. received_at is the start of the inserting statement
-- (not of its transaction): the rollup horizon (tracking.rollup_horizon) relies on it.
-- The primary key must contain the partition key, so exactly-once is on (occurred_at, id): a retry
-- resends the same event with the same timestamp. Time first: events arrive close to now, so new keys
-- land near the right edge of each day's index, where (id, occurred_at) scattered them over random
-- leaf pages (a page read, a split and a full-page WAL image each); measured on a day partition
-- already holding 2M rows: 1.44 -> 0.90 ms per 50-event batch. Nothing looks events up by id alone.
create table tracking.events (
  id uuid not null,
  session_id uuid not null,
  type text not null check (type in ('click', 'hover', 'scroll', 'selection', 'page_view')),
  category text check (char_length(category) <= 100),
  element_id text check (char_length(element_id) <= 200),
  value text check (char_length(value) <= 500),
  previous_value text check (char_length(previous_value) <= 500),
  time_spent_ms int check (time_spent_ms between 0 and 86400000),
  occurred_at timestamptz not null,
  received_at timestamptz not null default statement_timestamp(),
  props jsonb not null default '{}'::jsonb,
  primary key (occurred_at, id)
) partition by range (occurred_at);
create index events_session_idx on tracking.events (session_id, occurred_at);
create index events_received_idx on tracking.events (received_at);
alter table tracking.events enable row level security;

-- The partitions live in a schema of their own that the Data API never exposes: they are read through
-- tracking.events (whose policy applies), and a daily partition in an exposed schema would put a dated
-- table into the generated types (types/database.ts), making them stale every midnight.
create schema if not exists tracking_partitions;
comment on schema tracking_partitions is 'Daily partitions of tracking.events (read through the parent, never exposed).';

-- Safety net: rows land here only if maintenance fell behind; ensure_event_partitions moves them.
create table tracking_partitions.events_default partition of tracking.events default;

create table tracking.snapshots (
  id uuid primary key,
  session_id uuid not null,
  configuration jsonb not null,
  total_price numeric(14, 2) check (total_price >= 0),
  completion_percentage numeric(5, 2) check (completion_percentage between 0 and 100),
  trigger text not null check (trigger in ('auto_save', 'page_exit', 'order_attempt')),
  occurred_at timestamptz not null,
  received_at timestamptz not null default statement_timestamp()
);
create index snapshots_session_idx on tracking.snapshots (session_id, occurred_at);
create index snapshots_received_idx on tracking.snapshots (received_at);
create index snapshots_occurred_idx on tracking.snapshots (occurred_at);
alter table tracking.snapshots enable row level security;

create table tracking.performance_metrics (
  id uuid primary key,
  session_id uuid,
  name text not null check (name ~ '^[a-z][a-z0-9_.:-]{0,79}$'),
  value double precision not null check (value > -1e12 and value < 1e12),
  route text check (char_length(route) <= 300),
  extra jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null,
  received_at timestamptz not null default statement_timestamp()
);
create index performance_metrics_session_idx on tracking.performance_metrics (session_id) where session_id is not null;
create index performance_metrics_received_idx on tracking.performance_metrics (received_at);
create index performance_metrics_name_occurred_idx on tracking.performance_metrics (name, occurred_at);
alter table tracking.performance_metrics enable row level security;

-- Privileges: anon gets nothing (ingest goes through the edge function); signed-in users read what
-- RLS lets them; service_role may insert (pipelines) and read, never update or delete raw data.
grant select on tracking.sessions, tracking.events, tracking.snapshots, tracking.performance_metrics
  to authenticated, service_role;
grant insert on tracking.sessions, tracking.events, tracking.snapshots, tracking.performance_metrics to service_role;
grant update (last_seen_at, last_event_at, ended_at, completion_level, completed_at, steps_mask, user_id)
  on tracking.sessions to service_role;
grant select on tracking.settings, tracking.funnel_steps to authenticated, service_role;
grant update (retention_days, partitions_ahead, updated_at) on tracking.settings to authenticated;
grant insert, update, delete on tracking.funnel_steps to authenticated;

-- Policies --------------------------------------------------------------------------------------------
create policy "owners, analysts and admins read sessions" on tracking.sessions
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'analyst'])));

create policy "owners, analysts and admins read events" on tracking.events
  for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or session_id in (select s.id from tracking.sessions s where s.user_id = (select auth.uid()))
  );

create policy "owners, analysts and admins read snapshots" on tracking.snapshots
  for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or session_id in (select s.id from tracking.sessions s where s.user_id = (select auth.uid()))
  );

create policy "owners, analysts and admins read performance metrics" on tracking.performance_metrics
  for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or session_id in (select s.id from tracking.sessions s where s.user_id = (select auth.uid()))
  );

create policy "analysts and admins read settings" on tracking.settings
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins change settings" on tracking.settings
  for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

create policy "analysts and admins read funnel steps" on tracking.funnel_steps
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins add funnel steps" on tracking.funnel_steps
  for insert to authenticated with check ((select private.has_role('admin')));
create policy "admins change funnel steps" on tracking.funnel_steps
  for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove funnel steps" on tracking.funnel_steps
  for delete to authenticated using ((select private.has_role('admin')));

-- Partitions --------------------------------------------------------------------------------------------
-- Every partition gets RLS and the parent's read policy. Queries go through tracking.events, whose
-- policy applies, and the API roles hold no grants on partitions; the copy keeps a partition read
-- directly (by a role someone grants it to) exactly as closed as the parent.
create or replace function tracking.secure_event_partition(part regclass) returns void
language plpgsql volatile set search_path = '' as $$
begin
  execute format('alter table %s enable row level security', part);
  execute format($p$create policy "owners, analysts and admins read events" on %s
    for select to authenticated
    using (
      (select private.has_any_role(array['admin', 'analyst']))
      or session_id in (select s.id from tracking.sessions s where s.user_id = (select auth.uid()))
    )$p$, part);
end;
$$;
revoke execute on function tracking.secure_event_partition(regclass) from public, anon, authenticated;
select tracking.secure_event_partition('tracking_partitions.events_default');

create or replace function tracking.event_partition_name(day date) returns text
language sql immutable set search_path = '' as $$
  select 'events_p' || to_char(day, 'YYYYMMDD')
$$;

-- Creates the daily partitions for [from_day, to_day] that do not exist yet. Rows that landed in the
-- default partition for such a day are moved into the new partition in the same transaction.
create or replace function tracking.ensure_event_partitions(
  from_day date default (now() at time zone 'utc')::date - 7,
  to_day date default null
) returns int
language plpgsql volatile set search_path = '' as $$
declare
  last_day date := coalesce(to_day,
    (now() at time zone 'utc')::date + (select s.partitions_ahead from tracking.settings s));
  day date;
  part text;
  created int := 0;
begin
  for day in select d::date from generate_series(from_day, last_day, interval '1 day') d loop
    part := tracking.event_partition_name(day);
    continue when to_regclass(format('tracking_partitions.%I', part)) is not null;
    if exists (select 1 from tracking_partitions.events_default
               where occurred_at >= day::timestamp at time zone 'utc'
                 and occurred_at < (day + 1)::timestamp at time zone 'utc') then
      execute format('create table tracking_partitions.%I (like tracking.events including defaults including constraints)', part);
      execute format(
        'with moved as (delete from tracking_partitions.events_default where occurred_at >= %L and occurred_at < %L returning *)
         insert into tracking_partitions.%I select * from moved',
        day::timestamp at time zone 'utc', (day + 1)::timestamp at time zone 'utc', part);
      execute format('alter table tracking.events attach partition tracking_partitions.%I for values from (%L) to (%L)',
        part, day::timestamp at time zone 'utc', (day + 1)::timestamp at time zone 'utc');
    else
      execute format('create table tracking_partitions.%I partition of tracking.events for values from (%L) to (%L)',
        part, day::timestamp at time zone 'utc', (day + 1)::timestamp at time zone 'utc');
    end if;
    perform tracking.secure_event_partition(format('tracking_partitions.%I', part)::regclass);
    created := created + 1;
  end loop;
  return created;
end;
$$;

-- Drops event partitions whose whole day lies beyond the retention, and prunes the unpartitioned
-- tables by the same rule. Rollups are kept: history outlives the raw rows.
create or replace function tracking.apply_retention() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  cutoff date := (now() at time zone 'utc')::date - (select s.retention_days from tracking.settings s);
  part record;
  removed bigint := 0;
  pruned bigint;
begin
  for part in
    select c.relname
    from pg_catalog.pg_inherits i
    join pg_catalog.pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'tracking.events'::regclass
      and c.relname ~ '^events_p\d{8}$'
      and to_date(substr(c.relname, 9), 'YYYYMMDD') < cutoff
  loop
    execute format('drop table tracking_partitions.%I', part.relname);
    removed := removed + 1;
  end loop;
  with gone as (
    delete from tracking_partitions.events_default where occurred_at < cutoff::timestamp at time zone 'utc' returning 1
  ) select count(*) into pruned from gone;
  removed := removed + pruned;
  with gone as (
    delete from tracking.snapshots where occurred_at < cutoff::timestamp at time zone 'utc' returning 1
  ) select count(*) into pruned from gone;
  removed := removed + pruned;
  with gone as (
    delete from tracking.performance_metrics where occurred_at < cutoff::timestamp at time zone 'utc' returning 1
  ) select count(*) into pruned from gone;
  removed := removed + pruned;
  with gone as (
    delete from tracking.sessions where last_seen_at < cutoff::timestamp at time zone 'utc' returning 1
  ) select count(*) into pruned from gone;
  return removed + pruned;
end;
$$;

create or replace function tracking.maintain_partitions() returns bigint
language sql volatile set search_path = '' as $$
  select tracking.ensure_event_partitions()::bigint + tracking.apply_retention()
$$;

select tracking.ensure_event_partitions();

select cron.schedule('tracking-partitions', '7 * * * *',
  $$select private.run_job('tracking-partitions', 'select tracking.maintain_partitions()')$$);

-- Published contracts ---------------------------------------------------------------------------------
-- What other modules may read of tracking's data (docs/api/tracking.md, tests/db/tracking/90-contracts).

-- Engagement per session: page views, and the visitor's other sessions (return visits). One row per
-- distinct session id given; zeros for a session tracking never saw.
create or replace function tracking.session_engagement(session_ids uuid[])
returns table (session_id uuid, pages int, return_visits int)
language plpgsql stable set search_path = '' as $$
begin
  if coalesce(cardinality(session_engagement.session_ids), 0) = 0 then
    return;
  end if;
  return query
  select s.id,
         (select count(*)::int from tracking.events e where e.session_id = s.id and e.type = 'page_view'),
         coalesce((select greatest(count(*) - 1, 0)::int from tracking.sessions o
                   where o.visitor_id = t.visitor_id), 0)
  from (select distinct u.id from unnest(session_engagement.session_ids) as u(id) where u.id is not null) s
  left join tracking.sessions t on t.id = s.id;
end;
$$;
comment on function tracking.session_engagement(uuid[]) is
  'Published contract: page views and return visits (other sessions of the same visitor) per tracking session.';
revoke execute on function tracking.session_engagement(uuid[]) from public, anon, authenticated;
grant execute on function tracking.session_engagement(uuid[]) to service_role;

-- Comments: what each table, column and RPC holds (Studio shows them; tests/db/foundation/08-comments).

comment on table tracking.settings is 'Tracking settings, one row: raw-data retention and how many daily event partitions exist ahead.';
comment on column tracking.settings.id is 'Always true: the single row.';
comment on column tracking.settings.retention_days is 'Days raw events, snapshots, metrics and sessions are kept (rollups are kept for good).';
comment on column tracking.settings.partitions_ahead is 'Daily event partitions created in advance.';
comment on column tracking.settings.updated_at is 'Last change.';
comment on table tracking.funnel_steps is 'Configurator funnel definition: a session reaches a step when it sends a matching event or snapshot.';
comment on column tracking.funnel_steps.position is 'Step number, 1-30, in funnel order.';
comment on column tracking.funnel_steps.name is 'Step name shown in analytics.';
comment on column tracking.funnel_steps.source is 'event or snapshot.';
comment on column tracking.funnel_steps.event_type is 'Event type that reaches the step (event steps).';
comment on column tracking.funnel_steps.category is 'Event category that must match too (null: any).';
comment on column tracking.funnel_steps.snapshot_trigger is 'Snapshot trigger that reaches the step (null: any).';
comment on column tracking.funnel_steps.min_completion is 'Minimum snapshot completion percentage (null: any).';
comment on table tracking.sessions is 'Visitor sessions of the configurator, created and touched by ingest; progress only moves forward.';
comment on column tracking.sessions.id is 'Session id, chosen by the client.';
comment on column tracking.sessions.visitor_id is 'Client-side visitor id, shared by a visitors sessions (return visits).';
comment on column tracking.sessions.user_id is 'Signed-in user, if any.';
comment on column tracking.sessions.started_at is 'First activity.';
comment on column tracking.sessions.last_seen_at is 'Last ingest call for the session.';
comment on column tracking.sessions.last_event_at is 'Time of the latest event.';
comment on column tracking.sessions.ended_at is 'When a page_exit snapshot ended it.';
comment on column tracking.sessions.device_type is 'desktop, mobile, tablet, other or unknown.';
comment on column tracking.sessions.viewport_width is 'Viewport width in CSS pixels.';
comment on column tracking.sessions.viewport_height is 'Viewport height in CSS pixels.';
comment on column tracking.sessions.referrer is 'Referrer of the first page.';
comment on column tracking.sessions.utm is 'UTM parameters of the first page.';
comment on column tracking.sessions.completion_level is '0 browsing, 1 configuring, 2 completed, 3 ordered.';
comment on column tracking.sessions.completion_state is 'completion_level as a word, generated.';
comment on column tracking.sessions.completed_at is 'When the configuration was first completed.';
comment on column tracking.sessions.steps_mask is 'Funnel steps reached, bit n-1 for step n.';
comment on table tracking.events is 'Interaction events (clicks, hovers, scrolls, selections, page views), partitioned by day of occurred_at; exactly once on (occurred_at, id).';
comment on column tracking.events.id is 'Event id, chosen by the client (retries resend it).';
comment on column tracking.events.session_id is 'The session.';
comment on column tracking.events.type is 'click, hover, scroll, selection, page_view or custom.';
comment on column tracking.events.category is 'What was interacted with, e.g. color.';
comment on column tracking.events.element_id is 'DOM element id.';
comment on column tracking.events.value is 'Value selected or entered.';
comment on column tracking.events.previous_value is 'Value before a selection.';
comment on column tracking.events.time_spent_ms is 'Time spent on the step, reported by the client.';
comment on column tracking.events.occurred_at is 'When it happened on the client.';
comment on column tracking.events.received_at is 'Start of the statement that stored it (rollup watermark).';
comment on column tracking.events.props is 'Free-form properties.';
comment on table tracking.snapshots is 'Configuration snapshots (auto-save, page exit, order attempt) with price and completion.';
comment on column tracking.snapshots.id is 'Snapshot id, chosen by the client.';
comment on column tracking.snapshots.session_id is 'The session.';
comment on column tracking.snapshots.configuration is 'The configuration as JSON.';
comment on column tracking.snapshots.total_price is 'Price of the configuration.';
comment on column tracking.snapshots.completion_percentage is 'How complete the configuration is, 0-100.';
comment on column tracking.snapshots.trigger is 'auto_save, page_exit or order_attempt.';
comment on column tracking.snapshots.occurred_at is 'When it was taken on the client.';
comment on column tracking.snapshots.received_at is 'Start of the statement that stored it (rollup watermark).';
comment on table tracking.performance_metrics is 'Client performance samples (e.g. lcp, ttfb), with or without a session.';
comment on column tracking.performance_metrics.id is 'Sample id, chosen by the client.';
comment on column tracking.performance_metrics.session_id is 'The session, if any.';
comment on column tracking.performance_metrics.name is 'Metric name, e.g. lcp.';
comment on column tracking.performance_metrics.value is 'Measured value (ms for timings).';
comment on column tracking.performance_metrics.route is 'Route the sample was taken on.';
comment on column tracking.performance_metrics.extra is 'Free-form details.';
comment on column tracking.performance_metrics.occurred_at is 'When it was measured.';
comment on column tracking.performance_metrics.received_at is 'Start of the statement that stored it (rollup watermark).';
comment on function tracking.secure_event_partition(regclass) is 'Maintenance: RLS and the parent''s read policy on one events partition.';
comment on function tracking.event_partition_name(date) is 'Name of the daily events partition of a day.';
comment on function tracking.ensure_event_partitions(date, date) is 'Maintenance: creates missing daily event partitions, moving stray default-partition rows in.';
comment on function tracking.apply_retention() is 'Maintenance: drops event partitions and prunes raw rows beyond the retention.';
comment on function tracking.maintain_partitions() is 'The hourly partition job: ensure partitions, apply retention.';
