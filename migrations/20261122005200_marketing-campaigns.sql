-- Marketing: campaigns (one template to a list or a segment, scheduled by pg_cron) and automations
-- (event-triggered sequences of steps with delays and conditions, defined as data). Both only queue
-- marketing.messages rows; the send job does the rest. pg_cron wakes the send job through pg_net.

create table marketing.campaigns (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  template_id uuid not null references marketing.templates (id),
  list_id uuid references marketing.lists (id),
  segment_id uuid,
  status text not null default 'draft'
    check (status in ('draft', 'scheduled', 'running', 'paused', 'finished', 'cancelled')),
  send_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  -- The audience: the confirmed subscribers of a list, optionally narrowed to a segment's members.
  check (list_id is not null),
  check (status <> 'scheduled' or send_at is not null)
);
create index campaigns_due_idx on marketing.campaigns (send_at) where status = 'scheduled';
create index campaigns_template_idx on marketing.campaigns (template_id);
create index campaigns_list_idx on marketing.campaigns (list_id);
create index campaigns_segment_idx on marketing.campaigns (segment_id);
create index campaigns_created_by_idx on marketing.campaigns (created_by);
alter table marketing.messages add constraint messages_campaign_fk
  foreign key (campaign_id) references marketing.campaigns (id) on delete cascade;

-- The lifecycle: draft -> scheduled -> running -> finished, with paused and cancelled; content and
-- audience change only while draft or scheduled.
create or replace function private.marketing_campaign_lifecycle() returns trigger
language plpgsql set search_path = '' as $$
begin
  if old.status not in ('draft', 'scheduled')
     and (new.name, new.template_id, new.list_id, new.segment_id, new.send_at)
         is distinct from (old.name, old.template_id, old.list_id, old.segment_id, old.send_at) then
    raise exception using errcode = 'PT409', hint = 'campaign_locked',
      message = format('A %s campaign can no longer be edited.', old.status);
  end if;
  if new.status <> old.status and not (
       (old.status = 'draft' and new.status in ('scheduled', 'cancelled'))
    or (old.status = 'scheduled' and new.status in ('draft', 'running', 'cancelled'))
    or (old.status = 'running' and new.status in ('paused', 'finished', 'cancelled'))
    or (old.status = 'paused' and new.status in ('running', 'cancelled'))) then
    raise exception using errcode = 'PT409', hint = 'invalid_transition',
      message = format('A campaign cannot go from %s to %s.', old.status, new.status);
  end if;
  new.updated_at := now();
  return new;
end;
$$;
create trigger campaigns_lifecycle before update on marketing.campaigns
  for each row execute function private.marketing_campaign_lifecycle();

-- Pausing or cancelling a campaign holds its queued mail; resuming releases it. Definer: staff change
-- campaigns through the Data API but hold no write grant on the outbox.
create or replace function private.marketing_campaign_hold() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.status = 'cancelled' then
    update marketing.messages set status = 'suppressed', last_error = 'campaign cancelled'
    where campaign_id = new.id and status = 'queued';
  elsif new.status = 'paused' then
    update marketing.messages set next_attempt_at = 'infinity' where campaign_id = new.id and status = 'queued';
  elsif old.status = 'paused' and new.status = 'running' then
    update marketing.messages set next_attempt_at = now() where campaign_id = new.id and status = 'queued';
  end if;
  return null;
end;
$$;
create trigger campaigns_hold after update of status on marketing.campaigns
  for each row when (new.status is distinct from old.status) execute function private.marketing_campaign_hold();

create table marketing.automations (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  name text not null,
  trigger text not null check (trigger in ('subscription.confirmed', 'lead.hot', 'order.placed', 'order.shipped',
                                           'cart.abandoned', 'loyalty.tier_upgraded', 'loyalty.points_expiring',
                                           'price.dropped')),
  -- The list whose subscription gates marketing steps (transactional steps go regardless).
  list_id uuid references marketing.lists (id),
  active boolean not null default true,
  created_at timestamptz not null default now()
);
create index automations_trigger_idx on marketing.automations (trigger) where active;
create index automations_list_idx on marketing.automations (list_id);

create table marketing.automation_steps (
  id uuid primary key default gen_random_uuid(),
  automation_id uuid not null references marketing.automations (id) on delete cascade,
  position int not null check (position >= 0),
  -- Wait after the previous step (after the trigger for the first).
  delay interval not null default '0 seconds' check (delay >= '0 seconds'),
  template_id uuid not null references marketing.templates (id),
  -- Optional condition on the trigger's payload: {"field": "<payload key>", "op": "eq|neq|gt|gte|lt|lte|exists",
  -- "value": ...}. A step whose condition fails is skipped.
  condition jsonb check (condition is null or (condition ? 'field' and condition ->> 'op' in
    ('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'exists'))),
  unique (automation_id, position)
);
create index automation_steps_template_idx on marketing.automation_steps (template_id);

create table marketing.automation_runs (
  id uuid primary key default gen_random_uuid(),
  automation_id uuid not null references marketing.automations (id) on delete cascade,
  subscriber_id uuid not null references marketing.subscribers (id) on delete cascade,
  trigger_event text not null,
  payload jsonb not null default '{}'::jsonb,
  next_position int not null default 0,
  next_at timestamptz not null default now(),
  status text not null default 'active' check (status in ('active', 'finished', 'cancelled')),
  created_at timestamptz not null default now(),
  -- Idempotent per (automation, subject, trigger event).
  unique (automation_id, subscriber_id, trigger_event)
);
create index automation_runs_due_idx on marketing.automation_runs (next_at) where status = 'active';
create index automation_runs_subscriber_idx on marketing.automation_runs (subscriber_id);
alter table marketing.messages add constraint messages_run_fk
  foreign key (automation_run_id) references marketing.automation_runs (id) on delete cascade;
create index messages_run_idx on marketing.messages (automation_run_id);

alter table marketing.campaigns enable row level security;
alter table marketing.automations enable row level security;
alter table marketing.automation_steps enable row level security;
alter table marketing.automation_runs enable row level security;

create policy "staff and analysts read campaigns" on marketing.campaigns for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff add campaigns" on marketing.campaigns for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change campaigns" on marketing.campaigns for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete draft campaigns" on marketing.campaigns for delete to authenticated
  using ((select private.marketing_is_staff()) and status = 'draft');

create policy "staff read automations" on marketing.automations for select to authenticated
  using ((select private.marketing_is_staff()));
create policy "staff add automations" on marketing.automations for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change automations" on marketing.automations for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete automations" on marketing.automations for delete to authenticated
  using ((select private.marketing_is_staff()));

create policy "staff read steps" on marketing.automation_steps for select to authenticated
  using ((select private.marketing_is_staff()));
create policy "staff add steps" on marketing.automation_steps for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change steps" on marketing.automation_steps for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete steps" on marketing.automation_steps for delete to authenticated
  using ((select private.marketing_is_staff()));

create policy "staff read runs" on marketing.automation_runs for select to authenticated
  using ((select private.marketing_is_staff()));

grant select, insert, update, delete on marketing.campaigns, marketing.automations, marketing.automation_steps
  to authenticated;
grant select on marketing.automation_runs to authenticated;

-- RPCs ------------------------------------------------------------------------------------------------

/*
  Starts one run of every active automation with this trigger for the subscriber; a second call with
  the same trigger event starts nothing (unique per automation, subject and event). Returns runs started.
*/
create or replace function marketing.trigger_automations(
  trigger_name text, subscriber_id uuid, trigger_event text, payload jsonb default '{}'::jsonb
) returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  started int;
begin
  insert into marketing.automation_runs (automation_id, subscriber_id, trigger_event, payload, next_at)
  select a.id, trigger_automations.subscriber_id, trigger_event, coalesce(payload, '{}'::jsonb),
         now() + coalesce((select s.delay from marketing.automation_steps s
                           where s.automation_id = a.id order by s.position limit 1), '0 seconds')
  from marketing.automations a
  where a.active and a.trigger = trigger_name
    -- An automation bound to a list starts only for events of that list (a welcome series for the
    -- newsletter is not for someone who joined another list: its mail would only be suppressed); an event
    -- about no list (a hot lead, an order) starts it regardless, and its list decides consent at send time.
    and (a.list_id is null or not (coalesce(payload, '{}'::jsonb) ? 'listId')
         or a.list_id::text = coalesce(payload, '{}'::jsonb) ->> 'listId')
  on conflict (automation_id, subscriber_id, trigger_event) do nothing;
  get diagnostics started = row_count;
  return started;
end;
$$;

create or replace function private.marketing_condition_holds(condition jsonb, payload jsonb) returns boolean
language sql immutable set search_path = '' as $$
  select case
    when condition is null then true
    when condition ->> 'op' = 'exists' then payload ? (condition ->> 'field')
    when jsonb_typeof(condition -> 'value') = 'number' then
      case condition ->> 'op'
        when 'eq' then (payload ->> (condition ->> 'field'))::numeric = (condition ->> 'value')::numeric
        when 'neq' then (payload ->> (condition ->> 'field'))::numeric <> (condition ->> 'value')::numeric
        when 'gt' then (payload ->> (condition ->> 'field'))::numeric > (condition ->> 'value')::numeric
        when 'gte' then (payload ->> (condition ->> 'field'))::numeric >= (condition ->> 'value')::numeric
        when 'lt' then (payload ->> (condition ->> 'field'))::numeric < (condition ->> 'value')::numeric
        when 'lte' then (payload ->> (condition ->> 'field'))::numeric <= (condition ->> 'value')::numeric
      end
    else case condition ->> 'op'
        when 'eq' then payload -> (condition ->> 'field') = condition -> 'value'
        when 'neq' then payload -> (condition ->> 'field') is distinct from condition -> 'value'
        else false end
  end is true
$$;

/*
  Advances every due automation run by one step, set-based: queues the step's message (when its
  condition holds), then moves the run to its next step (after that step's delay) or finishes it. A run
  advanced twice (a rerun) queues nothing new: messages are unique per (run, step). Returns runs advanced.
*/
create or replace function marketing.advance_automations(batch_size int default 5000) returns bigint
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  advanced bigint;
begin
  with due as (
    select r.* from marketing.automation_runs r
    where r.status = 'active' and r.next_at <= now()
    order by r.next_at limit batch_size
    for update of r skip locked
  ), current_step as (
    select d.id as run_id, d.subscriber_id, d.payload, a.list_id, s.position, s.template_id, s.condition, t.kind,
           (select n.position from marketing.automation_steps n
            where n.automation_id = d.automation_id and n.position > s.position order by n.position limit 1) as next_position,
           (select n.delay from marketing.automation_steps n
            where n.automation_id = d.automation_id and n.position > s.position order by n.position limit 1) as next_delay
    from due d
    join marketing.automations a on a.id = d.automation_id
    join marketing.automation_steps s on s.automation_id = d.automation_id and s.position = d.next_position
    join marketing.templates t on t.id = s.template_id
  ), queued as (
    insert into marketing.messages (subscriber_id, template_id, list_id, kind, automation_run_id, step_position, data)
    select c.subscriber_id, c.template_id, c.list_id, c.kind, c.run_id, c.position, c.payload
    from current_step c
    where private.marketing_condition_holds(c.condition, c.payload)
    on conflict do nothing
    returning 1
  ), moved as (
    update marketing.automation_runs r
    set next_position = coalesce(c.next_position, r.next_position),
        next_at = case when c.next_position is null then r.next_at else now() + c.next_delay end,
        status = case when c.next_position is null then 'finished' else 'active' end
    from current_step c where r.id = c.run_id
    returning 1
  ), orphaned as (
    -- A run whose step was deleted has nothing left to do.
    update marketing.automation_runs r set status = 'finished'
    from due d where r.id = d.id and not exists (select 1 from current_step c where c.run_id = d.id)
    returning 1
  )
  select (select count(*) from moved) + (select count(*) from orphaned) + 0 * (select count(*) from queued)
  into advanced;
  return advanced;
end;
$$;

/*
  Starts due scheduled campaigns: queues one message per confirmed, enabled subscriber of the list
  (narrowed to the segment's members when the campaign names one), and finishes running campaigns with
  nothing left to send. Re-running queues nothing twice. Returns the messages queued plus campaigns changed.
*/
create or replace function marketing.run_campaigns() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  queued bigint;
  started bigint;
  finished bigint;
begin
  with due as (
    update marketing.campaigns c set status = 'running', started_at = coalesce(c.started_at, now())
    where c.status = 'scheduled' and c.send_at <= now()
    returning c.*
  )
  select count(*) into started from due;

  insert into marketing.messages (subscriber_id, template_id, list_id, kind, campaign_id)
  select x.subscriber_id, c.template_id, c.list_id, 'marketing', c.id
  from marketing.campaigns c
  join marketing.subscriptions x on x.list_id = c.list_id and x.status = 'confirmed'
  join marketing.subscribers s on s.id = x.subscriber_id and s.status = 'enabled'
  where c.status = 'running'
    and not exists (select 1 from marketing.messages m where m.campaign_id = c.id and m.subscriber_id = x.subscriber_id)
    and (c.segment_id is null or exists (
      select 1 from marketing.segment_members sm where sm.segment_id = c.segment_id and sm.user_id = s.user_id))
  on conflict do nothing;
  get diagnostics queued = row_count;

  update marketing.campaigns c set status = 'finished', finished_at = now()
  where c.status = 'running'
    and not exists (select 1 from marketing.messages m where m.campaign_id = c.id and m.status in ('queued', 'sending'));
  get diagnostics finished = row_count;
  return queued + started + finished;
end;
$$;

-- Per-campaign analytics (marketing staff and analysts).
create or replace function marketing.campaign_stats(campaign_id uuid) returns jsonb
language plpgsql stable set search_path = '' as $$
#variable_conflict use_column
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'marketing', 'analyst']);
  select jsonb_build_object(
    'campaignId', c.id, 'status', c.status,
    'queued', count(m.id) filter (where m.status in ('queued', 'sending')),
    'sent', count(m.id) filter (where m.status = 'sent'),
    'suppressed', count(m.id) filter (where m.status = 'suppressed'),
    'failed', count(m.id) filter (where m.status = 'dead'),
    'delivered', count(m.delivered_at),
    'uniqueOpens', count(m.opened_at),
    'uniqueClicks', count(m.clicked_at),
    'bounces', count(m.bounced_at),
    'unsubscribes', (select count(*) from marketing.message_events e join marketing.messages mm on mm.id = e.message_id
                     where mm.campaign_id = c.id and e.type = 'unsubscribed'))
  into result
  from marketing.campaigns c left join marketing.messages m on m.campaign_id = c.id
  where c.id = campaign_stats.campaign_id
  group by c.id;
  if result is null then
    raise exception using errcode = 'PT404', hint = 'campaign_not_found', message = 'No such campaign.';
  end if;
  return result;
end;
$$;
grant execute on function marketing.campaign_stats(uuid) to authenticated, service_role;

-- Wakes the send job through pg_net (sent after commit). Without the Vault secrets (a project not yet
-- configured) the caller's work must still commit; the minute tick retries the wake.
create or replace function private.marketing_wake_sender() returns void
language plpgsql volatile set search_path = '' as $$
begin
  perform private.invoke_function('pipeline/marketing-send', '{}'::jsonb, 60000);
exception when others then
  raise warning 'marketing send job not woken: %', sqlerrm;
end;
$$;

-- The pg_cron side: campaigns and automations queue mail in SQL, then pg_net wakes the send job, which
-- renders and hands the due messages to the provider.
create or replace function private.marketing_tick() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  touched bigint;
begin
  touched := marketing.run_campaigns() + marketing.advance_automations();
  if exists (select 1 from marketing.messages m
             where (m.status = 'queued' and m.next_attempt_at <= now()) or (m.status = 'sending' and m.leased_until < now())) then
    perform private.marketing_wake_sender();
  end if;
  return touched;
end;
$$;

select cron.schedule('marketing-tick', '* * * * *',
  $$select private.run_job('marketing-tick', 'select private.marketing_tick()')$$);

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.campaigns is 'A one-off send of a template to a list (optionally narrowed to a segment).';
comment on column marketing.campaigns.id is 'Primary key.';
comment on column marketing.campaigns.name is 'Name staff see.';
comment on column marketing.campaigns.template_id is 'What is sent.';
comment on column marketing.campaigns.list_id is 'Audience: its confirmed subscribers.';
comment on column marketing.campaigns.segment_id is 'Optional narrowing to a segment''s members.';
comment on column marketing.campaigns.status is 'draft, scheduled, running, paused, finished or cancelled.';
comment on column marketing.campaigns.send_at is 'When a scheduled campaign starts.';
comment on column marketing.campaigns.started_at is 'When it started.';
comment on column marketing.campaigns.finished_at is 'When nothing was left to send.';
comment on column marketing.campaigns.created_by is 'Staff user who created it.';
comment on column marketing.campaigns.created_at is 'When the row was created.';
comment on column marketing.campaigns.updated_at is 'Last change.';
comment on table marketing.automations is 'An event-triggered sequence of e-mails, defined as data.';
comment on column marketing.automations.id is 'Primary key.';
comment on column marketing.automations.slug is 'Stable name.';
comment on column marketing.automations.name is 'Name staff see.';
comment on column marketing.automations.trigger is 'The event that starts a run.';
comment on column marketing.automations.list_id is 'The list whose subscription gates its marketing steps.';
comment on column marketing.automations.active is 'Inactive automations start no runs.';
comment on column marketing.automations.created_at is 'When the row was created.';
comment on table marketing.automation_steps is 'One step of an automation: wait, then send a template if the condition holds.';
comment on column marketing.automation_steps.id is 'Primary key.';
comment on column marketing.automation_steps.automation_id is 'The automation.';
comment on column marketing.automation_steps.position is 'Order within the automation.';
comment on column marketing.automation_steps.delay is 'Wait after the previous step (or the trigger).';
comment on column marketing.automation_steps.template_id is 'What the step sends.';
comment on column marketing.automation_steps.condition is 'Optional {field, op, value} over the trigger payload; a failing step is skipped.';
comment on table marketing.automation_runs is 'One run of an automation for one subscriber and trigger event (unique together).';
comment on column marketing.automation_runs.id is 'Primary key.';
comment on column marketing.automation_runs.automation_id is 'The automation.';
comment on column marketing.automation_runs.subscriber_id is 'Who the run is for.';
comment on column marketing.automation_runs.trigger_event is 'The event that started it (idempotency).';
comment on column marketing.automation_runs.payload is 'The trigger''s data, passed to templates and conditions.';
comment on column marketing.automation_runs.next_position is 'The step due next.';
comment on column marketing.automation_runs.next_at is 'When it is due.';
comment on column marketing.automation_runs.status is 'active, finished or cancelled.';
comment on column marketing.automation_runs.created_at is 'When the row was created.';
comment on function marketing.advance_automations(integer) is 'Queues the due step of every due automation run and moves the run on (pg_cron tick).';
comment on function marketing.campaign_stats(uuid) is 'Per-campaign figures: sent, delivered, unique opens and clicks, unsubscribes, bounces.';
comment on function marketing.run_campaigns() is 'Starts due campaigns, queues their audience once, finishes those with nothing left.';
comment on function marketing.trigger_automations(text, uuid, text, jsonb) is 'Starts one run per matching automation, idempotent per event.';
