-- The local platform stand-ins behave as the Supabase platform does (supabase/postgres, GoTrue, pg_net, supautils).
begin;
select plan(62);

-- Roles, as supabase/postgres sets them up (initial schema, demote-postgres, alter_api_roles_for_inherit)
select ok((select rolbypassrls from pg_roles where rolname = 'service_role'), 'service_role bypasses RLS');
select ok(not (select rolcanlogin from pg_roles where rolname = 'anon'), 'anon cannot log in');
select ok((select bool_and(rolinherit) from pg_roles where rolname in ('anon', 'authenticated', 'service_role')),
  'anon, authenticated and service_role inherit, as on the platform');
select ok(not (select rolinherit from pg_roles where rolname = 'authenticator'), 'authenticator does not inherit');
select ok(pg_has_role('authenticator', 'anon', 'member'), 'authenticator can switch to anon');
select ok(pg_has_role('authenticator', 'authenticated', 'member'), 'authenticator can switch to authenticated');
select ok(not pg_has_role('authenticator', 'supabase_admin', 'member'), 'authenticator cannot become supabase_admin');
select ok(not (select rolsuper from pg_roles where rolname = 'postgres'), 'postgres is not a superuser');
select ok((select rolsuper from pg_roles where rolname = 'supabase_admin'), 'supabase_admin is the superuser');
select ok((select rolcreaterole and rolcreatedb and rolbypassrls and rolreplication and rolcanlogin
           from pg_roles where rolname = 'postgres'), 'postgres has the platform''s attributes');
select ok(not (select rolsuper from pg_roles where rolname = session_user), 'the tests run as a non-superuser');
select ok(pg_has_role('postgres', 'service_role', 'member') and pg_has_role('postgres', 'supabase_auth_admin', 'member')
          and pg_has_role('postgres', 'pg_signal_backend', 'member'), 'postgres holds the platform''s role grants');
select throws_ok($$copy (select 1) to program 'true'$$, '42501', null,
  'a privilege the platform withholds from postgres fails here too');
select is((select array_agg(setconfig[1] order by r.rolname) from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
           where r.rolname in ('anon', 'authenticated') and setconfig[1] like 'statement_timeout%'),
  array['statement_timeout=3s', 'statement_timeout=8s'], 'API roles have the platform''s statement timeouts');

-- auth.users as GoTrue's migrations leave it
select columns_are('auth', 'users', array[
  'instance_id', 'id', 'aud', 'role', 'email', 'encrypted_password', 'email_confirmed_at', 'invited_at',
  'confirmation_token', 'confirmation_sent_at', 'recovery_token', 'recovery_sent_at', 'email_change_token_new',
  'email_change', 'email_change_sent_at', 'last_sign_in_at', 'raw_app_meta_data', 'raw_user_meta_data',
  'is_super_admin', 'created_at', 'updated_at', 'phone', 'phone_confirmed_at', 'phone_change',
  'phone_change_token', 'phone_change_sent_at', 'confirmed_at', 'email_change_token_current',
  'email_change_confirm_status', 'banned_until', 'reauthentication_token', 'reauthentication_sent_at',
  'is_sso_user', 'deleted_at', 'is_anonymous'], 'auth.users has GoTrue''s columns');
select col_hasnt_default('auth', 'users', 'created_at', 'auth.users.created_at has no default');
select indexes_are('auth', 'users', array[
  'users_pkey', 'users_phone_key', 'confirmation_token_idx', 'email_change_token_current_idx',
  'email_change_token_new_idx', 'reauthentication_token_idx', 'recovery_token_idx', 'users_email_partial_key',
  'users_instance_id_email_idx', 'users_instance_id_idx', 'users_is_anonymous_idx'], 'auth.users has GoTrue''s indexes');
select table_owner_is('auth', 'users', 'supabase_auth_admin', 'auth.users belongs to supabase_auth_admin');
select ok(not has_table_privilege('service_role', 'auth.users', 'select, insert, update, delete, truncate, references, trigger'),
  'service_role has no rights on auth.users');
select ok(has_table_privilege('postgres', 'auth.users', 'select, insert, update, delete'), 'postgres reads and writes auth.users');
set local role service_role;
select throws_ok($$select count(*) from auth.users$$, '42501', null, 'service_role cannot read auth.users');
reset role;
select is((select count(*) from auth.users u
           where u.email like '%@powerbase.local'
             and (u.confirmation_token is null or u.recovery_token is null or u.email_change_token_new is null
                  or u.email_change is null or u.email_change_token_current is null or u.phone_change is null
                  or u.phone_change_token is null or u.reauthentication_token is null or u.created_at is null
                  or not exists (select 1 from auth.identities i where i.user_id = u.id and i.provider = 'email'))),
  0::bigint, 'dev users carry every column GoTrue reads as a string, and an email identity');

-- auth.* helpers read request.jwt.claims, falling back to the legacy per-claim settings
select set_config('request.jwt.claims',
  '{"sub":"11111111-1111-4111-8111-111111111111","role":"authenticated","email":"a@example.com","user_role":"admin"}', true);
select is(auth.uid(), '11111111-1111-4111-8111-111111111111'::uuid, 'auth.uid() reads sub from request.jwt.claims');
select is(auth.role(), 'authenticated', 'auth.role() reads role');
select is(auth.email(), 'a@example.com', 'auth.email() reads email');
select is(auth.jwt() ->> 'user_role', 'admin', 'auth.jwt() returns every claim');
select set_config('request.jwt.claims', '', true);
select is(auth.uid(), null, 'auth.uid() is null without claims');
select set_config('request.jwt.claim.sub', '22222222-2222-4222-8222-222222222222', true);
select is(auth.uid(), '22222222-2222-4222-8222-222222222222'::uuid, 'auth.uid() falls back to request.jwt.claim.sub');
select set_config('request.jwt.claim.sub', '', true);

-- Realtime
select ok(exists (select 1 from pg_publication where pubname = 'supabase_realtime'), 'publication supabase_realtime exists');
select realtime.send('{"hello":"world"}', 'greeting', 'room:test-platform', true);
select results_eq(
  $$select topic, event, private, extension, payload - 'id' from realtime.messages where topic = 'room:test-platform'$$,
  $$values ('room:test-platform'::text, 'greeting'::text, true, 'broadcast'::text, '{"hello":"world"}'::jsonb)$$,
  'realtime.send stores a private broadcast message');
select is(current_setting('realtime.topic', true), 'room:test-platform', 'realtime.send sets realtime.topic for policies');
select is(realtime.topic(), 'room:test-platform', 'realtime.topic() returns the topic being sent');
select ok((select payload ->> 'id' = id::text from realtime.messages where topic = 'room:test-platform'),
  'realtime.send copies the generated message id into the payload');
select realtime.send('{"id":"own-id"}', 'greeting', 'room:own-id', false);
select is((select payload ->> 'id' from realtime.messages where topic = 'room:own-id'), 'own-id',
  'a payload that brings its own id keeps it');
select is((select relkind::text from pg_class where oid = 'realtime.messages'::regclass), 'p',
  'realtime.messages is partitioned as on Supabase');
select is((select count(*)::int from pg_inherits where inhparent = 'realtime.messages'::regclass
           and inhrelid::regclass::text like 'realtime.messages_' || to_char(current_date, 'YYYY_MM_DD')), 1,
  'today''s partition exists');
select realtime.send_binary('\x00ff'::bytea, 'blob', 'room:binary', true);
select is((select binary_payload from realtime.messages where topic = 'room:binary'), '\x00ff'::bytea,
  'realtime.send_binary stores the bytes in binary_payload');

create temporary table broadcast_probe (id int primary key, label text);
create function pg_temp.broadcast_probe_changes() returns trigger language plpgsql as $$
begin
  perform realtime.broadcast_changes('probe:' || new.id, tg_op, tg_op, tg_table_name, tg_table_schema, new, old);
  return new;
end $$;
create trigger probe_broadcast after insert on broadcast_probe for each row execute function pg_temp.broadcast_probe_changes();
insert into broadcast_probe values (7, 'seven');
select results_eq(
  $$select event, payload ->> 'operation', payload -> 'record' ->> 'label', payload ->> 'old_record' is null
    from realtime.messages where topic = 'probe:7'$$,
  $$values ('INSERT'::text, 'INSERT'::text, 'seven'::text, true)$$,
  'realtime.broadcast_changes sends the row change as Supabase does');
select throws_like(
  $$select realtime.broadcast_changes('t', 'e', 'TRUNCATE', 'x', 'y', null::record, null::record)$$,
  '%Unexpected operation type%', 'broadcast_changes rejects unknown operations');

-- pg_net, created by migrations as on a fresh project, with the platform's grants
select has_extension('pg_net', 'pg_net is an installed extension');
select is(pg_get_function_arguments('net.http_post(text, jsonb, jsonb, jsonb, integer)'::regprocedure),
  'url text, body jsonb DEFAULT ''{}''::jsonb, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{"Content-Type": "application/json"}''::jsonb, timeout_milliseconds integer DEFAULT 5000',
  'net.http_post has pg_net''s signature and defaults');
select is(pg_get_function_arguments('net.http_get(text, jsonb, jsonb, integer)'::regprocedure),
  'url text, params jsonb DEFAULT ''{}''::jsonb, headers jsonb DEFAULT ''{}''::jsonb, timeout_milliseconds integer DEFAULT 5000',
  'net.http_get has pg_net''s signature and defaults');
select ok((select bool_and(prosecdef and proconfig = array['search_path=net']) from pg_proc
           where oid in ('net.http_post(text, jsonb, jsonb, jsonb, integer)'::regprocedure,
                         'net.http_get(text, jsonb, jsonb, integer)'::regprocedure)),
  'http_post and http_get are security definer with search_path net, as the platform alters them');
select ok(has_function_privilege('authenticated', 'net.http_post(text, jsonb, jsonb, jsonb, integer)', 'execute')
          and has_function_privilege('anon', 'net.http_get(text, jsonb, jsonb, integer)', 'execute'),
  'the API roles may call http_post and http_get, as the platform grants');
select ok(net.http_post('http://127.0.0.1:9/never', '{"a":1}'::jsonb) > 0, 'net.http_post returns a request id');
select results_eq(
  $$select method::text, url, headers ->> 'Content-Type', convert_from(body, 'UTF8')::jsonb, timeout_milliseconds
    from net.http_request_queue where url = 'http://127.0.0.1:9/never'$$,
  $$values ('POST'::text, 'http://127.0.0.1:9/never'::text, 'application/json'::text, '{"a":1}'::jsonb, 5000)$$,
  'net.http_post queues the request with JSON content type and default timeout');
select net.http_post('http://127.0.0.1:9/null-headers', '{}'::jsonb, '{}'::jsonb, null);
select ok((select headers is null from net.http_request_queue where url = 'http://127.0.0.1:9/null-headers'),
  'NULL headers stay NULL (no Content-Type is added), as in pg_net');
select net.http_post('http://127.0.0.1:9/own-headers', '{}'::jsonb, '{}'::jsonb, '{"X-Probe":"1"}'::jsonb);
select is((select headers from net.http_request_queue where url = 'http://127.0.0.1:9/own-headers'),
  '{"X-Probe":"1","Content-Type":"application/json"}'::jsonb, 'headers without a Content-Type get JSON''s added');
select throws_like(
  $$select net.http_post('http://127.0.0.1:9/x', '{}'::jsonb, '{}'::jsonb, '{"Content-Type":"text/plain"}'::jsonb)$$,
  '%Content-Type header must be "application/json"%', 'net.http_post only sends JSON, like pg_net');
select ok(net.http_get('http://127.0.0.1:9/get', '{"q":"a b&c"}'::jsonb, null) > 0, 'net.http_get returns a request id');
select results_eq($$select url, headers from net.http_request_queue where url like 'http://127.0.0.1:9/get%'$$,
  $$values ('http://127.0.0.1:9/get?q=a%20b%26c'::text, null::jsonb)$$, 'net.http_get url-encodes params and keeps NULL headers');
delete from net.http_request_queue where url like 'http://127.0.0.1:9/%';

-- pg_cron as supautils leaves it: in pg_catalog, owned by supabase_admin, cron.job read-only to postgres
select is((select extnamespace::regnamespace::text || '/' || extowner::regrole::text from pg_extension where extname = 'pg_cron'),
  'pg_catalog/supabase_admin', 'pg_cron lives in pg_catalog and belongs to supabase_admin');
select ok(has_table_privilege('postgres', 'cron.job', 'select') and not has_table_privilege('postgres', 'cron.job', 'insert'),
  'postgres reads cron.job but cannot write it');
select throws_ok($$delete from cron.job$$, '42501', null, 'postgres changes jobs only through cron.schedule');

-- Vault
select ok(vault.create_secret('s3cr3t', 'test_platform_secret', 'test') is not null, 'vault.create_secret returns an id');
select is((select decrypted_secret from vault.decrypted_secrets where name = 'test_platform_secret'), 's3cr3t',
  'vault.decrypted_secrets exposes the secret');
select has_extension('vault', 'supabase_vault', 'Vault is the supabase_vault extension, as on every project');
select isnt((select secret from vault.secrets where name = 'test_platform_secret'), 's3cr3t',
  'vault.secrets holds ciphertext, not the secret');
select throws_ok($$insert into vault.secrets (secret) values ('x')$$, '42501', null,
  'postgres writes secrets only through vault.create_secret');
set local role authenticated;
select throws_ok($$select * from vault.decrypted_secrets$$, '42501', null, 'authenticated cannot read the vault');
reset role;

-- Schemas and migration history
select has_extension('extensions', 'pgcrypto', 'pgcrypto lives in schema extensions');
select ok((select count(*) from supabase_migrations.schema_migrations) >= 2, 'migrations are recorded like supabase db push');

select * from finish();
rollback;
