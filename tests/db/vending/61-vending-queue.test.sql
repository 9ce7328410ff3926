-- The vend lifecycle in the database: funding before queueing, refusals as PT4xx, claims that mark
-- submits `submitted` before any call and hide claimed rows, settling every outcome (a final vend is
-- never changed again, a failed vend is refunded once), the pause a 422 sets, batch rows debited in
-- line order, and the recovery job's repairs (lost queue rows, overdue vends, corrupted batch counts,
-- orphans).
begin;
select plan(36);

select tests.create_supabase_user('q_carol');
insert into vending.accounts (customer_id, balance_kobo) values (tests.get_supabase_uid('q_carol'), 300000);
insert into vending.meters (customer_id, disco_code, meter_number, vend_type, min_vend_kobo, max_vend_kobo)
values (tests.get_supabase_uid('q_carol'), 'EKO', '22222222222', 'PREPAID', 50000, 200000);
-- Nothing else in this transaction competes for the default lane's rows.
delete from vending.vend_queue;

select tests.authenticate_as('q_carol');
select throws_ok($$select vending.create_vend('NOPE', '12345678901', 'PREPAID', 100000, '+2348031234567')$$,
  'PT422', 'Unknown DISCO NOPE.', 'an unknown DISCO is refused');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 5000, '+2348031234567')$$,
  'PT422', null, 'an amount under ₦100 is refused');
select throws_ok($$select vending.create_vend('EKO', '22222222222', 'PREPAID', 20000, '+2348031234567')$$,
  'PT422', null, 'an amount under the saved meter''s own minimum is refused');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 400000, '+2348031234567')$$,
  'PT402', null, 'a vend the prepaid balance does not cover is refused');
select is((select balance_kobo from vending.accounts where customer_id = tests.get_supabase_uid('q_carol')), 300000::bigint, 'a refused vend debits nothing');
select is(vending.create_vend('IKEJA', '12345678901', 'PREPAID', 100000, '+2348031234567', null, null, 'QORDER000001') ->> 'status',
  'created', 'a funded vend is created');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 100000, '+2348031234567', null, null, 'QORDER000001')$$,
  'PT409', null, 'a repeated orderId is refused');
select is((select balance_kobo from vending.accounts where customer_id = tests.get_supabase_uid('q_carol')), 200000::bigint, 'the vend was debited once');
select is(vending.create_vend('IKEJA', '12345678902', 'PREPAID', 100000, '+2348031234567', null, null, 'QORDER000002') ->> 'status',
  'created', 'a second vend is created');
select tests.clear_authentication();

update vending.discos set is_up = false where code = 'JOS';
select tests.authenticate_as('q_carol');
select throws_ok($$select vending.create_vend('JOS', '12345678901', 'PREPAID', 10000, '+2348031234567')$$,
  'PT422', null, 'a DISCO that is down takes no vends');
select tests.clear_authentication();
update vending.discos set is_up = true where code = 'JOS';

-- Claims ------------------------------------------------------------------------------------------------
select is((select count(*)::int from private.vending_claim('default', 10, interval '1 minute')), 2, 'due submits are claimed');
select is((select array_agg(distinct status) from vending.vends where order_id like 'QORDER%'), array['submitted'],
  'claimed submits are submitted before any call leaves');
select is((select count(*)::int from private.vending_claim('default', 10, interval '1 minute')), 0,
  'claimed rows stay invisible until their visibility timeout');
update vending.vend_queue set locked_until = now() - interval '1 second';
select is((select count(*)::int from private.vending_claim('default', 10, interval '1 minute')), 2,
  'rows of a dead worker are claimed again once the timeout passes');
select is((select v.status || '/' || q.action from vending.vends v join vending.vend_queue q on q.vend_id = v.id
  where v.order_id = 'QORDER000001'), 'submitted/requery',
  'a submit reclaimed from a dead worker becomes a requery (the call may have reached BuyPower)');

-- Settling ----------------------------------------------------------------------------------------------
select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000001'), 'outcome', 'pending',
  'availableAt', now() + interval '2 minutes', 'requeryDelays', '[120,120]'::jsonb,
  'calls', jsonb_build_array(jsonb_build_object('endpoint', 'POST /vend', 'httpStatus', 202, 'responseCode', 202,
                                                'latencyMs', 40, 'signatureValid', true, 'outcome', 'http_202')))));
select is((select v.status || '/' || q.action || '/' || v.submissions from vending.vends v join vending.vend_queue q on q.vend_id = v.id
  where v.order_id = 'QORDER000001'), 'pending/requery/1', 'a 202 leaves the vend pending with a requery queued');
select is((select requery_delays from vending.vend_queue q join vending.vends v on v.id = q.vend_id where v.order_id = 'QORDER000001'),
  array[120, 120]::numeric[], 'the vendor''s requery schedule is kept');
select is((select count(*)::int from vending.vendor_calls where http_status = 202 and latency_ms = 40), 1, 'the call is recorded');

select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000001'), 'outcome', 'succeeded',
  'token', '1234-5678-9012-3456-7890', 'units', 12.5, 'receiptNo', 'R1', 'calls', '[]'::jsonb)));
select is((select status || '/' || token from vending.vends where order_id = 'QORDER000001'),
  'succeeded/1234-5678-9012-3456-7890', 'a success stores the token');
select is_empty($$select 1 from vending.vend_queue q join vending.vends v on v.id = q.vend_id where v.order_id = 'QORDER000001'$$,
  'a succeeded vend leaves the queue');
select is(private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000001'), 'outcome', 'failed', 'calls', '[]'::jsonb))), 0,
  'a final vend is never changed again');

select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000002'), 'outcome', 'released', 'calls', '[]'::jsonb)));
select is((select status from vending.vends where order_id = 'QORDER000002'), 'submitted',
  'a requery the breaker never let out leaves the vend submitted, still to be requeried');
select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000002'), 'outcome', 'failed', 'calls', '[]'::jsonb)));
select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'QORDER000002'), 'outcome', 'failed', 'calls', '[]'::jsonb)));
select is((select count(*)::int from vending.account_ledger l join vending.vends v on v.id = l.vend_id
  where v.order_id = 'QORDER000002' and l.kind = 'refund'), 1, 'a failed vend is refunded once');
select is((select balance_kobo from vending.accounts where customer_id = tests.get_supabase_uid('q_carol')), 200000::bigint, 'the refund restored the balance');

-- Pause -------------------------------------------------------------------------------------------------
select tests.authenticate_as('q_carol');
select vending.create_vend('IKEJA', '12345678903', 'PREPAID', 10000, '+2348031234567', null, null, 'QORDER000003');
select tests.clear_authentication();
select private.vending_pause('insufficient_balance');
select private.vending_pause('insufficient_balance');
select is((select count(*)::int from vending.alerts where kind = 'insufficient_balance' and acknowledged_at is null), 1,
  'a pause alerts operators once');
select is((select count(*)::int from private.vending_claim('default', 10, interval '1 minute')), 0,
  'a paused queue submits nothing');
update vending.vendor_state set paused = false;
select is((select count(*)::int from private.vending_claim('default', 10, interval '1 minute')), 1,
  'a resumed queue submits again');

-- Batch rows ---------------------------------------------------------------------------------------------
insert into vending.batches (id, uploaded_by) values ('eeeeeeee-0000-4000-8000-000000000001', tests.get_supabase_uid('q_carol'));
select is(private.vending_add_batch_rows('eeeeeeee-0000-4000-8000-000000000001', '[
  {"line": 2, "disco": "IKEJA", "meter": "33333333333", "vendType": "PREPAID", "amountKobo": 100000, "phone": "+2348031234567"},
  {"line": 3, "disco": "IKEJA", "meter": "33333333334", "vendType": "PREPAID", "amountKobo": 80000, "phone": "+2348031234567"},
  {"line": 4, "disco": "IKEJA", "meter": "33333333335", "vendType": "PREPAID", "amountKobo": 50000, "phone": "+2348031234567"},
  {"line": 5, "disco": "EKO", "meter": "22222222222", "vendType": "PREPAID", "amountKobo": 300000, "phone": "+2348031234567"}
]'::jsonb), 2, 'batch rows the balance covers, in line order, are queued');
select results_eq($$select line, code from vending.batch_rejections where batch_id = 'eeeeeeee-0000-4000-8000-000000000001' order by line$$,
  $$values (4, 'insufficient_funds'), (5, 'amount_outside_meter_limits')$$,
  'rows past the balance and outside a saved meter''s limits are rejected with their line');
select is((select balance_kobo from vending.accounts where customer_id = tests.get_supabase_uid('q_carol')), 10000::bigint, 'only accepted rows were debited');
select private.vending_close_batch_upload('eeeeeeee-0000-4000-8000-000000000001', 4, '[]');
select is((select accepted_count || '/' || created_count || '/' || rejected_count from vending.batches
  where id = 'eeeeeeee-0000-4000-8000-000000000001'), '2/2/2', 'closing the upload sets the counts from the items');

-- Recovery ------------------------------------------------------------------------------------------------
update vending.batches set created_count = 77, succeeded_count = 5 where id = 'eeeeeeee-0000-4000-8000-000000000001';
delete from vending.vend_queue q using vending.vends v where v.id = q.vend_id and v.batch_line = 2;
update vending.vends set status = 'pending', submitted_at = now() - interval '3 days' where batch_line = 3;
insert into vending.vend_queue (vend_id, action)
select id, 'requery' from vending.vends where order_id = 'QORDER000001' on conflict do nothing;
select ok(private.vending_recover() > 0, 'the recovery job repairs');
select is((select created_count || '/' || succeeded_count || '/' || attention_count from vending.batches
  where id = 'eeeeeeee-0000-4000-8000-000000000001'), '1/0/1', 'corrupted batch counts are recomputed from the items');
select is((select q.action from vending.vend_queue q join vending.vends v on v.id = q.vend_id where v.batch_line = 2), 'submit',
  'a vend that lost its queue row gets it back');
select is((select status from vending.vends where batch_line = 3), 'needs_attention',
  'a vend unknown past the limit goes to a person');
select is_empty($$select 1 from vending.vend_queue q join vending.vends v on v.id = q.vend_id where v.order_id = 'QORDER000001'$$,
  'queue rows of final vends (orphans) are removed');

select * from finish();
rollback;
