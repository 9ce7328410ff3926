-- Local stand-ins for what the Supabase platform creates before a project's migrations run.
-- Applied only by the Docker-free local stack (supabase/local/cli.ts), as supabase_admin (the
-- cluster's bootstrap superuser, as on Supabase); never deployed. Each object follows Supabase's
-- published definitions: supabase/postgres migrations/db (init-scripts and migrations), GoTrue's
-- own migrations (supabase/local/auth_migrations.sql, applied right after this file as
-- supabase_auth_admin), supabase/realtime, supabase/vault. pg_net is not here: as on a fresh
-- project, migrations create it (supabase/local/extensions/). Idempotent: roles are cluster-wide
-- and survive `reset`, everything else is recreated.

-- Roles: supabase/postgres init-scripts/00000000000000-initial-schema.sql, 10000000000000_demote-postgres,
-- 20230529180330_alter_api_roles_for_inherit and the grants that followed ---------------------------------
do $$
declare
  spec record;
begin
  for spec in
    select * from (values
      ('anon', 'nologin inherit'),
      ('authenticated', 'nologin inherit'),
      ('service_role', 'nologin inherit bypassrls'),
      ('authenticator', 'login noinherit'),
      ('supabase_auth_admin', 'login noinherit createrole noreplication'),
      ('supabase_functions_admin', 'login noinherit createrole noreplication'),
      ('supabase_realtime_admin', 'nologin noinherit'),
      ('supabase_replication_admin', 'login replication'),
      ('supabase_read_only_user', 'login bypassrls'),
      ('dashboard_user', 'nosuperuser createdb createrole replication'),
      -- The project's owner role: not a superuser on Supabase, so what the platform withholds from
      -- it fails here too. Created by the cluster bootstrap (postgres.ts) with its password.
      ('postgres', 'nosuperuser createdb createrole login replication bypassrls')
    ) as roles(name, options)
  loop
    if not exists (select 1 from pg_roles where rolname = spec.name) then
      execute format('create role %I %s', spec.name, spec.options);
    else
      execute format('alter role %I %s', spec.name, spec.options);
    end if;
  end loop;
end
$$;
alter role supabase_admin with superuser createdb createrole replication bypassrls;

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant supabase_auth_admin to postgres;
grant pg_read_all_data to supabase_read_only_user;
grant pg_monitor, pg_read_all_data, pg_signal_backend to postgres;
alter database postgres owner to postgres;
grant all on database postgres to postgres, dashboard_user;

alter role supabase_admin set search_path = "$user", public, auth, extensions;
alter role postgres set search_path = "$user", public, extensions;
alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';
alter role authenticator set lock_timeout = '8s';
alter role supabase_auth_admin set search_path = auth;
alter role supabase_auth_admin set idle_in_transaction_session_timeout = 60000;

-- Schemas and default privileges, as on a fresh Supabase project ----------------------------------
create schema if not exists extensions;
create schema if not exists graphql_public;
grant usage on schema public, graphql_public to postgres, anon, authenticated, service_role;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
grant all on schema extensions to postgres, dashboard_user;

alter default privileges in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on tables to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges for role postgres in schema public grant all on sequences to postgres, anon, authenticated, service_role;
alter default privileges in schema extensions grant all on tables to postgres with grant option;
alter default privileges in schema extensions grant all on routines to postgres with grant option;
alter default privileges in schema extensions grant all on sequences to postgres with grant option;

create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto with schema extensions;
grant all privileges on all tables in schema extensions to postgres with grant option;
grant all privileges on all routines in schema extensions to postgres with grant option;
grant all privileges on all sequences in schema extensions to postgres with grant option;

-- What supautils does when postgres creates a privileged extension: the script runs as
-- supabase_admin and the platform's after-create grants follow (init-scripts/00000000000003-post-setup,
-- 20231020085357_revoke_writes_on_cron_job_from_postgres). Locally the extensions are `trusted`
-- (install.sh) and these event triggers apply the grants; they are security definer only because
-- supautils runs the whole CREATE EXTENSION as supabase_admin, which plain PostgreSQL cannot.
create or replace function extensions.grant_pg_cron_access() returns event_trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (
    select from pg_event_trigger_ddl_commands() as ev
    join pg_extension as ext on ev.objid = ext.oid
    where ext.extname = 'pg_cron'
  ) then
    grant usage on schema cron to postgres with grant option;
    alter default privileges in schema cron grant all on tables to postgres with grant option;
    alter default privileges in schema cron grant all on functions to postgres with grant option;
    alter default privileges in schema cron grant all on sequences to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all on sequences to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all on tables to postgres with grant option;
    alter default privileges for user supabase_admin in schema cron grant all on functions to postgres with grant option;
    grant all privileges on all tables in schema cron to postgres with grant option;
    revoke all on table cron.job from postgres;
    grant select on table cron.job to postgres with grant option;
  end if;
end;
$$;
comment on function extensions.grant_pg_cron_access is 'Grants access to pg_cron';

create or replace function extensions.grant_pg_net_access() returns event_trigger
language plpgsql security definer set search_path = '' as $$
begin
  if exists (
    select 1 from pg_event_trigger_ddl_commands() as ev
    join pg_extension as ext on ev.objid = ext.oid
    where ext.extname = 'pg_net'
  ) then
    grant usage on schema net to supabase_functions_admin, postgres, anon, authenticated, service_role;
    alter function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) security definer;
    alter function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) security definer;
    alter function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) set search_path = net;
    alter function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) set search_path = net;
    revoke all on function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer) from public;
    revoke all on function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer) from public;
    grant execute on function net.http_get(url text, params jsonb, headers jsonb, timeout_milliseconds integer)
      to supabase_functions_admin, postgres, anon, authenticated, service_role;
    grant execute on function net.http_post(url text, body jsonb, params jsonb, headers jsonb, timeout_milliseconds integer)
      to supabase_functions_admin, postgres, anon, authenticated, service_role;
  end if;
end;
$$;
comment on function extensions.grant_pg_net_access is 'Grants access to pg_net';

-- supautils runs CREATE EXTENSION of a privileged extension as supabase_admin, so the extension
-- belongs to supabase_admin (pg_cron, for one, writes cron.job as its extension's owner while
-- postgres may only read it). A trusted extension belongs to its creator: hand it over.
create or replace function extensions.local_privileged_extension_owner() returns event_trigger
language plpgsql security definer set search_path = '' as $$
declare
  created record;
begin
  for created in
    select ext.oid from pg_event_trigger_ddl_commands() as ev
    join pg_catalog.pg_extension as ext on ev.objid = ext.oid
    where ev.classid = 'pg_catalog.pg_extension'::regclass and ext.extowner <> 10
  loop
    update pg_catalog.pg_extension set extowner = 10 where oid = created.oid;
    -- The bootstrap superuser owns without a shared dependency record, like every pinned role.
    delete from pg_catalog.pg_shdepend
    where classid = 'pg_catalog.pg_extension'::regclass and objid = created.oid and deptype = 'o';
  end loop;
end;
$$;
drop event trigger if exists issue_local_privileged_extension_owner;
create event trigger issue_local_privileged_extension_owner on ddl_command_end when tag in ('CREATE EXTENSION')
  execute function extensions.local_privileged_extension_owner();

drop event trigger if exists issue_pg_cron_access;
create event trigger issue_pg_cron_access on ddl_command_end when tag in ('CREATE EXTENSION')
  execute function extensions.grant_pg_cron_access();
drop event trigger if exists issue_pg_net_access;
create event trigger issue_pg_net_access on ddl_command_end when tag in ('CREATE EXTENSION')
  execute function extensions.grant_pg_net_access();

-- supabase_migrations: the history table the Supabase CLI creates, as postgres, on `db push` -----------
create schema if not exists supabase_migrations authorization postgres;
create table if not exists supabase_migrations.schema_migrations (
  version text primary key,
  statements text[],
  name text
);
alter table supabase_migrations.schema_migrations owner to postgres;

-- auth: the schema and grants the platform sets up before GoTrue boots (init-scripts/00000000000001-auth-schema,
-- 20211115181400_update-auth-permissions, 10000000000000_demote-postgres). GoTrue's own migrations then
-- create its tables as supabase_auth_admin: auth.users has no default on created_at, and service_role
-- has no rights on it.
create schema if not exists auth authorization supabase_admin;
grant usage on schema auth to anon, authenticated, service_role;
grant all privileges on schema auth to supabase_auth_admin;
grant all on schema auth to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on tables to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on sequences to postgres, dashboard_user;
alter default privileges for role supabase_auth_admin in schema auth grant all on routines to postgres, dashboard_user;
create table if not exists auth.schema_migrations (version varchar(255) not null primary key);
alter table auth.schema_migrations owner to supabase_auth_admin;

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

-- supautils.policy_grants: on Supabase, postgres may create and drop policies on realtime.messages
-- (and the auth tables) without owning them. Plain PostgreSQL asks for ownership, so locally the
-- table belongs to supabase_realtime_admin and postgres is a member of that role (postgres is a
-- member of supabase_auth_admin on the platform itself, which covers the auth tables).
alter table realtime.messages owner to supabase_realtime_admin;
grant supabase_realtime_admin to postgres;
-- The platform creates supabase_realtime as postgres (init-scripts run as postgres before it is
-- demoted), so postgres owns it and migrations add their tables to it.
alter publication supabase_realtime owner to postgres;

-- vault: supabase_vault, installed on every Supabase project (supabase/local/extensions/ holds the
-- local build: upstream's SQL with pgcrypto in place of libsodium). Grants as on the platform:
-- postgres and service_role read decrypted secrets and call the API; postgres may delete.
create schema if not exists vault;
create extension if not exists supabase_vault with schema vault;
revoke all on schema vault from public;
grant usage on schema vault to postgres, service_role;
grant select, delete on vault.secrets to postgres with grant option;
grant select on vault.decrypted_secrets to postgres, service_role;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid)
  to postgres, service_role;
-- decrypted_secrets calls the decryption as its reader (a view checks functions as the caller).
grant execute on function vault._crypto_aead_det_decrypt(bytea, bytea, bigint, bytea, bytea),
  vault._crypto_aead_det_noncegen() to postgres, service_role;
