-- Commerce analytics RPCs: analysts and admins only, the shared window convention, figures per currency.
begin;
select plan(12);

-- The checkout function calls commerce.checkout as the service role on behalf of the signed-in user
-- (the Data API cannot call it: no rate limit, no Idempotency-Key, spoofable fraud inputs there).
create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('a_analyst', null, 'analyst');
select tests.create_supabase_user('a_support', null, 'support');
select tests.create_supabase_user('a_buyer');
update auth.users set email_confirmed_at = now() where raw_user_meta_data ->> 'test_identifier' = 'a_buyer';

-- Two paid USD orders (one refunded in part, one fulfilled), one failed Paystack payment. The demo
-- catalog's shipping is taken off these SKUs here, so the figures below are the goods' prices.
update commerce.variants set shipping_minor = 0 where sku in ('THERM-BASIC', 'LED-12PK', 'VOUCHER-NGN-1000');
select pg_temp.checkout_for('a_buyer');
select commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 2}]', 'stripe') ->> 'orderId' as o1 \gset
select commerce.checkout('[{"sku": "LED-12PK", "quantity": 1}]', 'stripe') ->> 'orderId' as o2 \gset
select commerce.checkout('[{"sku": "VOUCHER-NGN-1000", "quantity": 1}]', 'paystack') ->> 'orderId' as o3 \gset
select tests.clear_authentication();
update commerce.payments set reference = 'ref-' || order_id::text where order_id in (:'o1', :'o2', :'o3');
select commerce.record_webhook_event('stripe', 'an-1', 'payment_intent.succeeded', '{}');
select commerce.record_webhook_event('stripe', 'an-2', 'payment_intent.succeeded', '{}');
select commerce.record_webhook_event('paystack', 'an-3', 'charge.failed', '{}');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'an-1'), 'stripe', 'ref-' || :'o1', null, 'succeeded', 9800, 'USD');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'an-2'), 'stripe', 'ref-' || :'o2', null, 'succeeded', 2900, 'USD');
select commerce.apply_payment_update((select id from commerce.webhook_events where event_key = 'an-3'), 'paystack', 'ref-' || :'o3', null, 'failed', 107500, 'NGN');
update commerce.payments set refunded_minor = 2900 where order_id = :'o2';
select tests.authenticate_as_service_role();
select commerce.fulfil_order(:'o1');
select tests.clear_authentication();
-- Money figures in a window of their own (other tests' orders live around now).
update commerce.orders set created_at = '2021-03-03 12:00+00' where id in (:'o1', :'o2', :'o3');
update commerce.payments set created_at = '2021-03-03 12:00+00' where order_id in (:'o1', :'o2', :'o3');

select tests.authenticate_as('a_analyst');
select results_eq($$select currency, orders, revenue_minor, refunded_minor from commerce.revenue_by_day('2021-03-03 00:00+00', '2021-03-04 00:00+00') where currency = 'USD'$$,
  $$values ('USD'::text, 2::bigint, 12700::bigint, 2900::bigint)$$, 'revenue by day counts captured payments');
select results_eq($$select orders, average_minor from commerce.average_order_value('2021-03-03 00:00+00', '2021-03-04 00:00+00') where currency = 'USD'$$,
  $$values (2::bigint, 6350.00::numeric)$$, 'average order value');
select results_eq($$select provider, attempts, succeeded, failed from commerce.payment_success_rate('2021-03-03 00:00+00', '2021-03-04 00:00+00')$$,
  $$values ('paystack'::text, 1::bigint, 0::bigint, 1::bigint), ('stripe'::text, 2::bigint, 2::bigint, 0::bigint)$$, 'payment success rate by provider');
select results_eq($$select paid_orders, refunded_orders, refund_rate from commerce.refund_rate('2021-03-03 00:00+00', '2021-03-04 00:00+00') where currency = 'USD'$$,
  $$values (2::bigint, 1::bigint, 0.2283::numeric)$$, 'refund rate by money');
select results_eq($$select units_sold from commerce.stock_value(now() - interval '1 day', now() + interval '1 day') where sku = 'THERM-BASIC'$$,
  $$values (2::bigint)$$, 'stock value counts units sold in the window');
select ok((select days_of_cover > 0 and stock_value_minor > 0 from commerce.stock_value(now() - interval '1 day', now() + interval '1 day') where sku = 'THERM-BASIC'),
  'days of cover and stock value at cost');
select results_eq($$select sku, units from commerce.top_products('2021-03-03 00:00+00', '2021-03-04 00:00+00', 1)$$,
  $$values ('THERM-BASIC'::text, 2::bigint)$$, 'top products by revenue');
select is_empty($$select * from commerce.revenue_by_day(now() - interval '10 days', now() - interval '9 days')$$, 'the window bounds the figures');
select throws_ok($$select * from commerce.revenue_by_day(now(), now() - interval '1 day')$$, 'PT422', null, 'an inverted window is refused');
select throws_ok($$select * from commerce.top_products(now() - interval '500 days', now())$$, 'PT422', null, 'a window over 400 days is refused');
select tests.authenticate_as('a_support');
select throws_ok($$select * from commerce.refund_rate(now() - interval '1 day', now())$$, 'PT403', null, 'support may not read analytics');
select tests.authenticate_as('a_buyer');
select throws_ok($$select * from commerce.stock_value(now() - interval '1 day', now())$$, 'PT403', null, 'customers may not read analytics');

select * from finish();
rollback;
