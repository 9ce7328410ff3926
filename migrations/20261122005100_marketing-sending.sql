-- Marketing: templates and the durable send outbox. Every e-mail is one marketing.messages row, unique
-- per (campaign, subscriber), per (automation run, step) and per consent record (double opt-in), so a
-- rerun can never queue it twice. The send job (pipeline/marketing-send) claims due rows under a lease,
-- checks suppression at that moment, renders with liquidjs and hands them to the provider with the
-- message id as Idempotency-Key: a job killed after the provider accepted a message but before it
-- settled the row re-sends under the same key and the provider answers with the first send.

create table marketing.templates (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  name text not null check (char_length(name) between 1 and 120),
  -- transactional mail (double opt-in, order notices) goes to every enabled subscriber; marketing mail
  -- only to confirmed subscriptions.
  kind text not null default 'marketing' check (kind in ('marketing', 'transactional')),
  subject text not null check (char_length(subject) between 1 and 300),
  body_html text not null check (char_length(body_html) <= 200000),
  body_text text not null check (char_length(body_text) <= 100000),
  -- The variables the template may use beyond the built-ins (subscriber, list, links): rendering is
  -- strict, so any other name is an error, never an empty string.
  variables text[] not null default '{}',
  updated_at timestamptz not null default now(),
  created_at timestamptz not null default now()
);

create table marketing.messages (
  id uuid primary key default gen_random_uuid(),
  subscriber_id uuid not null references marketing.subscribers (id) on delete cascade,
  template_id uuid not null references marketing.templates (id),
  list_id uuid references marketing.lists (id) on delete set null,
  kind text not null check (kind in ('marketing', 'transactional')),
  campaign_id uuid,
  automation_run_id uuid,
  step_position int,
  consent_id bigint references marketing.consent_log (id) on delete set null,
  data jsonb not null default '{}'::jsonb,
  status text not null default 'queued'
    check (status in ('queued', 'sending', 'sent', 'suppressed', 'dead')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  leased_until timestamptz,
  provider_message_id text unique,
  -- The links the sent message carried, by position: click redirects go only to these.
  links text[] not null default '{}',
  last_error text,
  sent_at timestamptz,
  delivered_at timestamptz,
  opened_at timestamptz,
  clicked_at timestamptz,
  bounced_at timestamptz,
  created_at timestamptz not null default now()
);
create unique index messages_campaign_subscriber_idx on marketing.messages (campaign_id, subscriber_id)
  where campaign_id is not null;
create unique index messages_run_step_idx on marketing.messages (automation_run_id, step_position)
  where automation_run_id is not null;
create unique index messages_consent_idx on marketing.messages (consent_id) where consent_id is not null;
create index messages_due_idx on marketing.messages (next_attempt_at) where status = 'queued';
create index messages_lease_idx on marketing.messages (leased_until) where status = 'sending';
create index messages_subscriber_idx on marketing.messages (subscriber_id, created_at desc);
create index messages_template_idx on marketing.messages (template_id);
create index messages_list_idx on marketing.messages (list_id);

-- Provider events (Resend webhooks) and our own open and click hits, de-duplicated by their id.
create table marketing.message_events (
  id bigint generated always as identity primary key,
  event_key text not null unique,
  message_id uuid references marketing.messages (id) on delete cascade,
  type text not null check (type in ('sent', 'delivered', 'delivery_delayed', 'bounced_hard', 'bounced_soft',
                                     'complained', 'opened', 'clicked', 'unsubscribed')),
  detail jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now()
);
create index message_events_message_idx on marketing.message_events (message_id, type);

alter table marketing.templates enable row level security;
alter table marketing.messages enable row level security;
alter table marketing.message_events enable row level security;

create policy "staff read templates" on marketing.templates for select to authenticated
  using ((select private.marketing_is_staff()));
create policy "staff add templates" on marketing.templates for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change templates" on marketing.templates for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete templates" on marketing.templates for delete to authenticated
  using ((select private.marketing_is_staff()));
-- Messages carry personal data: marketing staff and analysts read them; customers read their own.
create policy "staff, analysts and recipients read messages" on marketing.messages for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'marketing', 'analyst']))
    or subscriber_id in (select s.id from marketing.subscribers s where s.user_id = (select auth.uid()))
  );
create policy "staff and analysts read message events" on marketing.message_events for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));

grant select, insert, update, delete on marketing.templates to authenticated;
grant select on marketing.messages, marketing.message_events to authenticated;

-- Send job RPCs (service role) ---------------------------------------------------------------------

/*
  Why a due message must not go out, or null: a blocklisted or hard-bounced subscriber, or (for marketing
  mail) a subscription to its list that is not confirmed. Decided at send time, by the claim.
*/
create or replace function private.marketing_judge(message_ids uuid[])
returns table (id uuid, suppression text)
language sql stable set search_path = '' as $$
  select m.id,
         case when s.status = 'blocklisted' then 'blocklisted'
              when s.hard_bounced_at is not null then 'hard_bounced'
              when m.kind = 'marketing' and coalesce(x.status, 'none') <> 'confirmed' then 'not_subscribed'
         end
  from marketing.messages m
  join marketing.subscribers s on s.id = m.subscriber_id
  left join marketing.subscriptions x on x.subscriber_id = m.subscriber_id and x.list_id = m.list_id
  where m.id = any (message_ids)
$$;

/*
  Claims up to batch_size due messages for sending under a lease; a due row that must not go out
  (private.marketing_judge) turns `suppressed` instead. Rows whose lease ran out (a job killed midway)
  are due again. Returns what the renderer needs, and nothing only when nothing is due (or every due
  row is leased by another job): when a whole batch was suppressed, the next one is judged in the same
  call. Otherwise a run of suppressed rows at the head of the queue (welcome mails to an imported list
  that never confirmed) answered empty, the send job stopped as if the queue were empty, and a campaign
  queued behind them waited a tick for every thousand of them.
*/
create or replace function marketing.claim_messages(batch_size int default 100, lease_seconds int default 60)
returns table (
  message_id uuid, attempts int, email text, subscriber_id uuid, subscriber_name text, subscriber_attributes jsonb,
  list_id uuid, list_name text, kind text, template_slug text, subject text, body_html text, body_text text,
  variables text[], data jsonb, queued_at timestamptz
)
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  suppressed_rows int;
  sendable uuid[];
begin
  if batch_size is null or batch_size not between 1 and 1000 then
    raise exception using errcode = 'PT422', hint = 'invalid_batch', message = 'batch_size must be 1 to 1000.';
  end if;
  loop
    -- Lock a batch, suppress what must not go out, and keep the rest: they stay locked by this
    -- transaction until the lease below is written.
    with due as (
      select m.id from marketing.messages m
      where (m.status = 'queued' and m.next_attempt_at <= now())
         or (m.status = 'sending' and m.leased_until < now())
      order by m.next_attempt_at
      limit batch_size
      for update of m skip locked
    ), judged as (
      select j.id, j.suppression from private.marketing_judge(array(select d.id from due d)) j
    ), suppressed as (
      update marketing.messages m set status = 'suppressed', last_error = j.suppression, leased_until = null
      from judged j where m.id = j.id and j.suppression is not null
      returning 1
    )
    select (select count(*) from suppressed), array(select j.id from judged j where j.suppression is null)
    into suppressed_rows, sendable;

    if cardinality(sendable) > 0 then
      return query
      with leased as (
        update marketing.messages m
        set status = 'sending', attempts = m.attempts + 1,
            leased_until = now() + make_interval(secs => lease_seconds)
        where m.id = any (sendable)
        returning m.*
      )
      select l.id, l.attempts, s.email, s.id, s.name, s.attributes, l.list_id, li.name, l.kind, t.slug, t.subject,
             t.body_html, t.body_text, t.variables, l.data, l.created_at
      from leased l
      join marketing.subscribers s on s.id = l.subscriber_id
      join marketing.templates t on t.id = l.template_id
      left join marketing.lists li on li.id = l.list_id;
      return;
    end if;
    exit when suppressed_rows = 0;
  end loop;
end;
$$;

-- Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at one hour.
create or replace function private.marketing_backoff(attempts int) returns interval
language sql immutable set search_path = '' as $$
  select least(interval '1 hour', interval '30 seconds' * power(2, greatest(attempts - 1, 0)))
$$;

/*
  Settles claimed messages. outcomes: [{id, outcome: sent|retry|dead, providerMessageId?, links?, error?}].
  Retries back off until max_attempts, then the row is dead. Only rows still leased (status sending)
  change, so a late settle after a lease expired and another job took over cannot undo its work.
*/
create or replace function marketing.settle_messages(outcomes jsonb, max_attempts int default 6) returns int
language sql volatile set search_path = '' as $$
  with o as (
    select (e ->> 'id')::uuid as id, e ->> 'outcome' as outcome, e ->> 'providerMessageId' as provider_id,
           coalesce(array(select jsonb_array_elements_text(e -> 'links')), '{}') as links, e ->> 'error' as error
    from jsonb_array_elements(outcomes) e
  ), settled as (
    update marketing.messages m
    set status = case when o.outcome = 'sent' then 'sent'
                      when o.outcome = 'retry' and m.attempts < max_attempts then 'queued'
                      else 'dead' end,
        provider_message_id = case when o.outcome = 'sent' then o.provider_id else m.provider_message_id end,
        links = case when o.outcome = 'sent' then o.links else m.links end,
        sent_at = case when o.outcome = 'sent' then now() end,
        last_error = case when o.outcome = 'sent' then null else left(o.error, 500) end,
        next_attempt_at = case when o.outcome = 'retry' then now() + private.marketing_backoff(m.attempts)
                               else m.next_attempt_at end,
        leased_until = null
    from o where m.id = o.id and m.status = 'sending'
    returning 1
  )
  select count(*)::int from settled
$$;

/*
  Applies provider events and tracking hits: events [{key, providerMessageId? | messageId?, type, detail?,
  occurredAt?}]. Duplicates (the same key) are ignored. As listmonk does by default, one hard bounce or
  one complaint blocklists the subscriber; soft bounces are counted. Returns the events recorded.
*/
create or replace function marketing.record_message_events(events jsonb) returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  recorded int;
begin
  create temporary table if not exists pg_temp.marketing_new_events (
    message_id uuid, subscriber_id uuid, type text, occurred_at timestamptz
  ) on commit drop;
  truncate pg_temp.marketing_new_events;
  with incoming as (
    select e ->> 'key' as event_key, e ->> 'type' as type, coalesce(e -> 'detail', '{}'::jsonb) as detail,
           coalesce((e ->> 'occurredAt')::timestamptz, now()) as occurred_at,
           coalesce((e ->> 'messageId')::uuid,
                    (select m.id from marketing.messages m where m.provider_message_id = e ->> 'providerMessageId')) as message_id
    from jsonb_array_elements(events) e
  ), inserted as (
    insert into marketing.message_events (event_key, message_id, type, detail, occurred_at)
    select i.event_key, i.message_id, i.type, i.detail, i.occurred_at from incoming i where i.message_id is not null
    on conflict (event_key) do nothing
    returning message_id, type, occurred_at
  )
  insert into pg_temp.marketing_new_events
  select i.message_id, m.subscriber_id, i.type, i.occurred_at
  from inserted i join marketing.messages m on m.id = i.message_id;
  get diagnostics recorded = row_count;

  -- One row per message (an UPDATE applies at most one joined row to each target).
  update marketing.messages m
  set delivered_at = coalesce(m.delivered_at, n.delivered_at),
      opened_at = coalesce(m.opened_at, n.opened_at),
      clicked_at = coalesce(m.clicked_at, n.clicked_at),
      bounced_at = coalesce(m.bounced_at, n.bounced_at)
  from (
    select message_id,
           min(occurred_at) filter (where type = 'delivered') as delivered_at,
           min(occurred_at) filter (where type in ('opened', 'clicked')) as opened_at,
           min(occurred_at) filter (where type = 'clicked') as clicked_at,
           min(occurred_at) filter (where type in ('bounced_hard', 'bounced_soft')) as bounced_at
    from pg_temp.marketing_new_events group by 1
  ) n
  where m.id = n.message_id;

  update marketing.subscribers s
  set status = case when n.hard > 0 or n.complaints > 0 then 'blocklisted' else s.status end,
      blocklisted_reason = case when n.complaints > 0 then 'complaint' when n.hard > 0 then 'hard_bounce'
                                else s.blocklisted_reason end,
      hard_bounced_at = case when n.hard > 0 then coalesce(s.hard_bounced_at, now()) else s.hard_bounced_at end,
      soft_bounces = s.soft_bounces + n.soft,
      updated_at = now()
  from (
    select subscriber_id,
           count(*) filter (where type = 'bounced_hard') as hard,
           count(*) filter (where type = 'bounced_soft') as soft,
           count(*) filter (where type = 'complained') as complaints
    from pg_temp.marketing_new_events group by 1
  ) n
  where s.id = n.subscriber_id and (n.hard + n.soft + n.complaints) > 0;

  insert into marketing.consent_log (subscriber_id, list_id, action, source)
  select distinct n.subscriber_id, null::uuid, case when n.type = 'complained' then 'complaint' else 'blocklist' end,
         'provider'
  from pg_temp.marketing_new_events n where n.type in ('complained', 'bounced_hard');
  return recorded;
end;
$$;

/*
  Records a click on a signed link and returns its target. The token (checked by the function) carries the
  message, the link's position and its URL, so a click that arrives before the send job has settled the
  row still works; once the row is settled its stored links must agree, or the click is refused (PT404).
  Recorded once per (message, position).
*/
create or replace function marketing.record_click(message_id uuid, link_position int, target text) returns text
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  sent_links text[];
begin
  select m.links into sent_links from marketing.messages m where m.id = record_click.message_id;
  if sent_links is null
     or (cardinality(sent_links) > 0 and sent_links[link_position + 1] is distinct from target) then
    raise exception using errcode = 'PT404', hint = 'link_not_found', message = 'This link is not part of the message.';
  end if;
  perform marketing.record_message_events(jsonb_build_array(jsonb_build_object(
    'key', 'click:' || record_click.message_id || ':' || link_position, 'messageId', record_click.message_id,
    'type', 'clicked', 'detail', jsonb_build_object('url', target))));
  return target;
end;
$$;

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.templates is 'An e-mail template (liquid): subject, HTML and text bodies.';
comment on column marketing.templates.id is 'Primary key.';
comment on column marketing.templates.slug is 'Stable name.';
comment on column marketing.templates.name is 'Name staff see.';
comment on column marketing.templates.kind is 'marketing (needs a confirmed subscription) or transactional.';
comment on column marketing.templates.subject is 'Subject template.';
comment on column marketing.templates.body_html is 'HTML body template (output HTML-escaped).';
comment on column marketing.templates.body_text is 'Plain-text body template.';
comment on column marketing.templates.variables is 'Variables the template may use beyond subscriber, list and links.';
comment on column marketing.templates.updated_at is 'Last change.';
comment on column marketing.templates.created_at is 'When the row was created.';
comment on table marketing.messages is 'The send outbox: one row per e-mail, unique per campaign and subscriber, automation run and step, or consent record.';
comment on column marketing.messages.id is 'Primary key. Sent to the provider as Idempotency-Key.';
comment on column marketing.messages.subscriber_id is 'Recipient.';
comment on column marketing.messages.template_id is 'Template rendered at send time.';
comment on column marketing.messages.list_id is 'The list the mail is for (gates marketing mail; unsubscribe target).';
comment on column marketing.messages.kind is 'marketing or transactional (copied from the template).';
comment on column marketing.messages.campaign_id is 'The campaign that queued it.';
comment on column marketing.messages.automation_run_id is 'The automation run that queued it.';
comment on column marketing.messages.step_position is 'The automation step.';
comment on column marketing.messages.consent_id is 'The consent record whose confirmation e-mail this is.';
comment on column marketing.messages.data is 'Template variables for this message.';
comment on column marketing.messages.status is 'queued, sending (leased), sent, suppressed or dead.';
comment on column marketing.messages.attempts is 'Hand-overs to the provider so far.';
comment on column marketing.messages.next_attempt_at is 'When it is due (backoff after failures).';
comment on column marketing.messages.leased_until is 'While sending: when another job may take it over.';
comment on column marketing.messages.provider_message_id is 'Resend email id.';
comment on column marketing.messages.links is 'The links of the sent message by position (click redirects go only here).';
comment on column marketing.messages.last_error is 'Why the last attempt failed or why it was suppressed.';
comment on column marketing.messages.sent_at is 'When the provider accepted it.';
comment on column marketing.messages.delivered_at is 'First delivery event.';
comment on column marketing.messages.opened_at is 'First open.';
comment on column marketing.messages.clicked_at is 'First click.';
comment on column marketing.messages.bounced_at is 'First bounce.';
comment on column marketing.messages.created_at is 'When the row was created.';
comment on table marketing.message_events is 'Provider events and tracking hits per message, de-duplicated by their key.';
comment on column marketing.message_events.id is 'Primary key.';
comment on column marketing.message_events.event_key is 'Unique key (svix-id, or open/click/unsubscribe per message).';
comment on column marketing.message_events.message_id is 'The message.';
comment on column marketing.message_events.type is 'delivered, delivery_delayed, bounced_hard, bounced_soft, complained, opened, clicked or unsubscribed.';
comment on column marketing.message_events.detail is 'Provider detail (bounce type, clicked URL).';
comment on column marketing.message_events.occurred_at is 'When it happened.';
comment on function marketing.claim_messages(integer, integer) is 'Leases due outbox rows for sending; suppressed rows are settled at once.';
comment on function marketing.record_click(uuid, integer, text) is 'Records a click and returns the message''s link at that position.';
comment on function marketing.record_message_events(jsonb) is 'Records provider events and tracking hits; applies bounce and complaint rules.';
comment on function marketing.settle_messages(jsonb, integer) is 'Settles leased messages as sent, retried with backoff, or dead.';
