-- ops.idempotency_keys: the begin/complete/release protocol and its RLS.
begin;
select plan(16);

select ok((select relrowsecurity from pg_class where oid = 'ops.idempotency_keys'::regclass), 'RLS is enabled');
select is((select schedule from cron.job where jobname = 'ops-prune-idempotency-keys'), '41 * * * *',
  'expired keys are pruned hourly');

select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0001', repeat('a', 64))), 'started',
  'a new key starts');
select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0001', repeat('a', 64))), 'in_flight',
  'the same key while running is in flight');
select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0001', repeat('b', 64))), 'mismatch',
  'the same key with another request is a mismatch');
select is((select outcome from private.idempotency_begin('t', 'u2', 'key-0001', repeat('b', 64))), 'started',
  'another owner''s equal key is independent');
select ok(not private.idempotency_complete('t', 'u1', 'key-0001', repeat('b', 64), 201, '{}'),
  'a request that does not hold the key cannot complete it');
select ok(private.idempotency_complete('t', 'u1', 'key-0001', repeat('a', 64), 201, '{"id":1}'),
  'the holder completes its key');
select results_eq($$select outcome, response_status, response_body from private.idempotency_begin('t', 'u1', 'key-0001', repeat('a', 64))$$,
  $$values ('replay'::text, 201, '{"id":1}'::text)$$, 'a completed key replays its stored response');

-- Release after a server error; lease takeover after a crash; expiry.
select private.idempotency_begin('t', 'u1', 'key-0002', repeat('c', 64));
select ok(private.idempotency_release('t', 'u1', 'key-0002', repeat('c', 64)), 'a started key can be released');
select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0002', repeat('c', 64))), 'started',
  'a released key starts again');
update ops.idempotency_keys set locked_until = now() - interval '1 second' where idempotency_key = 'key-0002';
select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0002', repeat('c', 64))), 'started',
  'a retry takes over an abandoned lease');
update ops.idempotency_keys set expires_at = now() - interval '2 hours' where idempotency_key = 'key-0001' and owner_key = 'u1';
select is((select outcome from private.idempotency_begin('t', 'u1', 'key-0001', repeat('d', 64))), 'started',
  'an expired key starts afresh, whatever it stored');

-- RLS: admins read, customers and anon do not; nobody writes through the Data API.
select tests.create_supabase_user('idem_admin', null, 'admin');
select tests.create_supabase_user('idem_customer');
select tests.authenticate_as('idem_admin');
select ok((select count(*) from ops.idempotency_keys) >= 3, 'an admin reads the keys');
select tests.authenticate_as('idem_customer');
select is((select count(*) from ops.idempotency_keys), 0::bigint, 'a customer reads none');
select throws_ok($$insert into ops.idempotency_keys (scope, owner_key, idempotency_key, request_hash) values ('t', 'x', 'key-9999', repeat('e', 64))$$,
  '42501', null, 'a customer cannot write keys');
select tests.clear_authentication();

select * from finish();
rollback;
