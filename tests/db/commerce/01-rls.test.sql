-- Commerce RLS, allowed and denied per role: anon reads the active catalog and availability only;
-- customers read their own orders, payments and refunds; support reads orders and creates refunds;
-- analysts read everything and change nothing; admins manage the catalog and inventory.
begin;
select plan(45);

-- The checkout function calls commerce.checkout as the service role on behalf of the signed-in user
-- (the Data API cannot call it: no rate limit, no Idempotency-Key, spoofable fraud inputs there).
create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('c_admin', null, 'admin');
select tests.create_supabase_user('c_analyst', null, 'analyst');
select tests.create_supabase_user('c_support', null, 'support');
select tests.create_supabase_user('c_alice');
select tests.create_supabase_user('c_bob');
update auth.users set email_confirmed_at = now() where raw_user_meta_data ->> 'test_identifier' in ('c_alice', 'c_bob');

-- An inactive product, an order for alice with a captured payment and a refund.
insert into commerce.products (slug, name, category, active) values ('rls-hidden', 'Hidden', 'accessory', false);
insert into commerce.variants (product_id, sku, name, price_minor, currency, active)
select id, 'RLS-HIDDEN', 'Hidden', 100, 'USD', false from commerce.products where slug = 'rls-hidden';

select pg_temp.checkout_for('c_alice');
select commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe') as alice_checkout \gset
select tests.clear_authentication();
update commerce.payments set status = 'succeeded', captured_minor = amount_minor, reference = 'pi_rls'
where order_id = (:'alice_checkout'::jsonb ->> 'orderId')::uuid;
update commerce.orders set status = 'paid' where id = (:'alice_checkout'::jsonb ->> 'orderId')::uuid;
insert into commerce.refunds (payment_id, order_id, amount_minor, currency, reason)
select id, order_id, 100, currency, 'rls test' from commerce.payments where reference = 'pi_rls';

-- anon --------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select ok((select count(*) from commerce.products) >= 30, 'anon reads the active catalog');
select is((select count(*) from commerce.variants where sku = 'RLS-HIDDEN'), 0::bigint, 'anon does not see inactive variants');
select ok((select available from commerce.catalog_availability(array['THERM-BASIC'])) > 0, 'anon reads availability');
select is((select count(*) from commerce.catalog_availability(array['RLS-HIDDEN'])), 0::bigint, 'availability hides inactive SKUs');
select throws_ok('select on_hand from commerce.inventory_levels', '42501', null, 'anon cannot read on_hand of a location');
select throws_ok('select * from commerce.variant_costs', '42501', null, 'anon cannot read costs');
select throws_ok('select * from commerce.orders', '42501', null, 'anon cannot read orders');
select throws_ok($$select commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe')$$, '42501', null,
  'anon cannot check out');
select throws_ok($$insert into commerce.products (slug, name, category) values ('anon-x', 'x', 'meter')$$, '42501', null,
  'anon cannot add products');

-- customer ----------------------------------------------------------------------------------------
select tests.authenticate_as('c_alice');
select is((select count(*) from commerce.orders), 1::bigint, 'alice reads her own order');
select is((select count(*) from commerce.order_lines), 1::bigint, 'alice reads her own order lines');
select is((select count(*) from commerce.payments), 1::bigint, 'alice reads her own payment');
select is((select count(*) from commerce.refunds), 1::bigint, 'alice reads her own refund');
select ok((select count(*) from commerce.order_events) >= 1, 'alice reads her order history');
select is((select count(*) from commerce.inventory_levels), 0::bigint, 'a customer reads no inventory levels');
select is((select count(*) from commerce.fraud_assessments), 0::bigint, 'a customer reads no fraud assessments');
select is((select count(*) from commerce.variant_costs), 0::bigint, 'a customer reads no costs');
select throws_ok($$update commerce.orders set status = 'paid'$$, '42501', null, 'a customer cannot change an order directly');
select throws_ok($$select commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe')$$, '42501', null,
  'a customer cannot call checkout through the Data API (only the checkout function may)');
select throws_ok($$select commerce.refund_order((select id from commerce.orders limit 1), 100, 'x')$$, 'PT403', null,
  'a customer cannot create refunds');
select throws_ok($$select commerce.receive_stock('THERM-BASIC', 'HOU-1', 5)$$, 'PT403', null, 'a customer cannot receive stock');
select is((select count(*) from commerce.variants where sku = 'RLS-HIDDEN'), 0::bigint, 'a customer does not see inactive variants');

select tests.authenticate_as('c_bob');
select is((select count(*) from commerce.orders), 0::bigint, 'bob does not read alice''s order');
select is((select count(*) from commerce.payments), 0::bigint, 'bob does not read alice''s payment');
select is((select count(*) from commerce.refunds), 0::bigint, 'bob does not read alice''s refund');
select is((select count(*) from commerce.order_lines), 0::bigint, 'bob does not read alice''s order lines');
select throws_ok(format('select commerce.cancel_order(%L)', :'alice_checkout'::jsonb ->> 'orderId'), 'PT404', null,
  'bob cannot cancel alice''s order');

-- support -----------------------------------------------------------------------------------------
select tests.authenticate_as('c_support');
select ok((select count(*) from commerce.orders) >= 1, 'support reads all orders');
select ok((select count(*) from commerce.fraud_assessments) >= 1, 'support reads fraud assessments');
select is((commerce.refund_order((:'alice_checkout'::jsonb ->> 'orderId')::uuid, 50, 'goodwill') ->> 'status'), 'requested',
  'support creates a refund');
select is((select count(*) from commerce.variant_costs), 0::bigint, 'support reads no costs');
select throws_ok($$select commerce.adjust_stock('THERM-BASIC', 'HOU-1', 5, 'count')$$, 'PT403', null, 'support cannot adjust stock');

-- analyst -----------------------------------------------------------------------------------------
select tests.authenticate_as('c_analyst');
select ok((select count(*) from commerce.orders) >= 1, 'an analyst reads orders');
select ok((select count(*) from commerce.variant_costs) >= 30, 'an analyst reads costs');
select ok((select count(*) from commerce.stock_movements) >= 30, 'an analyst reads the ledger');
select ok((select count(*) from commerce.webhook_events) >= 0, 'an analyst reads webhook events');
select is_empty($$update commerce.products set name = 'x' where slug = 'solar-kit-3kw' returning 1$$,
  'an analyst changes no product (RLS filters the update)');
select throws_ok($$select commerce.refund_order((select id from commerce.orders limit 1), 10, 'x')$$, 'PT403', null,
  'an analyst cannot refund');
select throws_ok($$select commerce.receive_stock('THERM-BASIC', 'HOU-1', 5)$$, 'PT403', null, 'an analyst cannot receive stock');

-- admin -------------------------------------------------------------------------------------------
select tests.authenticate_as('c_admin');
select isnt_empty($$update commerce.products set description = 'updated' where slug = 'solar-kit-3kw' returning 1$$,
  'an admin changes a product');
select is((commerce.receive_stock('THERM-BASIC', 'HOU-1', 5) ->> 'sku'), 'THERM-BASIC', 'an admin receives stock');
select is((commerce.adjust_stock('THERM-BASIC', 'HOU-1', -1, 'cycle count') ->> 'sku'), 'THERM-BASIC', 'an admin adjusts stock');
select throws_ok($$update commerce.inventory_levels set on_hand = 0$$, '42501', null,
  'not even an admin writes levels directly (the ledger would not add up)');
select throws_ok($$update commerce.stock_movements set quantity = 0$$, '42501', null, 'nobody rewrites the ledger');
select tests.clear_authentication();
select throws_ok($$update commerce.stock_movements set quantity = 0 where id = (select min(id) from commerce.stock_movements)$$,
  'PT409', null, 'the ledger is append-only even for the owner');

select * from finish();
rollback;
