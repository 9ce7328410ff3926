-- Marketing: subscribers, lists (single or double opt-in), subscriptions and the append-only consent
-- log. Browsers never write here directly: subscribe, confirm and unsubscribe go through the marketing
-- function (signed tokens) and the service-only RPCs below; a signed-in customer reads their own
-- subscriptions and may unsubscribe from them through the Data API.

create schema if not exists marketing;
grant usage on schema marketing to anon, authenticated, service_role;

-- Marketing staff: admins, or the `marketing` staff role given through private.user_roles.
create or replace function private.marketing_is_staff() returns boolean
language sql stable set search_path = '' as $$
  select private.has_any_role(array['admin', 'marketing'])
$$;
grant execute on function private.marketing_is_staff() to authenticated, service_role;

create table marketing.subscribers (
  id uuid primary key default gen_random_uuid(),
  email text not null check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 254),
  -- The customer's account, when the address belongs to one (linked on subscribe when signed in).
  user_id uuid unique references auth.users (id) on delete set null,
  name text check (char_length(name) <= 120),
  status text not null default 'enabled' check (status in ('enabled', 'blocklisted')),
  soft_bounces int not null default 0,
  hard_bounced_at timestamptz,
  blocklisted_reason text,
  attributes jsonb not null default '{}'::jsonb check (jsonb_typeof(attributes) = 'object'),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index subscribers_email_idx on marketing.subscribers (email);

create table marketing.lists (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  name text not null check (char_length(name) between 1 and 120),
  description text,
  opt_in text not null default 'double' check (opt_in in ('single', 'double')),
  -- What the subscriber agrees to, and its version: recorded with every consent.
  consent_text text not null,
  consent_version text not null default 'v1',
  created_at timestamptz not null default now()
);

create table marketing.subscriptions (
  subscriber_id uuid not null references marketing.subscribers (id) on delete cascade,
  list_id uuid not null references marketing.lists (id) on delete cascade,
  status text not null check (status in ('unconfirmed', 'confirmed', 'unsubscribed')),
  source text not null,
  created_at timestamptz not null default now(),
  confirmed_at timestamptz,
  unsubscribed_at timestamptz,
  primary key (subscriber_id, list_id)
);
create index subscriptions_list_status_idx on marketing.subscriptions (list_id, status);

create table marketing.consent_log (
  id bigint generated always as identity primary key,
  subscriber_id uuid not null references marketing.subscribers (id) on delete cascade,
  list_id uuid references marketing.lists (id) on delete set null,
  action text not null check (action in ('subscribe', 'confirm', 'unsubscribe', 'complaint', 'blocklist')),
  source text not null,
  consent_text_version text,
  ip inet,
  user_agent text,
  occurred_at timestamptz not null default now()
);
create index consent_log_subscriber_idx on marketing.consent_log (subscriber_id, occurred_at desc);
create index consent_log_list_idx on marketing.consent_log (list_id);

-- Consent is evidence: rows are never changed or removed (except with their subscriber, for erasure).
create or replace function private.marketing_consent_is_append_only() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = 'PT409', hint = 'append_only', message = 'The consent log is append-only.';
end;
$$;
create trigger consent_log_append_only before update on marketing.consent_log
  for each row execute function private.marketing_consent_is_append_only();

alter table marketing.subscribers enable row level security;
alter table marketing.lists enable row level security;
alter table marketing.subscriptions enable row level security;
alter table marketing.consent_log enable row level security;

create policy "customers read themselves, staff read all" on marketing.subscribers for select to authenticated
  using (user_id = (select auth.uid()) or (select private.marketing_is_staff()));
create policy "staff manage subscribers" on marketing.subscribers for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete subscribers" on marketing.subscribers for delete to authenticated
  using ((select private.marketing_is_staff()));

-- List names and consent texts are public: the subscribe form shows them.
create policy "everyone reads lists" on marketing.lists for select to anon, authenticated using (true);
create policy "staff add lists" on marketing.lists for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change lists" on marketing.lists for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete lists" on marketing.lists for delete to authenticated
  using ((select private.marketing_is_staff()));

create policy "customers read their subscriptions, staff read all" on marketing.subscriptions for select to authenticated
  using (
    (select private.marketing_is_staff())
    or subscriber_id in (select s.id from marketing.subscribers s where s.user_id = (select auth.uid()))
  );
-- A customer may only unsubscribe (the column grant allows status and unsubscribed_at alone; the
-- check allows no other status); staff may change anything.
create policy "customers unsubscribe themselves, staff manage" on marketing.subscriptions for update to authenticated
  using (
    (select private.marketing_is_staff())
    or subscriber_id in (select s.id from marketing.subscribers s where s.user_id = (select auth.uid()))
  )
  with check (
    (select private.marketing_is_staff())
    or (status = 'unsubscribed'
        and subscriber_id in (select s.id from marketing.subscribers s where s.user_id = (select auth.uid())))
  );

create policy "customers read their consent, staff read all" on marketing.consent_log for select to authenticated
  using (
    (select private.marketing_is_staff())
    or subscriber_id in (select s.id from marketing.subscribers s where s.user_id = (select auth.uid()))
  );

revoke all on all tables in schema marketing from anon, authenticated;
grant select on marketing.lists to anon;
grant select on marketing.subscribers, marketing.lists, marketing.subscriptions, marketing.consent_log to authenticated;
grant update (name, status, attributes, blocklisted_reason), delete on marketing.subscribers to authenticated;
grant insert, update, delete on marketing.lists to authenticated;
grant update (status, unsubscribed_at) on marketing.subscriptions to authenticated;

-- A customer's own unsubscribe through the Data API is logged as consent like every other.
create or replace function private.marketing_log_subscription_change() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if new.status = 'unsubscribed' and old.status <> 'unsubscribed' then
    new.unsubscribed_at := coalesce(new.unsubscribed_at, now());
    insert into marketing.consent_log (subscriber_id, list_id, action, source)
    values (new.subscriber_id, new.list_id, 'unsubscribe',
            case when auth.uid() is not null then 'account' else coalesce(current_setting('marketing.source', true), 'system') end);
  end if;
  return new;
end;
$$;
create trigger subscriptions_log_unsubscribe before update of status on marketing.subscriptions
  for each row execute function private.marketing_log_subscription_change();

-- RPCs (service role: the marketing function calls them after checking tokens and rate limits) -------

/*
  Subscribes an address to a list. Single opt-in lists confirm at once; double opt-in lists keep the
  subscription unconfirmed and queue the confirmation e-mail (template `double-opt-in`) through the
  outbox. A confirmed subscription stays confirmed (no second mail); an unsubscribed one starts over.
  Returns {subscriberId, listId, status, confirmationQueued}.
*/
create or replace function marketing.subscribe(
  email text, list_slug text, subscriber_name text default null, source text default 'form',
  client_ip inet default null, client_user_agent text default null, account_id uuid default null
) returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  target marketing.lists;
  subscriber marketing.subscribers;
  previous text;
  new_status text;
  consent_id bigint;
  queued boolean := false;
begin
  select * into target from marketing.lists l where l.slug = list_slug;
  if target.id is null then
    raise exception using errcode = 'PT404', hint = 'list_not_found', message = format('No list %s.', list_slug);
  end if;
  insert into marketing.subscribers as s (email, name, user_id)
  values (lower(trim(subscribe.email)), subscriber_name, account_id)
  on conflict (email) do update
    set name = coalesce(excluded.name, s.name), user_id = coalesce(s.user_id, excluded.user_id), updated_at = now()
  returning * into subscriber;
  if subscriber.status = 'blocklisted' then
    -- Said as success to the form (no address probing); nothing is sent to a blocklisted address.
    return jsonb_build_object('subscriberId', subscriber.id, 'listId', target.id, 'status', 'blocklisted',
                              'confirmationQueued', false);
  end if;

  select status into previous from marketing.subscriptions
  where subscriber_id = subscriber.id and list_id = target.id for update;
  new_status := case when previous = 'confirmed' then 'confirmed'
                     when target.opt_in = 'single' then 'confirmed'
                     else 'unconfirmed' end;
  insert into marketing.subscriptions as x (subscriber_id, list_id, status, source, confirmed_at)
  values (subscriber.id, target.id, new_status, subscribe.source, case when new_status = 'confirmed' then now() end)
  on conflict (subscriber_id, list_id) do update
    set status = new_status, source = excluded.source, unsubscribed_at = null,
        confirmed_at = case when new_status = 'confirmed' then coalesce(x.confirmed_at, now()) end;

  if previous is distinct from 'confirmed' then
    insert into marketing.consent_log (subscriber_id, list_id, action, source, consent_text_version, ip, user_agent)
    values (subscriber.id, target.id, 'subscribe', subscribe.source, target.consent_version, client_ip,
            left(client_user_agent, 300))
    returning id into consent_id;
    if new_status = 'unconfirmed' then
      insert into marketing.messages (subscriber_id, template_id, list_id, kind, consent_id, data)
      select subscriber.id, t.id, target.id, 'transactional', consent_id,
             jsonb_build_object('list', jsonb_build_object('name', target.name, 'consentText', target.consent_text))
      from marketing.templates t where t.slug = 'double-opt-in';
      queued := found;
      if queued then
        perform private.marketing_wake_sender();
      end if;
    else
      perform marketing.trigger_automations('subscription.confirmed', subscriber.id,
        'subscription:' || subscriber.id || ':' || target.id || ':' || consent_id,
        jsonb_build_object('listId', target.id, 'list', target.name));
    end if;
  end if;
  return jsonb_build_object('subscriberId', subscriber.id, 'listId', target.id, 'status', new_status,
                            'confirmationQueued', queued);
end;
$$;

/*
  Confirms a double opt-in subscription (the function has checked the signed, expiring token). Idempotent:
  a second click answers `confirmed` again without logging or triggering anything.
*/
create or replace function marketing.confirm_subscription(
  subscriber_id uuid, list_id uuid, client_ip inet default null, client_user_agent text default null
) returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  current_status text;
  consent_id bigint;
begin
  select s.status into current_status from marketing.subscriptions s
  where s.subscriber_id = confirm_subscription.subscriber_id and s.list_id = confirm_subscription.list_id for update;
  if current_status is null then
    raise exception using errcode = 'PT404', hint = 'subscription_not_found', message = 'No such subscription.';
  end if;
  if current_status = 'unsubscribed' then
    raise exception using errcode = 'PT409', hint = 'unsubscribed',
      message = 'This subscription was cancelled; subscribe again to receive e-mail.';
  end if;
  if current_status = 'confirmed' then
    return jsonb_build_object('status', 'confirmed', 'changed', false);
  end if;
  update marketing.subscriptions s set status = 'confirmed', confirmed_at = now()
  where s.subscriber_id = confirm_subscription.subscriber_id and s.list_id = confirm_subscription.list_id;
  insert into marketing.consent_log (subscriber_id, list_id, action, source, consent_text_version, ip, user_agent)
  select confirm_subscription.subscriber_id, l.id, 'confirm', 'double_opt_in', l.consent_version, client_ip,
         left(client_user_agent, 300)
  from marketing.lists l where l.id = confirm_subscription.list_id
  returning id into consent_id;
  perform marketing.trigger_automations('subscription.confirmed', confirm_subscription.subscriber_id,
    'subscription:' || confirm_subscription.subscriber_id || ':' || confirm_subscription.list_id || ':' || consent_id,
    (select jsonb_build_object('listId', l.id, 'list', l.name) from marketing.lists l where l.id = confirm_subscription.list_id));
  return jsonb_build_object('status', 'confirmed', 'changed', true);
end;
$$;

/*
  Unsubscribes at once (RFC 8058 one-click, or the link's page): from one list, or from every list when
  list_id is null. Idempotent. Returns the number of subscriptions that changed.
*/
create or replace function marketing.unsubscribe(subscriber_id uuid, list_id uuid default null, source text default 'link')
returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  changed int;
begin
  if not exists (select 1 from marketing.subscribers s where s.id = unsubscribe.subscriber_id) then
    raise exception using errcode = 'PT404', hint = 'subscriber_not_found', message = 'No such subscriber.';
  end if;
  perform set_config('marketing.source', unsubscribe.source, true);
  update marketing.subscriptions s set status = 'unsubscribed', unsubscribed_at = now()
  where s.subscriber_id = unsubscribe.subscriber_id
    and (unsubscribe.list_id is null or s.list_id = unsubscribe.list_id)
    and s.status <> 'unsubscribed';
  get diagnostics changed = row_count;
  -- Queued marketing mail from the lists left is withdrawn (suppression is checked again at send).
  update marketing.messages m set status = 'suppressed', last_error = 'unsubscribed'
  where m.subscriber_id = unsubscribe.subscriber_id and m.kind = 'marketing' and m.status = 'queued'
    and (unsubscribe.list_id is null or m.list_id = unsubscribe.list_id);
  return changed;
end;
$$;

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.subscribers is 'One e-mail address that may receive marketing mail, with its delivery health.';
comment on column marketing.subscribers.id is 'Primary key.';
comment on column marketing.subscribers.email is 'The address, lower-cased; unique.';
comment on column marketing.subscribers.user_id is 'The customer account the address belongs to, when known.';
comment on column marketing.subscribers.name is 'Name to greet the subscriber with.';
comment on column marketing.subscribers.status is 'enabled, or blocklisted (hard bounce, complaint, staff): blocklisted addresses get nothing.';
comment on column marketing.subscribers.soft_bounces is 'Soft bounces counted from provider events.';
comment on column marketing.subscribers.hard_bounced_at is 'When the first hard bounce arrived.';
comment on column marketing.subscribers.blocklisted_reason is 'Why the address was blocklisted (hard_bounce, complaint, or staff text).';
comment on column marketing.subscribers.attributes is 'Free-form attributes templates may read as subscriber.attributes.';
comment on column marketing.subscribers.created_at is 'When the row was created.';
comment on column marketing.subscribers.updated_at is 'Last change.';
comment on table marketing.lists is 'A mailing list; subscribers opt in to it singly or with a confirmation e-mail.';
comment on column marketing.lists.id is 'Primary key.';
comment on column marketing.lists.slug is 'Stable name used by the subscribe form.';
comment on column marketing.lists.name is 'Name shown to subscribers.';
comment on column marketing.lists.description is 'What the list sends.';
comment on column marketing.lists.opt_in is 'single (confirmed at once) or double (confirmation e-mail first).';
comment on column marketing.lists.consent_text is 'The consent wording the subscriber agrees to.';
comment on column marketing.lists.consent_version is 'Version of the consent text, recorded with each consent.';
comment on column marketing.lists.created_at is 'When the row was created.';
comment on table marketing.subscriptions is 'A subscriber on a list, and where that stands.';
comment on column marketing.subscriptions.subscriber_id is 'The subscriber.';
comment on column marketing.subscriptions.list_id is 'The list.';
comment on column marketing.subscriptions.status is 'unconfirmed, confirmed or unsubscribed.';
comment on column marketing.subscriptions.source is 'Where the subscription came from (form, account, lead, ...).';
comment on column marketing.subscriptions.created_at is 'When the row was created.';
comment on column marketing.subscriptions.confirmed_at is 'When it was confirmed.';
comment on column marketing.subscriptions.unsubscribed_at is 'When the subscriber left.';
comment on table marketing.consent_log is 'Append-only evidence of consent: every subscribe, confirm, unsubscribe, complaint and blocklisting.';
comment on column marketing.consent_log.id is 'Primary key.';
comment on column marketing.consent_log.subscriber_id is 'Whose consent.';
comment on column marketing.consent_log.list_id is 'Which list (null for all lists or provider actions).';
comment on column marketing.consent_log.action is 'subscribe, confirm, unsubscribe, complaint or blocklist.';
comment on column marketing.consent_log.source is 'Where it happened (form, double_opt_in, one_click, account, provider).';
comment on column marketing.consent_log.consent_text_version is 'The list consent text version agreed to.';
comment on column marketing.consent_log.ip is 'Client address, when known.';
comment on column marketing.consent_log.user_agent is 'Client user agent, when known.';
comment on column marketing.consent_log.occurred_at is 'When it happened.';
comment on function marketing.confirm_subscription(uuid, uuid, inet, text) is 'Confirms a double opt-in subscription (idempotent).';
comment on function marketing.subscribe(text, text, text, text, inet, text, uuid) is 'Subscribes an address to a list; double opt-in queues the confirmation.';
comment on function marketing.unsubscribe(uuid, uuid, text) is 'Unsubscribes from one list or all, at once; withdraws queued marketing mail.';
