-- Commerce behaviour in the database: reservations all-or-nothing with shared lines summed, FEFO lots,
-- the expiry job, the order state machine, forward-only payments applied once, late payments,
-- refunds, fraud decisions, checkout refusals and the vending contract; the ledger invariant after each.
begin;
select plan(60);

-- The checkout function calls commerce.checkout as the service role on behalf of the signed-in user
-- (the Data API cannot call it: no rate limit, no Idempotency-Key, spoofable fraud inputs there).
create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('i_admin', null, 'admin');
select tests.create_supabase_user('i_buyer');
select tests.create_supabase_user('i_unconfirmed');
update auth.users set email_confirmed_at = now(), created_at = now() - interval '30 days'
where raw_user_meta_data ->> 'test_identifier' = 'i_buyer';

-- A test SKU with exactly 4 units in one location and 2 in the other, and two lots in the first.
insert into commerce.products (slug, name, category) values ('inv-test', 'Inventory test', 'accessory');
insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
select id, 'INV-TEST', 'Test', 1000, 'USD', 3 from commerce.products where slug = 'inv-test';
select tests.authenticate_as('i_admin');
select commerce.receive_stock('INV-TEST', 'HOU-1', 2, 'LOT-LATE', current_date + 300);
select commerce.receive_stock('INV-TEST', 'HOU-1', 2, 'LOT-SOON', current_date + 10);
select commerce.receive_stock('INV-TEST', 'LOS-1', 2);
select tests.clear_authentication();

create temporary table t_ids (name text primary key, id uuid);
grant all on t_ids to public;

-- Checkout refusals ----------------------------------------------------------------------------------
select pg_temp.checkout_for('i_unconfirmed');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 1}]', 'stripe')$$, 'PT403', null,
  'an unconfirmed e-mail cannot check out');
select pg_temp.checkout_for('i_buyer');
select throws_ok($$select commerce.checkout('[{"sku": "NOPE-1", "quantity": 1}]', 'stripe')$$, 'PT422', 'Unknown or unavailable SKU: NOPE-1',
  'an unknown SKU is a 422 naming it');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 0}]', 'stripe')$$, 'PT422', null, 'quantity 0 is refused');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 10000}]', 'stripe')$$, 'PT422', null, 'quantity 10,000 is refused');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 1}]', 'paystack')$$, 'PT422', null,
  'a USD item through Paystack (NGN) is refused');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 1}, {"sku": "VOUCHER-NGN-1000", "quantity": 1}]', 'stripe')$$,
  'PT422', null, 'mixed currencies are refused');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 1}]', 'stripe', 'NO-SUCH-CODE-42')$$, 'PT422',
  'The coupon code NO-SUCH-CODE-42 is not known.', 'an unknown coupon code is refused by name (the plug point answers PT422)');
select is((select count(*)::int from commerce.orders o
           where o.customer_id = tests.get_supabase_uid('i_buyer')), 0, 'and a refused checkout leaves no order behind');

-- All or nothing, shared lines summed, each short SKU named --------------------------------------------
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 4}, {"sku": "INV-TEST", "quantity": 3}]', 'stripe')$$,
  'PT409', 'Not enough stock for: INV-TEST', 'two lines sharing a variant are summed (7 > 6 units)');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 7}, {"sku": "THERM-BASIC", "quantity": 100}]', 'stripe')$$,
  'PT409', 'Not enough stock for: INV-TEST, THERM-BASIC', 'out_of_stock names each short SKU');
select tests.clear_authentication();
select is((select count(*) from commerce.reservations r join commerce.variants v on v.id = r.variant_id where v.sku = 'INV-TEST'),
  0::bigint, 'a refused checkout leaves no reservation behind');
select is((select count(*) from commerce.orders o where o.customer_id = tests.get_supabase_uid('i_buyer')), 0::bigint,
  'a refused checkout leaves no order behind');

select pg_temp.checkout_for('i_buyer');
insert into t_ids select 'o1', (commerce.checkout('[{"sku": "INV-TEST", "quantity": 3}, {"sku": "INV-TEST", "quantity": 2}]', 'stripe', null, 'ck-o1') ->> 'orderId')::uuid;
select tests.clear_authentication();
select is((select sum(quantity) from commerce.reservations where order_id = (select id from t_ids where name = 'o1') and status = 'active'),
  5::bigint, 'a checkout of 3 + 2 units reserves 5');
select is((select available from commerce.catalog_availability(array['INV-TEST'])), 1, 'one unit remains available');
select is((select count(*) from commerce.stock_alerts a join commerce.variants v on v.id = a.variant_id
           where v.sku = 'INV-TEST' and a.kind = 'low_stock' and a.resolved_at is null), 1::bigint,
  'low stock (1 < 3) raises one alert');
select is((select count(*) from realtime.messages m join commerce.stock_alerts a on a.id = (m.payload ->> 'id')::bigint
           where m.topic = 'commerce:stock-alerts' and m.event = 'alert_raised' and a.resolved_at is null and a.kind = 'low_stock'
             and m.inserted_at >= now()::timestamp
             and a.variant_id = (select id from commerce.variants where sku = 'INV-TEST')), 1::bigint,
  'the alert is broadcast on the private stock-alerts topic');
select results_eq($$select t.batch_number from commerce.stock_alerts a join commerce.lots t on t.id = a.lot_id
                    where a.kind = 'lot_expiring' and t.variant_id = (select id from commerce.variants where sku = 'INV-TEST')$$,
  $$values ('LOT-SOON'::text)$$, 'the lot expiring within 30 days raises one alert, the later lot none');
select pg_temp.checkout_for('i_buyer');
select is((commerce.checkout('[{"sku": "INV-TEST", "quantity": 3}, {"sku": "INV-TEST", "quantity": 2}]', 'stripe', null, 'ck-o1') ->> 'continued')::boolean,
  true, 'the same checkout key continues the existing order instead of reserving again');
select throws_ok($$select commerce.checkout('[{"sku": "INV-TEST", "quantity": 2}]', 'stripe')$$, 'PT409', null,
  'the last unit cannot cover two');
select tests.clear_authentication();
select is_empty('select * from private.commerce_ledger_drift()', 'ledger invariant holds after reserving');

-- Payment success: reservations become allocations, lots first-expiry-first-out -------------------------
update commerce.payments set reference = 'pi_o1', status = 'pending' where order_id = (select id from t_ids where name = 'o1');
select commerce.record_webhook_event('stripe', 'evt_o1_ok', 'payment_intent.succeeded', '{}');
select is(commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o1_ok'), 'stripe', 'pi_o1', null,
  'succeeded', 5000, 'USD'), 'applied', 'a success is applied');
select is((select status from commerce.orders where id = (select id from t_ids where name = 'o1')), 'paid', 'the order is paid');
select is(commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o1_ok'), 'stripe', 'pi_o1', null,
  'succeeded', 5000, 'USD'), 'duplicate', 'the same event is applied once');
select ok((select not duplicate from commerce.record_webhook_event('stripe', 'evt_o1_fail', 'payment_intent.payment_failed', '{}')), 'a new event records');
select is(commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o1_fail'), 'stripe', 'pi_o1', null,
  'failed', 5000, 'USD'), 'ignored', 'a late failure never undoes a success');
select is((select status from commerce.payments where reference = 'pi_o1'), 'succeeded', 'the payment stays succeeded');
-- Whichever location the greedy pick reaches first, HOU-1's part takes LOT-SOON before LOT-LATE.
select results_eq($$select t.batch_number, t.allocated from commerce.lots t join commerce.variants v on v.id = t.variant_id
                    where v.sku = 'INV-TEST' order by t.batch_number$$,
  $$select * from (values ('LOT-LATE'::text, (select sum(r.quantity)::int - 2 from commerce.reservations r
                                              join commerce.locations l on l.id = r.location_id
                                              where r.order_id = (select id from t_ids where name = 'o1') and l.code = 'HOU-1')),
                          ('LOT-SOON'::text, 2)) x$$,
  'allocation takes the lot that expires first');
select is((select sum(allocated)::int from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id where v.sku = 'INV-TEST'),
  5, 'five units are allocated');
select is_empty('select * from private.commerce_ledger_drift()', 'ledger invariant holds after allocation');

-- State machine -------------------------------------------------------------------------------------
select throws_ok($$update commerce.orders set status = 'delivered' where id = (select id from t_ids where name = 'o1')$$,
  'PT409', null, 'paid -> delivered is an illegal transition');
select tests.authenticate_as('i_admin');
select is((commerce.fulfil_order((select id from t_ids where name = 'o1')) ->> 'status'), 'fulfilled', 'an admin fulfils: allocations become sales');
select is((select sum(on_hand)::int from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id where v.sku = 'INV-TEST'),
  1, 'sold units leave on_hand');
select is((commerce.mark_delivered((select id from t_ids where name = 'o1')) ->> 'status'), 'delivered', 'and marks it delivered');
select throws_ok($$select commerce.cancel_order((select id from t_ids where name = 'o1'))$$, 'PT409', null, 'a delivered order cannot be canceled');
select throws_ok($$select commerce.refund_order((select id from t_ids where name = 'o1'), 5001, 'too much')$$, 'PT422', null,
  'a refund above the refundable amount is refused');
select is((commerce.refund_order((select id from t_ids where name = 'o1'), 2000, 'one broke', true) ->> 'status'), 'requested',
  'a partial refund with restock is requested');
select tests.clear_authentication();
select is((select sum(on_hand)::int from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id where v.sku = 'INV-TEST'),
  6, 'restocked units return to on_hand');
update commerce.refunds set provider_reference = 're_o1' where order_id = (select id from t_ids where name = 'o1');
select commerce.record_webhook_event('stripe', 'evt_re_o1', 'refund.updated', '{}');
select is(commerce.apply_refund_update((select id from commerce.webhook_events where event_key = 'evt_re_o1'), 'stripe', 're_o1', null, 'succeeded', 2000),
  'applied', 'the refund webhook confirms the refund');
select results_eq($$select o.status, p.refunded_minor from commerce.orders o join commerce.payments p on p.order_id = o.id
                    where o.id = (select id from t_ids where name = 'o1')$$,
  $$values ('partially_refunded'::text, 2000::bigint)$$, 'the order is partially refunded');
select results_eq($$select e.details from commerce.order_events e
                    where e.order_id = (select id from t_ids where name = 'o1') and e.to_status = 'partially_refunded'$$,
  $$values ('{"refundedMinor": 2000}'::jsonb)$$, 'its status change carries the cumulative refunded amount for the order feed');
select is_empty('select * from private.commerce_ledger_drift()', 'ledger invariant holds after sale and return');

-- Expiry job: exactly once; a payment after expiry re-reserves or cancels and refunds --------------------
select pg_temp.checkout_for('i_buyer');
insert into t_ids select 'o2', (commerce.checkout('[{"sku": "INV-TEST", "quantity": 4}]', 'stripe') ->> 'orderId')::uuid;
insert into t_ids select 'o3', (commerce.checkout('[{"sku": "INV-TEST", "quantity": 2}]', 'stripe') ->> 'orderId')::uuid;
select tests.clear_authentication();
update commerce.reservations set expires_at = now() - interval '1 second' where order_id in (select id from t_ids where name in ('o2', 'o3'));
select ok(private.commerce_release_expired_reservations() >= 2, 'the job releases the expired reservations');
select is(private.commerce_release_expired_reservations(), 0::bigint, 'a second run releases nothing (exactly once)');
-- Someone else takes 3 of the 6 units; o2 (4 units) paid late cannot be served, o3 (2) can.
select pg_temp.checkout_for('i_buyer');
select commerce.checkout('[{"sku": "INV-TEST", "quantity": 3}]', 'stripe');
select tests.clear_authentication();
update commerce.payments set reference = 'pi_' || order_id::text where order_id in (select id from t_ids where name in ('o2', 'o3'));
select commerce.record_webhook_event('stripe', 'evt_o2', 'payment_intent.succeeded', '{}');
select commerce.record_webhook_event('stripe', 'evt_o3', 'payment_intent.succeeded', '{}');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o2'), 'stripe',
  'pi_' || (select id from t_ids where name = 'o2'), null, 'succeeded', 4000, 'USD');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o3'), 'stripe',
  'pi_' || (select id from t_ids where name = 'o3'), null, 'succeeded', 2000, 'USD');
select results_eq($$select o.status, (select count(*) from commerce.refunds r where r.order_id = o.id and r.automatic)
                    from commerce.orders o where o.id = (select id from t_ids where name = 'o2')$$,
  $$values ('canceled'::text, 1::bigint)$$, 'paid after expiry without stock: canceled and refunded automatically');
select results_eq($$select o.status, (select count(*) from commerce.refunds r where r.order_id = o.id)
                    from commerce.orders o where o.id = (select id from t_ids where name = 'o3')$$,
  $$values ('paid'::text, 0::bigint)$$, 'paid after expiry with stock: re-reserved and paid, no refund');
select is_empty('select * from private.commerce_ledger_drift()', 'ledger invariant holds after expiry and late payments');

-- Fraud: a rule set that blocks; nothing reserved, the assessment recorded ------------------------------
update commerce.fraud_rules set points = 90 where id = 'amount_over_cap';
update commerce.fraud_rules set params = '{"cap_minor": {"USD": 500}}' where id = 'amount_over_cap';
select pg_temp.checkout_for('i_buyer');
select is((commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe') ->> 'blocked')::boolean, true, 'a high score blocks');
select tests.clear_authentication();
select results_eq($$select decision, order_id is null, rules_fired -> 0 ->> 'rule' from commerce.fraud_assessments order by id desc limit 1$$,
  $$values ('block'::text, true, 'amount_over_cap'::text)$$, 'the blocked checkout is assessed without an order');
-- The buyer's five earlier checkouts this hour fire the e-mail velocity rule on top (35 + 45 = 80: block).
select pg_temp.checkout_for('i_buyer');
select is((commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe') -> 'rulesFired') -> 1 ->> 'rule', 'velocity_email_1h',
  'e-mail velocity fires after five checkouts in an hour');
select tests.clear_authentication();
update commerce.fraud_rules set points = 45 where id = 'amount_over_cap';
update commerce.fraud_rules set active = false where kind like 'velocity%';
select pg_temp.checkout_for('i_buyer');
insert into t_ids select 'o4', (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe') ->> 'orderId')::uuid;
select tests.authenticate_as('i_admin');
select is((select review_status from commerce.orders where id = (select id from t_ids where name = 'o4')), 'pending',
  'a review score holds the order for staff');
select is((commerce.review_order((select id from t_ids where name = 'o4'), false) ->> 'reviewStatus'), 'rejected', 'staff reject it');
select is((select status from commerce.orders where id = (select id from t_ids where name = 'o4')), 'canceled', 'a rejected order is canceled');

-- Partial fulfilment: ship 1 of 3, then the rest ---------------------------------------------------------
update commerce.fraud_rules set params = '{"cap_minor": {"USD": 1000000, "NGN": 500000000}}' where id = 'amount_over_cap';
select pg_temp.checkout_for('i_buyer');
insert into t_ids select 'o5', (commerce.checkout('[{"sku": "LED-12PK", "quantity": 2}, {"sku": "LED-12PK", "quantity": 1}]', 'stripe') ->> 'orderId')::uuid;
select tests.clear_authentication();
update commerce.payments set reference = 'pi_o5' where order_id = (select id from t_ids where name = 'o5');
select commerce.record_webhook_event('stripe', 'evt_o5', 'payment_intent.succeeded', '{}');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'evt_o5'), 'stripe', 'pi_o5', null,
  'succeeded', (select amount_minor from commerce.payments where reference = 'pi_o5'), 'USD');
select tests.authenticate_as('i_admin');
select throws_ok($$select commerce.fulfil_order((select id from t_ids where name = 'o5'), '[{"sku": "LED-12PK", "quantity": 4}]')$$,
  'PT422', null, 'shipping more than was ordered is refused');
select throws_ok($$select commerce.fulfil_order((select id from t_ids where name = 'o5'), '[{"sku": "THERM-BASIC", "quantity": 1}]')$$,
  'PT422', null, 'shipping a SKU that is not in the order is refused');
select is((commerce.fulfil_order((select id from t_ids where name = 'o5'), '[{"sku": "LED-12PK", "quantity": 1}]') ->> 'status'),
  'partially_fulfilled', 'shipping 1 of 3 units partially fulfils the order');
select results_eq($$select sum(-on_hand_delta)::int, (select sum(fulfilled_quantity)::int from commerce.order_lines where order_id = (select id from t_ids where name = 'o5'))
                    from commerce.stock_movements where order_id = (select id from t_ids where name = 'o5') and kind = 'sale'$$,
  $$values (1, 1)$$, 'one unit sold and one line unit marked shipped');
select is((commerce.fulfil_order((select id from t_ids where name = 'o5')) ->> 'status'), 'fulfilled', 'the rest ships');
select tests.clear_authentication();
select is_empty('select * from private.commerce_ledger_drift()', 'ledger invariant holds after partial fulfilment');

-- The vending contract: service role only ---------------------------------------------------------------
select tests.authenticate_as('i_buyer');
select throws_ok($$select * from commerce.payment_by_reference('stripe', 'pi_o1')$$, '42501', null,
  'payment_by_reference is not for customers');
select tests.authenticate_as_service_role();
select results_eq($$select status, amount_minor, currency from commerce.payment_by_reference('stripe', 'pi_o1')$$,
  $$values ('succeeded'::text, 5000::bigint, 'USD'::text)$$, 'payment_by_reference answers the service role');
select tests.clear_authentication();

select * from finish();
rollback;
