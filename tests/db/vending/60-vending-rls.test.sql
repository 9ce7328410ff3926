-- Row-level security on vending, each policy allowed and denied: customers see their own meters,
-- vends (tokens included), batches, rejections and ledger, and nobody else's; operators (support,
-- admin) see everything; analysts read counts only (vending.vend_counts); anon reads DISCOs only.
begin;
select plan(45);

select tests.create_supabase_user('vend_alice');
select tests.create_supabase_user('vend_bob');
select tests.create_supabase_user('vend_support', null, 'support');
select tests.create_supabase_user('vend_admin', null, 'admin');
select tests.create_supabase_user('vend_analyst', null, 'analyst');

insert into vending.accounts (customer_id, balance_kobo)
values (tests.get_supabase_uid('vend_alice'), 500000), (tests.get_supabase_uid('vend_bob'), 500000);
insert into vending.meters (id, customer_id, disco_code, meter_number, vend_type, verified_name)
values ('bbbbbbbb-0000-4000-8000-000000000001', tests.get_supabase_uid('vend_alice'), 'IKEJA', '12345678901', 'PREPAID', 'Alice'),
       ('bbbbbbbb-0000-4000-8000-000000000002', tests.get_supabase_uid('vend_bob'), 'EKO', '10987654321', 'PREPAID', 'Bob');
insert into vending.batches (id, uploaded_by, file_name)
values ('cccccccc-0000-4000-8000-000000000001', tests.get_supabase_uid('vend_alice'), 'alice.csv'),
       ('cccccccc-0000-4000-8000-000000000002', tests.get_supabase_uid('vend_bob'), 'bob.csv');
insert into vending.batch_rejections (batch_id, line, code, message)
values ('cccccccc-0000-4000-8000-000000000001', 3, 'bad_meter', 'x'),
       ('cccccccc-0000-4000-8000-000000000002', 3, 'bad_meter', 'x');
insert into vending.vends (id, order_id, customer_id, disco_code, meter_number, vend_type, amount_kobo, phone, funding,
                           status, token)
values ('dddddddd-0000-4000-8000-000000000001', 'RLSALICE0001', tests.get_supabase_uid('vend_alice'), 'IKEJA',
        '12345678901', 'PREPAID', 100000, '+2348031234567', 'account', 'succeeded', '1111-2222-3333-4444-5555'),
       ('dddddddd-0000-4000-8000-000000000002', 'RLSBOB000001', tests.get_supabase_uid('vend_bob'), 'EKO',
        '10987654321', 'PREPAID', 100000, '+2348031234568', 'account', 'succeeded', '6666-7777-8888-9999-0000');
insert into vending.account_ledger (customer_id, vend_id, kind, amount_kobo, balance_after_kobo)
values (tests.get_supabase_uid('vend_alice'), 'dddddddd-0000-4000-8000-000000000001', 'debit', -100000, 400000),
       (tests.get_supabase_uid('vend_bob'), 'dddddddd-0000-4000-8000-000000000002', 'debit', -100000, 400000);
insert into vending.vend_queue (vend_id, action) values ('dddddddd-0000-4000-8000-000000000001', 'requery');
insert into vending.vendor_calls (endpoint, http_status, latency_ms, outcome) values ('POST /vend', 200, 12, 'http_200');
insert into vending.wallet_snapshots (balance_kobo) values (123400);
insert into vending.alerts (id, kind, message) overriding system value values (900001, 'needs_attention', 'check it');

-- anon ---------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select ok((select count(*) from vending.discos) = 11, 'anon reads the DISCO list');
select throws_ok($$select * from vending.vends$$, '42501', null, 'anon cannot read vends');
select throws_ok($$select * from vending.meters$$, '42501', null, 'anon cannot read meters');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 100000, '+2348031234567')$$, '42501',
  null, 'anon cannot create vends');

-- a customer ----------------------------------------------------------------------------------------
select tests.authenticate_as('vend_alice');
select results_eq($$select order_id from vending.vends where order_id like 'RLS%'$$, $$values ('RLSALICE0001'::text)$$,
  'a customer sees their own vends only');
select results_eq($$select token from vending.vends where order_id like 'RLS%'$$,
  $$values ('1111-2222-3333-4444-5555'::text)$$, 'a customer reads their own token');
select is_empty($$select token from vending.vends where order_id = 'RLSBOB000001'$$,
  'a customer never reads another customer''s token');
select results_eq($$select verified_name from vending.meters where id::text like 'bbbbbbbb%'$$, $$values ('Alice'::text)$$,
  'a customer sees their own saved meters only');
select results_eq($$select file_name from vending.batches where id::text like 'cccccccc%'$$, $$values ('alice.csv'::text)$$,
  'a customer sees their own batches only');
select results_eq($$select batch_id from vending.batch_rejections where batch_id::text like 'cccccccc%'$$,
  $$values ('cccccccc-0000-4000-8000-000000000001'::uuid)$$, 'a customer sees their own batch rejections only');
select results_eq($$select count(*)::int from vending.account_ledger$$, $$values (1)$$,
  'a customer sees their own ledger only');
select results_eq($$select count(*)::int from vending.accounts$$, $$values (1)$$, 'a customer sees their own account only');
select is_empty($$select * from vending.vend_queue$$, 'a customer does not see the queue');
select is_empty($$select * from vending.vendor_calls$$, 'a customer does not see vendor calls');
select is_empty($$select * from vending.wallet_snapshots$$, 'a customer does not see the operator wallet');
select is_empty($$select * from vending.vendor_state$$, 'a customer does not see the vendor state');
select is_empty($$select * from vending.alerts$$, 'a customer does not see alerts');
select is_empty($$select * from vending.worker_leases$$, 'a customer does not see worker leases');
select throws_ok($$update vending.vends set token = null where order_id = 'RLSALICE0001'$$, '42501', null,
  'a customer cannot change a vend');
select throws_ok($$insert into vending.meters (customer_id, disco_code, meter_number, vend_type)
  values (auth.uid(), 'EKO', '11111111111', 'PREPAID')$$, '42501', null, 'a customer cannot forge a verified meter');
select throws_ok($$update vending.accounts set balance_kobo = 99999999$$, '42501', null,
  'a customer cannot set their balance');
select is_empty($$delete from vending.meters where id = 'bbbbbbbb-0000-4000-8000-000000000002' returning id$$,
  'a customer cannot remove another customer''s meter');
select results_eq($$delete from vending.meters where id = 'bbbbbbbb-0000-4000-8000-000000000001' returning verified_name$$,
  $$values ('Alice'::text)$$, 'a customer removes their own saved meter');
select throws_ok($$select vending.vend_counts(now() - interval '1 day', now())$$, 'PT403', null,
  'a customer cannot read counts');
select throws_ok($$select vending.top_up_account(auth.uid(), 100000)$$, 'PT403', null, 'a customer cannot top up');
select throws_ok($$select vending.resume_queue()$$, 'PT403', null, 'a customer cannot resume the queue');
select is_empty($$update vending.alerts set acknowledged_at = now() returning id$$, 'a customer cannot acknowledge alerts');

-- support (an operator) -------------------------------------------------------------------------------
select tests.authenticate_as('vend_support');
select results_eq($$select count(*)::int from vending.vends where order_id like 'RLS%'$$, $$values (2)$$,
  'support sees every vend');
select results_eq($$select count(*)::int from vending.batches where id::text like 'cccccccc%'$$, $$values (2)$$,
  'support sees every batch');
select ok((select count(*) from vending.vend_queue) >= 1, 'support sees the queue');
select ok((select count(*) from vending.vendor_calls) >= 1, 'support sees vendor calls');
select ok((select count(*) from vending.wallet_snapshots) >= 1, 'support sees the wallet history');
select results_eq($$update vending.alerts set acknowledged_at = now() where id = 900001 returning id$$,
  $$values (900001::bigint)$$, 'support acknowledges alerts');
select throws_ok($$update vending.alerts set message = 'changed' where id = 900001$$, '42501', null,
  'support changes only the acknowledgement of an alert');
select throws_ok($$select vending.top_up_account(tests.get_supabase_uid('vend_bob'), 100000)$$, 'PT403', null,
  'support cannot top up accounts');
select lives_ok($$select vending.resume_queue()$$, 'support resumes the queue');

-- admin ---------------------------------------------------------------------------------------------
select tests.authenticate_as('vend_admin');
select results_eq($$select count(*)::int from vending.account_ledger l join vending.vends v on v.id = l.vend_id
  where v.order_id like 'RLS%'$$, $$values (2)$$, 'admins see every ledger row');
select results_eq($$select (vending.top_up_account(tests.get_supabase_uid('vend_bob'), 100000) ->> 'balanceKobo')::bigint$$,
  $$values (600000::bigint)$$, 'admins top up accounts');
select throws_ok($$select vending.top_up_account(tests.get_supabase_uid('vend_bob'), -5)$$, 'PT422', null,
  'a negative top-up is refused');

-- analyst ---------------------------------------------------------------------------------------------
select tests.authenticate_as('vend_analyst');
select is_empty($$select * from vending.vends where order_id like 'RLS%'$$, 'analysts read no vend rows (no tokens)');
select is_empty($$select * from vending.meters$$, 'analysts read no meters');
select ok((vending.vend_counts(now() - interval '1 day', now() + interval '1 minute') -> 'vendsByStatus' ->> 'succeeded')::int >= 2,
  'analysts read counts');
select throws_ok($$select vending.vend_counts(now(), now() - interval '1 day')$$, 'PT422', null,
  'counts refuse a window that ends before it starts');

-- realtime: a batch's progress topic -----------------------------------------------------------------
select tests.clear_authentication();
select realtime.send('{"p":1}', 'batch_progress', 'vending:batch:cccccccc-0000-4000-8000-000000000001', true);
select tests.authenticate_as('vend_alice');
select set_config('realtime.topic', 'vending:batch:cccccccc-0000-4000-8000-000000000001', true);
select ok((select count(*) from realtime.messages where topic = 'vending:batch:cccccccc-0000-4000-8000-000000000001') = 1,
  'the uploader receives their batch''s progress');
select tests.authenticate_as('vend_bob');
select set_config('realtime.topic', 'vending:batch:cccccccc-0000-4000-8000-000000000001', true);
select is_empty($$select * from realtime.messages where topic = 'vending:batch:cccccccc-0000-4000-8000-000000000001'$$,
  'another customer does not receive that batch''s progress');

select * from finish();
rollback;
