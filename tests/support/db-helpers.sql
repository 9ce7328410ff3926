-- pgTAP and test helpers in the spirit of usebasejump/supabase-test-helpers. Installed by the test
-- runner before pg_prove; lives in schema `tests`, which the RLS coverage check exempts.
create extension if not exists pgtap with schema extensions;
create schema if not exists tests;
grant usage on schema tests to anon, authenticated, service_role;
-- Migrations revoke execute from public by default; assertions must run under every role.
grant execute on all functions in schema extensions to anon, authenticated, service_role;

-- Creates an auth user (the profile trigger fires as on Supabase) and optionally a staff role.
create or replace function tests.create_supabase_user(identifier text, email text default null, staff_role text default null)
returns uuid
language plpgsql security definer set search_path = '' as $$
declare
  user_id uuid := extensions.gen_random_uuid();
begin
  insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
  values (user_id, 'authenticated', 'authenticated', coalesce(email, identifier || '@test.local'),
          '{"provider":"email"}', jsonb_build_object('test_identifier', identifier));
  if staff_role is not null then
    insert into private.user_roles (user_id, role) values (user_id, staff_role);
  end if;
  return user_id;
end;
$$;

create or replace function tests.get_supabase_uid(identifier text) returns uuid
language sql security definer set search_path = '' as $$
  select id from auth.users where raw_user_meta_data ->> 'test_identifier' = identifier limit 1
$$;

-- The claims Supabase Auth would issue for a test user, including the user_role claim the custom
-- access token hook adds. Definer, because the lookup must work while acting as another role.
create or replace function tests.user_claims(identifier text) returns jsonb
language plpgsql stable security definer set search_path = '' as $$
declare
  found_user record;
begin
  select u.id, u.email, r.role as staff_role into found_user
  from auth.users u left join private.user_roles r on r.user_id = u.id
  where u.raw_user_meta_data ->> 'test_identifier' = identifier;
  if found_user.id is null then
    raise exception 'user with identifier % not found', identifier;
  end if;
  return jsonb_build_object('sub', found_user.id, 'email', found_user.email, 'role', 'authenticated',
                            'aud', 'authenticated', 'user_role', found_user.staff_role);
end;
$$;

-- Acts as a signed-in user exactly as PostgREST does: set role plus request.jwt.claims.
create or replace function tests.authenticate_as(identifier text) returns void
language plpgsql as $$
declare
  claims jsonb := tests.user_claims(identifier);
begin
  perform set_config('role', 'authenticated', true);
  perform set_config('request.jwt.claims', claims::text, true);
end;
$$;

create or replace function tests.authenticate_as_anon() returns void
language plpgsql as $$
begin
  perform set_config('role', 'anon', true);
  perform set_config('request.jwt.claims', '{"role":"anon"}', true);
end;
$$;

create or replace function tests.authenticate_as_service_role() returns void
language plpgsql as $$
begin
  perform set_config('role', 'service_role', true);
  perform set_config('request.jwt.claims', '{"role":"service_role"}', true);
end;
$$;

create or replace function tests.clear_authentication() returns void
language plpgsql as $$
begin
  perform set_config('role', 'postgres', true);
  perform set_config('request.jwt.claims', '', true);
end;
$$;

-- Schemas that belong to the Supabase platform or to PostgreSQL itself; every other schema is the
-- application's and must have RLS on every table.
create or replace function tests.platform_schemas() returns text[]
language sql immutable set search_path = '' as $$
  select array['pg_catalog', 'information_schema', 'pg_toast', 'auth', 'storage', 'realtime', 'net',
               'vault', 'extensions', 'cron', 'supabase_migrations', 'graphql', 'graphql_public',
               'pgbouncer', 'pgsodium', 'pgsodium_masks', 'supabase_functions', '_realtime', 'tests']
$$;

create or replace function tests.tables_without_rls() returns setof text
language sql stable set search_path = '' as $$
  select format('%I.%I', n.nspname, c.relname)
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p')
    and not c.relrowsecurity
    and n.nspname <> all (tests.platform_schemas())
    and n.nspname not like 'pg\_%'
  order by 1
$$;

grant execute on all functions in schema tests to anon, authenticated, service_role;

-- Supabase's advisor lints (supabase/splinter) as the view tests.advisor_lints; last, because the
-- file pins search_path for the rest of this transaction.
\ir splinter-lints.sql
