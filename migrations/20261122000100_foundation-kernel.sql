-- Foundation: extensions, the private and ops schemas, roles (RBAC through the custom access token
-- hook), account lockout (password verification hook), job bookkeeping for pg_cron pipelines.

-- Every extension the migrations use is created here, the way Supabase documents each, so that
-- `supabase db push` on a fresh project needs nothing switched on by hand: pg_cron in pg_catalog,
-- the others in schema extensions (pg_net puts its functions and tables in its own schema net).
create extension if not exists pg_cron with schema pg_catalog;
create extension if not exists pg_trgm with schema extensions;
create extension if not exists unaccent with schema extensions;
create extension if not exists pgcrypto with schema extensions;
-- pg_net as Supabase's own migrations create it (`create extension if not exists pg_net schema
-- extensions`; its API lives in schema net). Skipped only where pg_net cannot be installed, or where
-- schema net already exists without it: a local stand-in (supabase/local/platform.sql) that speaks
-- pg_net's SQL surface. An installed pg_net owns schema net, so `if not exists` leaves it alone.
do $$
begin
  if exists (select 1 from pg_catalog.pg_available_extensions where name = 'pg_net')
     and (exists (select 1 from pg_catalog.pg_extension where extname = 'pg_net')
          or not exists (select 1 from pg_catalog.pg_namespace where nspname = 'net')) then
    create extension if not exists pg_net with schema extensions;
  end if;
end
$$;
grant usage on schema cron to postgres;

-- Nothing is executable by anon/authenticated unless a migration grants it explicitly (basejump).
alter default privileges revoke execute on functions from public;
alter default privileges in schema public revoke execute on functions from anon, authenticated;

create schema if not exists private;
create schema if not exists ops;
-- Policies evaluate helpers as the calling role, so the API roles need usage; the schemas stay out
-- of [api] schemas, so the Data API never exposes them.
grant usage on schema private, ops to anon, authenticated, service_role;

-- Roles ---------------------------------------------------------------------------------------------
create table private.user_roles (
  user_id uuid primary key references auth.users (id) on delete cascade,
  role text not null check (role in ('admin', 'analyst', 'sales', 'support', 'marketing')),
  granted_at timestamptz not null default now()
);
comment on table private.user_roles is
  'Staff role per user; copied into the JWT as user_role by public.custom_access_token_hook.';
alter table private.user_roles enable row level security;

-- Policies read the role from the signed JWT (no table lookup per row); wrap calls in (select ...)
-- so the planner evaluates them once per statement.
create or replace function private.has_role(requested_role text) returns boolean
language sql stable set search_path = '' as $$
  select coalesce((auth.jwt() ->> 'user_role') = requested_role, false)
$$;

create or replace function private.has_any_role(requested_roles text[]) returns boolean
language sql stable set search_path = '' as $$
  select coalesce((auth.jwt() ->> 'user_role') = any (requested_roles), false)
$$;

grant execute on function private.has_role(text), private.has_any_role(text[]) to anon, authenticated, service_role;

-- The error convention of every RPC: a refusal raises PostgREST's PT4xx SQLSTATE with the machine code
-- in HINT, so the Data API and the functions kernel answer the same status and code.
create or replace function private.require_any_role(allowed_roles text[]) returns void
language plpgsql stable set search_path = '' as $$
begin
  if auth.role() = 'service_role' or private.has_any_role(allowed_roles) then
    return;
  end if;
  if auth.uid() is null then
    raise exception using errcode = 'PT401', hint = 'unauthorized', message = 'Sign in first.';
  end if;
  raise exception using errcode = 'PT403', hint = 'forbidden',
    message = format('This needs one of the roles %s.', array_to_string(allowed_roles, ', '));
end;
$$;

-- The analytics window of every module: [window_from, window_to), non-empty, at most 400 days.
create or replace function private.require_window(window_from timestamptz, window_to timestamptz) returns void
language plpgsql immutable set search_path = '' as $$
begin
  if window_from is null or window_to is null or window_from >= window_to then
    raise exception using errcode = 'PT422', hint = 'invalid_window', message = 'from must be before to.';
  end if;
  if window_to - window_from > interval '400 days' then
    raise exception using errcode = 'PT422', hint = 'invalid_window', message = 'The window may span at most 400 days.';
  end if;
end;
$$;

grant execute on function private.require_any_role(text[]), private.require_window(timestamptz, timestamptz)
  to anon, authenticated, service_role;

create policy "users read their own role" on private.user_roles
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_role('admin')));
grant select on private.user_roles to authenticated;

create or replace function public.custom_access_token_hook(event jsonb) returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  claims jsonb := coalesce(event -> 'claims', '{}'::jsonb);
  assigned_role text;
begin
  select role into assigned_role
  from private.user_roles
  where user_id = (event ->> 'user_id')::uuid;

  claims := jsonb_set(claims, '{user_role}', coalesce(to_jsonb(assigned_role), 'null'::jsonb));
  return jsonb_set(event, '{claims}', claims);
end;
$$;

grant usage on schema public, private, ops to supabase_auth_admin;
grant execute on function public.custom_access_token_hook(jsonb) to supabase_auth_admin;
revoke execute on function public.custom_access_token_hook(jsonb) from public, anon, authenticated;
grant select on private.user_roles to supabase_auth_admin;
create policy "auth server reads roles" on private.user_roles
  for select to supabase_auth_admin using (true);

-- Security events and account lockout ---------------------------------------------------------------
create table ops.security_events (
  id bigint generated always as identity primary key,
  occurred_at timestamptz not null default now(),
  kind text not null,
  severity text not null default 'info' check (severity in ('info', 'warning', 'critical')),
  user_id uuid,
  ip inet,
  function_name text,
  details jsonb not null default '{}'::jsonb
);
create index security_events_user_kind_idx on ops.security_events (user_id, kind, occurred_at desc);
create index security_events_occurred_idx on ops.security_events (occurred_at desc);
alter table ops.security_events enable row level security;

create policy "admins and support read security events" on ops.security_events
  for select to authenticated using ((select private.has_any_role(array['admin', 'support'])));
create policy "auth server records security events" on ops.security_events
  for all to supabase_auth_admin using (true) with check (true);
grant select on ops.security_events to authenticated;
grant select, insert on ops.security_events to supabase_auth_admin;

create or replace function private.lockout_settings() returns table (max_failures int, window_length interval)
language sql immutable set search_path = '' as $$
  select 5, interval '15 minutes'
$$;
grant execute on function private.lockout_settings() to supabase_auth_admin;

-- Supabase Auth calls this after checking a password. Once a user has 5 failures within 15 minutes,
-- every attempt (valid or not) is rejected until the window moves past them.
create or replace function public.hook_password_verification_attempt(event jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  attempt_user uuid := (event ->> 'user_id')::uuid;
  attempt_valid boolean := coalesce((event ->> 'valid')::boolean, false);
  settings record;
  recent_failures int;
begin
  select * into settings from private.lockout_settings();
  select count(*) into recent_failures
  from ops.security_events
  where user_id = attempt_user
    and kind = 'password_failed'
    and occurred_at > now() - settings.window_length;

  if recent_failures >= settings.max_failures then
    insert into ops.security_events (kind, severity, user_id, details)
    values ('login_rejected_locked', 'warning', attempt_user, jsonb_build_object('recent_failures', recent_failures));
    return jsonb_build_object(
      'decision', 'reject',
      'message', 'Too many failed sign-in attempts. Try again in 15 minutes.',
      'should_logout_user', false
    );
  end if;

  if not attempt_valid then
    insert into ops.security_events (kind, severity, user_id, details)
    values ('password_failed', 'info', attempt_user, jsonb_build_object('failure_number', recent_failures + 1));
    if recent_failures + 1 = settings.max_failures then
      insert into ops.security_events (kind, severity, user_id, details)
      values ('account_locked', 'warning', attempt_user, jsonb_build_object('window', settings.window_length::text));
    end if;
  end if;

  return jsonb_build_object('decision', 'continue');
end;
$$;

grant execute on function public.hook_password_verification_attempt(jsonb) to supabase_auth_admin;
revoke execute on function public.hook_password_verification_attempt(jsonb) from public, anon, authenticated;

-- Job bookkeeping -------------------------------------------------------------------------------------
create table ops.job_runs (
  id bigint generated always as identity primary key,
  job_name text not null,
  started_at timestamptz not null default now(),
  finished_at timestamptz,
  status text not null default 'running' check (status in ('running', 'succeeded', 'failed')),
  rows_touched bigint,
  error text,
  details jsonb not null default '{}'::jsonb
);
create index job_runs_name_started_idx on ops.job_runs (job_name, started_at desc);
alter table ops.job_runs enable row level security;
create policy "admins and analysts read job runs" on ops.job_runs
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
grant select on ops.job_runs to authenticated;

-- Runs one set-based SQL job and records it. The command runs in a subtransaction: a failure rolls
-- back the job's own writes but keeps the failed run on record for /health/status. A command returns
-- what suits it: a row count (kept as rows_touched) or a jsonb summary (kept as details, with its
-- `rows` member, if any, as rows_touched). The result is taken as text, so no result type can fail
-- the run after its work is done.
create or replace function private.run_job(job_name text, command text) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  run_id bigint;
  result text;
  summary jsonb;
begin
  insert into ops.job_runs (job_name) values (run_job.job_name) returning id into run_id;
  begin
    execute command into result;
    summary := case when result ~ '^\s*\{' then result::jsonb end;
    update ops.job_runs
    set finished_at = clock_timestamp(), status = 'succeeded',
        rows_touched = case
          when result ~ '^-?[0-9]{1,18}$' then result::bigint
          when summary ->> 'rows' ~ '^-?[0-9]{1,18}$' then (summary ->> 'rows')::bigint
        end,
        details = coalesce(summary, '{}'::jsonb)
    where id = run_id;
  exception when others then
    update ops.job_runs
    set finished_at = clock_timestamp(), status = 'failed', error = sqlerrm
    where id = run_id;
  end;
  return run_id;
end;
$$;

-- Calls one of this project's edge functions through pg_net (after commit), with the project URL and
-- service key read from Vault, never from code. Pipelines that need HTTP go through here.
create or replace function private.invoke_function(
  function_path text, payload jsonb default '{}'::jsonb, timeout_ms int default 5000
) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  base_url text;
  service_key text;
begin
  select decrypted_secret into base_url from vault.decrypted_secrets where name = 'project_url';
  select decrypted_secret into service_key from vault.decrypted_secrets where name = 'service_role_key';
  if base_url is null or service_key is null then
    raise exception 'vault secrets project_url and service_role_key must be set';
  end if;
  return net.http_post(
    url := rtrim(base_url, '/') || '/functions/v1/' || ltrim(function_path, '/'),
    body := payload,
    headers := jsonb_build_object('Content-Type', 'application/json', 'Authorization', 'Bearer ' || service_key),
    timeout_milliseconds := timeout_ms
  );
end;
$$;

-- Retention of the foundation's own bookkeeping: returns the number of rows removed.
create or replace function private.prune_ops_history() returns bigint
language sql volatile set search_path = '' as $$
  with pruned_events as (
    delete from ops.security_events where occurred_at < now() - interval '180 days' returning 1
  ), pruned_runs as (
    delete from ops.job_runs where started_at < now() - interval '30 days' returning 1
  )
  select (select count(*) from pruned_events) + (select count(*) from pruned_runs)
$$;

select cron.schedule('ops-prune-history', '17 3 * * *',
  $$select private.run_job('ops-prune-history', 'select private.prune_ops_history()')$$);
