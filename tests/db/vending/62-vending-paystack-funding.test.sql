-- Vends funded by a Paystack payment, through commerce's published contracts only: the caller's own,
-- succeeded, NGN payment that still covers the amount funds one vend (unique payment_id), nothing else
-- does; a finally failed vend is refunded through commerce.refund_payment once. The contracts are
-- the service role's, never a customer's.
begin;
select plan(16);

select tests.create_supabase_user('f_dayo');
select tests.create_supabase_user('f_eve');
delete from vending.vend_queue;

-- Orders as commerce's checkout leaves them, their payments as its webhook settles them.
with o as (
  insert into commerce.orders (customer_id, customer_email, currency, subtotal_minor, total_minor, provider)
  select tests.get_supabase_uid(who), who || '@example.com', 'NGN', amount, amount, 'paystack'
  from (values ('f_dayo', 215000), ('f_dayo', 50000), ('f_dayo', 215000), ('f_eve', 215000)) v(who, amount)
  returning id, customer_id, total_minor
)
insert into commerce.payments (order_id, provider, reference, amount_minor, currency, status, captured_minor)
select o.id, 'paystack', 'ps_ref_' || row_number() over (order by o.customer_id, o.total_minor desc, o.id), o.total_minor, 'NGN',
       'succeeded', o.total_minor
from o;
-- ps_ref_1 and ps_ref_2: f_dayo's ₦2,150 orders; ps_ref_3: f_dayo's ₦500; ps_ref_4: f_eve's (uid order may
-- put f_eve first, so name them by what they are).
create temp table t_refs as
select p.reference, o.customer_id, p.amount_minor from commerce.payments p join commerce.orders o on o.id = p.order_id
where p.reference like 'ps_ref_%';
create temp table t_named (name text primary key, reference text);
insert into t_named
select 'big', (select reference from t_refs where customer_id = tests.get_supabase_uid('f_dayo') and amount_minor = 215000 order by reference limit 1)
union all select 'pending', (select reference from t_refs where customer_id = tests.get_supabase_uid('f_dayo') and amount_minor = 215000 order by reference desc limit 1)
union all select 'small', (select reference from t_refs where customer_id = tests.get_supabase_uid('f_dayo') and amount_minor = 50000)
union all select 'eves', (select reference from t_refs where customer_id = tests.get_supabase_uid('f_eve'));
update commerce.payments set status = 'pending', captured_minor = 0 where reference = (select reference from t_named where name = 'pending');
grant select on t_named to authenticated;

select tests.authenticate_as('f_dayo');
select throws_ok($$select commerce.refund_payment(gen_random_uuid(), 100, 'x')$$, '42501', null,
  'refund_payment is not for customers');
select throws_ok($$select commerce.payment_refundable_minor(gen_random_uuid())$$, '42501', null,
  'payment_refundable_minor is not for customers');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 200000, '+2348031234567', null, null, null,
  (select reference from t_named where name = 'eves'))$$, 'PT422', 'No Paystack payment of yours has this reference.',
  'another customer''s payment is unknown to the caller');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 200000, '+2348031234567', null, null, null,
  (select reference from t_named where name = 'pending'))$$, 'PT409', null, 'a payment Paystack has not confirmed funds nothing');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 100000, '+2348031234567', null, null, null,
  (select reference from t_named where name = 'small'))$$, 'PT422', null, 'a payment that does not cover the amount funds nothing');
select is(vending.create_vend('IKEJA', '12345678901', 'PREPAID', 200000, '+2348031234567', null, null, 'FUNDED000001',
  (select reference from t_named where name = 'big')) ->> 'funding', 'paystack', 'the caller''s succeeded NGN payment funds the vend');
select throws_ok($$select vending.create_vend('IKEJA', '12345678901', 'PREPAID', 200000, '+2348031234567', null, null, null,
  (select reference from t_named where name = 'big'))$$, 'PT409', 'This payment already funded a vend.',
  'a payment funds one vend only');
select tests.clear_authentication();

select is((select count(*)::int from vending.vends where customer_id = tests.get_supabase_uid('f_dayo')), 1, 'one vend was created');
select is((select count(*)::int from vending.account_ledger where customer_id = tests.get_supabase_uid('f_dayo')), 0,
  'a Paystack-funded vend touches no prepaid account');
select is((select count(*)::int from vending.vend_queue q join vending.vends v on v.id = q.vend_id where v.order_id = 'FUNDED000001'), 1,
  'the funded vend is queued');

-- The vend finally fails: commerce refunds the vend's amount, once.
select private.vending_claim('default', 10, interval '1 minute');
select private.vending_settle(jsonb_build_array(jsonb_build_object(
  'vendId', (select id from vending.vends where order_id = 'FUNDED000001'), 'outcome', 'failed', 'error', '501', 'calls', '[]'::jsonb)));
select results_eq($$select r.amount_minor, r.automatic, r.status from commerce.refunds r
                    join commerce.payments p on p.id = r.payment_id where p.reference = (select reference from t_named where name = 'big')$$,
  $$values (200000::bigint, true, 'requested'::text)$$, 'a failed Paystack-funded vend is refunded through commerce by its amount');
select is((select payment_refund_id from vending.vends where order_id = 'FUNDED000001'),
  (select r.id from commerce.refunds r join commerce.payments p on p.id = r.payment_id
   where p.reference = (select reference from t_named where name = 'big')), 'the vend records its refund');
select is(private.vending_refund_payments(array(select id from vending.vends where order_id = 'FUNDED000001')), 0::bigint,
  'a refunded vend is not refunded again');
select is((select count(*)::int from commerce.refunds r join commerce.payments p on p.id = r.payment_id
           where p.reference = (select reference from t_named where name = 'big')), 1, 'one refund for one failed vend');
select is(commerce.payment_refundable_minor((select id from commerce.payments where reference = (select reference from t_named where name = 'big'))),
  15000::bigint, 'what is left of the payment is captured minus the refund');
select is(commerce.payment_refundable_minor((select id from commerce.payments where reference = (select reference from t_named where name = 'pending'))),
  null::bigint, 'a payment not succeeded has nothing refundable');

select * from finish();
rollback;
