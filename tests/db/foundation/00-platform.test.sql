-- The local platform stand-ins behave as Supabase's own definitions.
begin;
select plan(27);

-- Roles
select ok((select rolbypassrls from pg_roles where rolname = 'service_role'), 'service_role bypasses RLS');
select ok(not (select rolcanlogin from pg_roles where rolname = 'anon'), 'anon cannot log in');
select ok(not (select rolinherit from pg_roles where rolname = 'authenticated'), 'authenticated does not inherit');
select ok(pg_has_role('authenticator', 'anon', 'member'), 'authenticator can switch to anon');
select ok(pg_has_role('authenticator', 'authenticated', 'member'), 'authenticator can switch to authenticated');

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
  $$select topic, event, private, extension, payload from realtime.messages where topic = 'room:test-platform'$$,
  $$values ('room:test-platform'::text, 'greeting'::text, true, 'broadcast'::text, '{"hello":"world"}'::jsonb)$$,
  'realtime.send stores a private broadcast message');
select is(current_setting('realtime.topic', true), 'room:test-platform', 'realtime.send sets realtime.topic for policies');
select is(realtime.topic(), 'room:test-platform', 'realtime.topic() returns the topic being sent');

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

-- pg_net
select ok(net.http_post('http://127.0.0.1:9/never', '{"a":1}'::jsonb) > 0, 'net.http_post returns a request id');
select results_eq(
  $$select method::text, url, headers ->> 'Content-Type', convert_from(body, 'UTF8')::jsonb, timeout_milliseconds
    from net.http_request_queue where url = 'http://127.0.0.1:9/never'$$,
  $$values ('POST'::text, 'http://127.0.0.1:9/never'::text, 'application/json'::text, '{"a":1}'::jsonb, 5000)$$,
  'net.http_post queues the request with JSON content type and default timeout');
select throws_like(
  $$select net.http_post('http://127.0.0.1:9/x', '{}'::jsonb, '{}'::jsonb, '{"Content-Type":"text/plain"}'::jsonb)$$,
  '%Content-Type header must be "application/json"%', 'net.http_post only sends JSON, like pg_net');
select ok(net.http_get('http://127.0.0.1:9/get', '{"q":"a b&c"}'::jsonb) > 0, 'net.http_get returns a request id');
select is((select url from net.http_request_queue where url like 'http://127.0.0.1:9/get%'),
  'http://127.0.0.1:9/get?q=a%20b%26c', 'net.http_get url-encodes params');
delete from net.http_request_queue where url like 'http://127.0.0.1:9/%';

-- Vault
select ok(vault.create_secret('s3cr3t', 'test_platform_secret', 'test') is not null, 'vault.create_secret returns an id');
select is((select decrypted_secret from vault.decrypted_secrets where name = 'test_platform_secret'), 's3cr3t',
  'vault.decrypted_secrets exposes the secret');
set local role authenticated;
select throws_ok($$select * from vault.decrypted_secrets$$, '42501', null, 'authenticated cannot read the vault');
reset role;

-- Schemas and migration history
select has_extension('extensions', 'pgcrypto', 'pgcrypto lives in schema extensions');
select ok((select count(*) from supabase_migrations.schema_migrations) >= 2, 'migrations are recorded like supabase db push');

select * from finish();
rollback;
