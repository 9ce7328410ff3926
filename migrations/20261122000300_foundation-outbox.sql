-- Foundation: a durable outbox for outbound webhooks (leads' CRM hand-off today, any module later).
-- Enqueueing is a row insert in the producer's own transaction, so a rolled-back change never
-- notifies anyone. Delivery goes out
-- through pg_net (sent only after commit) with a Stripe-style HMAC-SHA256 signature:
--   X-Powerbase-Signature: t=<unix seconds>,v1=<hex hmac_sha256(secret, "<t>.<raw body>")>
-- The signing secret lives in Vault under the endpoint's secret_name, never in a table or in code.
-- A pg_cron job reads pg_net's responses, marks deliveries, and retries failures with exponential
-- backoff until max_attempts, after which the row is dead (kept for inspection and manual replay).

create table ops.webhook_endpoints (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (name ~ '^[a-z0-9_-]{2,60}$'),
  url text not null check (url ~ '^https?://'),
  -- vault.decrypted_secrets.name of the HMAC signing secret.
  secret_name text not null,
  event_types text[] not null check (cardinality(event_types) > 0),
  active boolean not null default true,
  max_attempts int not null default 8 check (max_attempts between 1 and 30),
  timeout_ms int not null default 5000 check (timeout_ms between 100 and 30000),
  created_at timestamptz not null default now()
);
create index webhook_endpoints_events_idx on ops.webhook_endpoints using gin (event_types) where active;

create table ops.outbound_webhooks (
  id bigint generated always as identity primary key,
  -- Sent as X-Powerbase-Event-Id: receivers de-duplicate retries on it.
  event_id uuid not null default gen_random_uuid() unique,
  endpoint_id uuid not null references ops.webhook_endpoints (id) on delete cascade,
  event_type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'sending', 'delivered', 'dead')),
  attempts int not null default 0,
  next_attempt_at timestamptz not null default now(),
  net_request_id bigint,
  sent_at timestamptz,
  last_status_code int,
  last_error text,
  delivered_at timestamptz,
  created_at timestamptz not null default now()
);
create index outbound_webhooks_due_idx on ops.outbound_webhooks (next_attempt_at) where status = 'pending';
create index outbound_webhooks_sending_idx on ops.outbound_webhooks (sent_at) where status = 'sending';
create index outbound_webhooks_event_type_idx on ops.outbound_webhooks (event_type, created_at desc);
-- Covers the foreign key: deleting an endpoint cascades to its rows without a sequential scan.
create index outbound_webhooks_endpoint_idx on ops.outbound_webhooks (endpoint_id);

alter table ops.webhook_endpoints enable row level security;
alter table ops.outbound_webhooks enable row level security;
create policy "admins manage webhook endpoints" on ops.webhook_endpoints for all to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins and support read outbound webhooks" on ops.outbound_webhooks for select to authenticated
  using ((select private.has_any_role(array['admin', 'support'])));
grant select, insert, update, delete on ops.webhook_endpoints to authenticated;
grant select on ops.outbound_webhooks to authenticated;
grant all on ops.webhook_endpoints, ops.outbound_webhooks to service_role;

-- Enqueues one event for every active endpoint subscribed to its type; returns the rows queued.
create or replace function ops.enqueue_webhooks(event_type text, payloads jsonb[]) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  queued bigint;
  new_ids bigint[];
begin
  with inserted as (
    insert into ops.outbound_webhooks (endpoint_id, event_type, payload)
    select e.id, enqueue_webhooks.event_type, p.payload
    from ops.webhook_endpoints e
    cross join unnest(payloads) as p(payload)
    where e.active and enqueue_webhooks.event_type = any (e.event_types)
    returning id
  )
  select array_agg(id), count(*) into new_ids, queued from inserted;
  -- First attempt right away (queued in pg_net, sent when this transaction commits).
  if queued > 0 then
    perform ops.send_webhooks(new_ids);
  end if;
  return queued;
end;
$$;

-- Hands the given pending rows to pg_net with a fresh signature; returns how many were sent.
create or replace function ops.send_webhooks(ids bigint[]) returns bigint
language sql volatile security definer set search_path = '' as $$
  with due as (
    select w.id, w.event_id, w.event_type, w.payload, e.url, e.timeout_ms, s.decrypted_secret as secret,
           extract(epoch from now())::bigint::text as stamp
    from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id and e.active
    join vault.decrypted_secrets s on s.name = e.secret_name
    where w.id = any (ids) and w.status = 'pending'
    for update of w skip locked
  ), sent as (
    select d.id, net.http_post(
      url := d.url,
      body := d.payload,
      headers := jsonb_build_object(
        'Content-Type', 'application/json',
        'User-Agent', 'powerbase-webhooks/1',
        'X-Powerbase-Event', d.event_type,
        'X-Powerbase-Event-Id', d.event_id::text,
        'X-Powerbase-Signature', 't=' || d.stamp || ',v1=' || encode(
          extensions.hmac(convert_to(d.stamp || '.' || d.payload::text, 'UTF8'), convert_to(d.secret, 'UTF8'), 'sha256'),
          'hex')),
      timeout_milliseconds := d.timeout_ms
    ) as request_id
    from due d
  ), marked as (
    update ops.outbound_webhooks w
    set status = 'sending', net_request_id = s.request_id, sent_at = now(), attempts = w.attempts + 1
    from sent s where w.id = s.id
    returning 1
  )
  select count(*) from marked
$$;

-- Backoff after the n-th failed attempt: 30 s, 1 min, 2 min, ... capped at 1 hour.
create or replace function ops.webhook_backoff(attempts int) returns interval
language sql immutable set search_path = '' as $$
  select least(interval '1 hour', interval '30 seconds' * power(2, greatest(attempts - 1, 0)))
$$;

-- Settles rows whose pg_net request has an answer (or has timed out with none): delivered on a 2xx,
-- dead after max_attempts, otherwise pending again after the backoff. Returns the rows settled.
create or replace function ops.settle_outbound_webhooks() returns bigint
language sql volatile set search_path = '' as $$
  with outcome as (
    select w.id, w.attempts, e.max_attempts, r.status_code, r.error_msg, (r.id is null) as unanswered
    from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id
    left join net._http_response r on r.id = w.net_request_id
    where w.status = 'sending'
      and (r.id is not null or w.sent_at < now() - make_interval(secs => e.timeout_ms / 1000.0 + 120))
    for update of w skip locked
  ), settled as (
    update ops.outbound_webhooks w
    set status = case
          when o.status_code between 200 and 299 then 'delivered'
          when o.attempts >= o.max_attempts then 'dead'
          else 'pending' end,
        delivered_at = case when o.status_code between 200 and 299 then now() end,
        last_status_code = o.status_code,
        last_error = case
          when o.status_code between 200 and 299 then null
          when o.unanswered then 'no response recorded'
          else coalesce(o.error_msg, 'HTTP ' || o.status_code) end,
        next_attempt_at = now() + ops.webhook_backoff(o.attempts)
    from outcome o where w.id = o.id
    returning 1
  )
  select count(*) from settled
$$;

-- Due rows that send_webhooks could never send (endpoint switched off, Vault signing secret gone)
-- are settled dead with the reason in last_error, kept for inspection and manual replay. Left
-- pending, they would fill the 500-row due pick for good and no retry would go out again. Only due
-- rows: an endpoint switched back on (or a secret restored) before a row's next attempt still gets
-- it. Rows of a deleted endpoint are gone with it (on delete cascade). Returns the rows settled.
create or replace function ops.abandon_unsendable_webhooks() returns bigint
language sql volatile set search_path = '' as $$
  with unsendable as (
    select w.id, case when not e.active then 'endpoint inactive' else 'signing secret missing' end as reason
    from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id
    where w.status = 'pending' and w.next_attempt_at <= now()
      and (not e.active or not exists (select 1 from vault.decrypted_secrets s where s.name = e.secret_name))
    for update of w skip locked
  ), abandoned as (
    update ops.outbound_webhooks w
    set status = 'dead', last_error = u.reason
    from unsendable u where w.id = u.id
    returning 1
  )
  select count(*) from abandoned
$$;

-- The delivery job, run every minute by pg_cron: settles answered rows, abandons unsendable ones,
-- then sends up to 500 due rows (the same conditions send_webhooks joins on, so every id picked is
-- one it will send). Returns the rows touched.
create or replace function ops.deliver_outbound_webhooks() returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  settled bigint := ops.settle_outbound_webhooks();
  abandoned bigint := ops.abandon_unsendable_webhooks();
  sent bigint;
begin
  select ops.send_webhooks(array(
    select w.id from ops.outbound_webhooks w
    join ops.webhook_endpoints e on e.id = w.endpoint_id and e.active
    where w.status = 'pending' and w.next_attempt_at <= now()
      and exists (select 1 from vault.decrypted_secrets s where s.name = e.secret_name)
    order by w.next_attempt_at limit 500
  )) into sent;
  return settled + abandoned + sent;
end;
$$;

revoke execute on function ops.enqueue_webhooks(text, jsonb[]), ops.send_webhooks(bigint[]),
  ops.settle_outbound_webhooks(), ops.abandon_unsendable_webhooks(), ops.deliver_outbound_webhooks()
  from public, anon, authenticated;
grant execute on function ops.enqueue_webhooks(text, jsonb[]), ops.send_webhooks(bigint[]),
  ops.deliver_outbound_webhooks(), ops.webhook_backoff(int) to service_role;

select cron.schedule('ops-deliver-webhooks', '* * * * *',
  $$select private.run_job('ops-deliver-webhooks', 'select ops.deliver_outbound_webhooks()')$$);
