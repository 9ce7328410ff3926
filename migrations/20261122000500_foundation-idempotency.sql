-- Foundation: the Idempotency-Key store every module's unsafe endpoints share (checkout, vends).
-- Semantics follow Stripe's: the first response to a key is stored and replayed for the same key and
-- request; the same key with a different request is refused (422); a key whose first request is still
-- running is refused (409) until that request finishes or its lease runs out (a crashed isolate never
-- blocks a key for good). Server errors are not stored: the key is released so a retry runs again.

create table ops.idempotency_keys (
  scope text not null check (scope ~ '^[a-z][a-z0-9_.-]{0,62}$'),
  -- Who the key belongs to (a user id, a device): two callers' equal keys never meet.
  owner_key text not null check (length(owner_key) between 1 and 200),
  idempotency_key text not null check (length(idempotency_key) between 1 and 255),
  request_hash text not null check (request_hash ~ '^[0-9a-f]{64}$'),
  state text not null default 'in_flight' check (state in ('in_flight', 'completed')),
  locked_until timestamptz,
  response_status int check (response_status between 200 and 499),
  response_body text,
  response_content_type text,
  created_at timestamptz not null default now(),
  completed_at timestamptz,
  expires_at timestamptz not null default now() + interval '24 hours',
  primary key (scope, owner_key, idempotency_key),
  check ((state = 'completed') = (response_status is not null))
);
comment on table ops.idempotency_keys is
  'Idempotency-Key store: request hash, in-flight lease, stored first response (replayed for 24 h).';
create index idempotency_keys_expires_idx on ops.idempotency_keys (expires_at);
alter table ops.idempotency_keys enable row level security;

-- Stored responses can hold personal data of their owner: only admins read them (support tooling);
-- writes go through the functions below, as the functions' own database user.
create policy "admins read idempotency keys" on ops.idempotency_keys
  for select to authenticated using ((select private.has_role('admin')));
grant select on ops.idempotency_keys to authenticated;

-- Claims a key for one request. outcome: 'started' (run the request, then complete or release),
-- 'replay' (answer response_*), 'mismatch' (same key, other request: 422), 'in_flight' (409).
-- One statement per branch under the row lock, so two concurrent first requests cannot both start.
create or replace function private.idempotency_begin(
  scope text, owner_key text, idempotency_key text, request_hash text,
  lease interval default interval '60 seconds', retention interval default interval '24 hours'
) returns table (outcome text, response_status int, response_body text, response_content_type text)
language plpgsql volatile set search_path = '' as $$
declare
  existing ops.idempotency_keys;
begin
  insert into ops.idempotency_keys as k (scope, owner_key, idempotency_key, request_hash, locked_until, expires_at)
  values (idempotency_begin.scope, idempotency_begin.owner_key, idempotency_begin.idempotency_key,
          idempotency_begin.request_hash, now() + lease, now() + retention)
  on conflict on constraint idempotency_keys_pkey do nothing;
  if found then
    return query select 'started'::text, null::int, null::text, null::text;
    return;
  end if;

  select * into existing from ops.idempotency_keys k
  where k.scope = idempotency_begin.scope and k.owner_key = idempotency_begin.owner_key
    and k.idempotency_key = idempotency_begin.idempotency_key
  for update;

  if existing.expires_at <= now() or (existing.state = 'in_flight' and existing.locked_until <= now()
                                   and existing.request_hash = idempotency_begin.request_hash) then
    -- An expired key starts afresh; an abandoned lease (crashed request) is taken over by its retry.
    update ops.idempotency_keys k
    set request_hash = idempotency_begin.request_hash, state = 'in_flight', locked_until = now() + lease,
        response_status = null, response_body = null, response_content_type = null,
        created_at = now(), completed_at = null, expires_at = now() + retention
    where k.scope = existing.scope and k.owner_key = existing.owner_key and k.idempotency_key = existing.idempotency_key;
    return query select 'started'::text, null::int, null::text, null::text;
  elsif existing.request_hash <> idempotency_begin.request_hash then
    return query select 'mismatch'::text, null::int, null::text, null::text;
  elsif existing.state = 'in_flight' then
    return query select 'in_flight'::text, null::int, null::text, null::text;
  else
    return query select 'replay'::text, existing.response_status, existing.response_body, existing.response_content_type;
  end if;
end;
$$;

-- Stores the response of a started request; only the request holding the key can complete it.
create or replace function private.idempotency_complete(
  scope text, owner_key text, idempotency_key text, request_hash text,
  response_status int, response_body text, response_content_type text default 'application/json'
) returns boolean
language sql volatile set search_path = '' as $$
  with done as (
    update ops.idempotency_keys k
    set state = 'completed', locked_until = null, response_status = idempotency_complete.response_status,
        response_body = idempotency_complete.response_body,
        response_content_type = idempotency_complete.response_content_type, completed_at = now()
    where k.scope = idempotency_complete.scope and k.owner_key = idempotency_complete.owner_key
      and k.idempotency_key = idempotency_complete.idempotency_key
      and k.request_hash = idempotency_complete.request_hash and k.state = 'in_flight'
    returning 1
  )
  select exists (select 1 from done)
$$;

-- Forgets a started request that ended in a server error, so the client's retry runs it again.
create or replace function private.idempotency_release(
  scope text, owner_key text, idempotency_key text, request_hash text
) returns boolean
language sql volatile set search_path = '' as $$
  with gone as (
    delete from ops.idempotency_keys k
    where k.scope = idempotency_release.scope and k.owner_key = idempotency_release.owner_key
      and k.idempotency_key = idempotency_release.idempotency_key
      and k.request_hash = idempotency_release.request_hash and k.state = 'in_flight'
    returning 1
  )
  select exists (select 1 from gone)
$$;

create or replace function private.prune_idempotency_keys() returns bigint
language sql volatile set search_path = '' as $$
  with pruned as (delete from ops.idempotency_keys where expires_at < now() - interval '1 hour' returning 1)
  select count(*) from pruned
$$;

revoke execute on function private.idempotency_begin(text, text, text, text, interval, interval),
  private.idempotency_complete(text, text, text, text, int, text, text),
  private.idempotency_release(text, text, text, text), private.prune_idempotency_keys()
  from public, anon, authenticated;
grant execute on function private.idempotency_begin(text, text, text, text, interval, interval),
  private.idempotency_complete(text, text, text, text, int, text, text),
  private.idempotency_release(text, text, text, text)
  to service_role;

select cron.schedule('ops-prune-idempotency-keys', '41 * * * *',
  $$select private.run_job('ops-prune-idempotency-keys', 'select private.prune_idempotency_keys()')$$);
