-- Local stand-ins for what the Supabase platform creates before a project's migrations run.
-- Applied only by the Docker-free local stack (supabase/local/cli.ts); never deployed. Each object
-- mirrors the behaviour of Supabase's public definitions (supabase/postgres init scripts,
-- supabase/auth, supabase/realtime, pg_net, supabase/vault) closely enough that migrations and
-- policies written against a real project behave the same here. Idempotent: roles are cluster-wide
-- and survive `reset`, everything else is recreated.

-- Roles ---------------------------------------------------------------------------------------
do $$
declare
  spec record;
begin
  for spec in
    select * from (values
      ('anon', 'nologin noinherit'),
      ('authenticated', 'nologin noinherit'),
      ('service_role', 'nologin noinherit bypassrls'),
      ('authenticator', 'login noinherit'),
      ('supabase_auth_admin', 'login noinherit createrole'),
      ('supabase_realtime_admin', 'nologin noinherit'),
      ('supabase_admin', 'login superuser createdb createrole replication bypassrls')
    ) as roles(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = spec.name) then
      execute format('create role %I %s', spec.name, spec.options);
    end if;
  end loop;
end
$$;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
-- As on Supabase: extensions resolve without a schema prefix for the API roles and postgres.
alter role postgres set search_path = "$user", public, extensions;
alter role anon set search_path = "$user", public, extensions;
alter role authenticated set search_path = "$user", public, extensions;
alter role service_role set search_path = "$user", public, extensions;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';

-- Schemas and default privileges, as on a fresh Supabase project ----------------------------------
create schema if not exists extensions;
create schema if not exists graphql_public;
grant usage on schema public, extensions, graphql_public to postgres, anon, authenticated, service_role;

alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
grant all on all tables in schema public to postgres, anon, authenticated, service_role;

create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

-- supabase_migrations: the history table the Supabase CLI writes on `db push` ------------------------
create schema if not exists supabase_migrations;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);

-- auth: the parts of supabase/auth that policies and hooks touch ------------------------------------
create schema if not exists auth authorization supabase_auth_admin;
grant usage on schema auth to anon, authenticated, service_role, postgres;

create table if not exists auth.users (
  instance_id uuid,
  id uuid primary key,
  aud varchar(255),
  role varchar(255),
  email varchar(255),
  encrypted_password varchar(255),
  email_confirmed_at timestamptz,
  invited_at timestamptz,
  confirmation_token varchar(255),
  recovery_token varchar(255),
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb,
  raw_user_meta_data jsonb,
  is_super_admin boolean,
  created_at timestamptz default now(),
  updated_at timestamptz default now(),
  phone text unique default null,
  phone_confirmed_at timestamptz,
  banned_until timestamptz,
  deleted_at timestamptz,
  is_sso_user boolean not null default false,
  is_anonymous boolean not null default false
);
create index if not exists users_email_idx on auth.users (email);
alter table auth.users owner to supabase_auth_admin;
grant all on auth.users to postgres, service_role;

-- Exactly supabase/auth's definitions: the newer request.jwt.claims setting, falling back to the
-- legacy per-claim settings PostgREST < 9 used.
create or replace function auth.uid() returns uuid
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

create or replace function auth.role() returns text
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

create or replace function auth.email() returns text
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

create or replace function auth.jwt() returns jsonb
language sql stable as $$
  select coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

grant execute on function auth.uid(), auth.role(), auth.email(), auth.jwt()
  to anon, authenticated, service_role, postgres, supabase_auth_admin;

-- realtime: broadcast from the database (supabase/realtime migrations) --------------------------
create schema if not exists realtime;
grant usage on schema realtime to postgres, anon, authenticated, service_role, supabase_realtime_admin;

-- As on Supabase (supabase/realtime migrations 20241030150047 messages_partitioning, 20241108114728
-- messages_using_uuid, 20250905041441 replay index, 20260514120000 binary_payload): partitioned by day
-- on inserted_at. Realtime's janitor creates the partitions (yesterday to three days ahead) when it
-- connects and hourly; supabase/local/realtime does the same, and the block below creates them up
-- front so that pgTAP runs without the Realtime process see the table as a fresh project does.
-- A database built by an earlier platform.sql has the unpartitioned stand-in: move its policies to the
-- partitioned table as supabase/realtime's own partitioning migration did (its messages are dropped).
do $$
begin
  if exists (select 1 from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = 'realtime' and c.relname = 'messages' and c.relkind = 'r') then
    alter table realtime.messages rename to messages_unpartitioned;
    create temporary table realtime_policies_to_move on commit drop as
      select * from pg_policies where schemaname = 'realtime' and tablename = 'messages_unpartitioned';
  end if;
end
$$;
create table if not exists realtime.messages (
  topic text not null,
  extension text not null,
  payload jsonb,
  event text,
  private boolean default false,
  updated_at timestamp not null default now(),
  inserted_at timestamp not null default now(),
  id uuid not null default gen_random_uuid(),
  binary_payload bytea,
  constraint messages_payload_exclusive check (payload is null or binary_payload is null) not valid,
  primary key (id, inserted_at)
) partition by range (inserted_at);
create index if not exists messages_inserted_at_topic_index on realtime.messages (inserted_at desc, topic)
  where extension = 'broadcast' and private is true;
do $$
declare
  policy record;
begin
  if to_regclass('realtime.messages_unpartitioned') is null then
    return;
  end if;
  for policy in select * from pg_temp.realtime_policies_to_move loop
    execute format('create policy %I on realtime.messages as %s for %s to %s%s%s',
      policy.policyname, policy.permissive, policy.cmd,
      (select string_agg(quote_ident(r), ', ') from unnest(policy.roles) r),
      coalesce(' using (' || policy.qual || ')', ''), coalesce(' with check (' || policy.with_check || ')', ''));
  end loop;
  drop table realtime.messages_unpartitioned;
end
$$;
alter table realtime.messages enable row level security;
alter table realtime.messages owner to supabase_realtime_admin;
grant select, insert, update on realtime.messages to postgres, anon, authenticated, service_role;
grant all on realtime.messages to supabase_realtime_admin;

do $$
declare
  day date;
  partition_name text;
begin
  for day in select generate_series(current_date - 1, current_date + 3, interval '1 day')::date loop
    partition_name := 'messages_' || to_char(day, 'YYYY_MM_DD');
    execute format('create table if not exists realtime.%I partition of realtime.messages for values from (%L) to (%L)',
                   partition_name, day, day + 1);
    execute format('alter table realtime.%I owner to supabase_realtime_admin', partition_name);
  end loop;
end
$$;

create or replace function realtime.topic() returns text
language sql stable as $$
  select nullif(current_setting('realtime.topic', true), '')::text
$$;

-- supabase/realtime 20260605120000_rename_broadcast_send_warning: the message id is generated here
-- and copied into the payload (unless the payload brings its own id), so a client can match a
-- broadcast to its row; a failure is a warning, never an error that aborts the caller.
create or replace function realtime.send(payload jsonb, event text, topic text, private boolean default true)
returns void
language plpgsql as $$
declare
  generated_id uuid;
  final_payload jsonb;
begin
  begin
    generated_id := gen_random_uuid();
    if payload ? 'id' then
      final_payload := payload;
    else
      final_payload := jsonb_set(payload, '{id}', to_jsonb(generated_id));
    end if;
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, payload, event, topic, private, extension)
    values (generated_id, final_payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.send_binary(payload bytea, event text, topic text, private boolean default true)
returns void
language plpgsql as $$
declare
  generated_id uuid;
begin
  begin
    generated_id := gen_random_uuid();
    execute format('set local realtime.topic to %L', topic);
    insert into realtime.messages (id, binary_payload, event, topic, private, extension)
    values (generated_id, payload, event, topic, private, 'broadcast');
  exception when others then
    raise warning 'WarnSendingBroadcastMessage: %', sqlerrm;
  end;
end;
$$;

create or replace function realtime.broadcast_changes(
  topic_name text, event_name text, operation text, table_name text, table_schema text,
  new record, old record, level text default 'ROW'
) returns void
language plpgsql as $$
declare
  row_data jsonb := '{}'::jsonb;
begin
  if level = 'STATEMENT' then
    raise exception 'function can only be triggered for each row, not for each statement';
  end if;
  if operation in ('INSERT', 'UPDATE', 'DELETE') then
    row_data := jsonb_build_object(
      'old_record', old, 'record', new, 'operation', operation, 'table', table_name, 'schema', table_schema
    );
    perform realtime.send(row_data, event_name, topic_name);
  else
    raise exception 'Unexpected operation type: %', operation;
  end if;
exception when others then
  raise exception 'Failed to process the row: %', sqlerrm;
end;
$$;

grant execute on function realtime.topic(), realtime.send(jsonb, text, text, boolean),
  realtime.send_binary(bytea, text, text, boolean), realtime.broadcast_changes(text, text, text, text, text, record, record, text)
  to postgres, anon, authenticated, service_role;

-- Postgres changes subscriptions: tables join this publication in migrations.
do $$
begin
  if not exists (select 1 from pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$$;

-- net: pg_net's SQL surface. The queue is drained by supabase/local/net_worker.ts, which wakes on
-- a NOTIFY (delivered only at commit, so a request queued by a rolled-back transaction is never
-- sent, exactly as pg_net's background worker never sees uncommitted rows).
create schema if not exists net;
grant usage on schema net to postgres, anon, authenticated, service_role;

do $$
begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'net' and t.typname = 'http_method') then
    create domain net.http_method as text check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

create table if not exists net.http_request_queue (
  id bigserial,
  method net.http_method not null,
  url text not null,
  headers jsonb not null,
  body bytea,
  timeout_milliseconds int not null
);

create unlogged table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out bool,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

create or replace function net._local_wake_worker() returns trigger
language plpgsql as $$
begin
  perform pg_notify('pg_net_local_queue', '');
  return null;
end;
$$;

drop trigger if exists wake_local_worker on net.http_request_queue;
create trigger wake_local_worker after insert on net.http_request_queue
  for each statement execute function net._local_wake_worker();

create or replace function net._urlencode_string(string varchar) returns text
language sql immutable as $$
  select string_agg(
    case when ch ~ '[A-Za-z0-9_.~-]' then ch
         else (select string_agg('%' || upper(lpad(to_hex(b), 2, '0')), '')
               from (select get_byte(convert_to(ch, 'UTF8'), i) as b
                     from generate_series(0, octet_length(convert_to(ch, 'UTF8')) - 1) as i) bytes)
    end, '' order by ord)
  from regexp_split_to_table(string, '') with ordinality as chars(ch, ord)
$$;

create or replace function net._encode_url_with_params_array(url text, params_array text[]) returns text
language sql immutable as $$
  select case
    when params_array is null or cardinality(params_array) = 0 then url
    when position('?' in url) > 0 then url || '&' || array_to_string(params_array, '&')
    else url || '?' || array_to_string(params_array, '&')
  end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql volatile parallel safe as $$
declare
  request_id bigint;
  params_array text[];
begin
  select array_agg(format('%s=%s', net._urlencode_string(key), net._urlencode_string(value)))
    into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, timeout_milliseconds)
  values ('GET', net._encode_url_with_params_array(url, params_array), headers, timeout_milliseconds)
  returning id into request_id;
  return request_id;
end;
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql volatile parallel safe as $$
declare
  request_id bigint;
  params_array text[];
  content_type text;
begin
  select header_value into content_type
  from jsonb_each_text(coalesce(headers, '{}'::jsonb)) as r(header, header_value)
  where lower(header) = 'content-type'
  limit 1;

  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;

  select array_agg(format('%s=%s', net._urlencode_string(key), net._urlencode_string(value)))
    into params_array
  from jsonb_each_text(params);

  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values ('POST', net._encode_url_with_params_array(url, params_array), headers,
          convert_to(body::text, 'UTF8'), timeout_milliseconds)
  returning id into request_id;
  return request_id;
end;
$$;

revoke all on all functions in schema net from public;
grant execute on function net.http_get(text, jsonb, jsonb, int), net.http_post(text, jsonb, jsonb, jsonb, int)
  to postgres, service_role;
grant all on all tables in schema net to postgres, service_role;
grant usage on all sequences in schema net to postgres, service_role;

-- vault: the Vault API (vault.create_secret, vault.decrypted_secrets). Supabase encrypts with
-- pgsodium-managed keys; the local stand-in keeps the same API over plain storage.
create schema if not exists vault;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text unique,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create or replace view vault.decrypted_secrets as
  select id, name, description, secret, secret as decrypted_secret, key_id, nonce, created_at, updated_at
  from vault.secrets;

create or replace function vault.create_secret(
  new_secret text, new_name text default null, new_description text default '', new_key_id uuid default null
) returns uuid
language sql as $$
  insert into vault.secrets (secret, name, description, key_id)
  values (new_secret, new_name, coalesce(new_description, ''), new_key_id)
  returning id
$$;

create or replace function vault.update_secret(
  secret_id uuid, new_secret text default null, new_name text default null,
  new_description text default null, new_key_id uuid default null
) returns void
language sql as $$
  update vault.secrets
  set secret = coalesce(new_secret, secret),
      name = coalesce(new_name, name),
      description = coalesce(new_description, description),
      key_id = coalesce(new_key_id, key_id),
      updated_at = now()
  where id = secret_id
$$;

revoke all on schema vault from public;
revoke all on all functions in schema vault from public;
grant usage on schema vault to postgres, service_role;
grant select on vault.decrypted_secrets to postgres, service_role;
grant execute on all functions in schema vault to postgres, service_role;
