-- Carts and abandoned-cart recovery: items checked against commerce's availability (replace semantics),
-- recovery of consenting idle carts only, once (a single-use code, the cart.abandoned automation and its
-- queued e-mail), the recovery code in checkout; RLS allowed and denied.
begin;
select plan(26);

create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('ct_a', 'ct-a@test.local');
select tests.create_supabase_user('ct_b', 'ct-b@test.local');
select tests.create_supabase_user('ct_staff', 'ct-staff@test.local', 'marketing');
update auth.users set email_confirmed_at = now(), created_at = now() - interval '30 days'
where raw_user_meta_data ->> 'test_identifier' = 'ct_a';

insert into commerce.products (slug, name, category) values ('ct-thing', 'Cart thing', 'accessory');
insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
select id, 'CT-THING', 'Test', 2000, 'USD', 0 from commerce.products where slug = 'ct-thing';
insert into commerce.inventory_levels (variant_id, location_id)
select v.id, l.id from commerce.variants v cross join commerce.locations l where v.sku = 'CT-THING';
select private.commerce_apply_movements(jsonb_build_array(jsonb_build_object('variant_id', v.id, 'location_id', l.id,
  'kind', 'receipt', 'quantity', 5, 'on_hand_delta', 5, 'reason', 'test stock')))
from commerce.variants v, commerce.locations l where v.sku = 'CT-THING' and l.code = 'HOU-1';

create temporary table k (name text primary key, id uuid);
grant all on k to public;
with made as (
  insert into marketing.carts (user_id, email, consent, consent_at, last_activity_at)
  values (tests.get_supabase_uid('ct_a'), 'ct-a@test.local', true, now(), now()) returning id
) insert into k select 'a', id from made;
with made as (
  insert into marketing.carts (token_hash, email, consent, consent_at)
  values (sha256('anonymous-secret-token-of-the-test'::bytea), 'ct-anon@test.local', false, null) returning id
) insert into k select 'anon', id from made;
with made as (
  insert into marketing.carts (user_id, email, consent, consent_at)
  values (tests.get_supabase_uid('ct_b'), 'ct-b@test.local', true, now()) returning id
) insert into k select 'b', id from made;

-- Items ------------------------------------------------------------------------------------------------
select is(marketing.set_cart_items((select id from k where name = 'a'), '[{"sku": "CT-THING", "quantity": 2}]'),
  '[{"sku": "CT-THING", "quantity": 2}]'::jsonb, 'items are set by SKU');
select throws_ok($$select marketing.set_cart_items((select id from k where name = 'a'), '[{"sku": "CT-NOPE", "quantity": 1}]')$$,
  'PT422', 'Unknown or unavailable SKU: CT-NOPE', 'an unknown SKU is refused by name');
select throws_ok($$select marketing.set_cart_items((select id from k where name = 'a'), '[{"sku": "CT-THING", "quantity": 6}]')$$,
  'PT409', 'Not enough stock for: CT-THING', 'more than can be sold is refused');
select throws_ok($$select marketing.set_cart_items((select id from k where name = 'a'),
  '[{"sku": "CT-THING", "quantity": 1}, {"sku": "CT-THING", "quantity": 1}]')$$, 'PT422', null, 'a SKU appears once');
select is((select jsonb_agg(jsonb_build_array(sku, quantity)) from marketing.cart_items where cart_id = (select id from k where name = 'a')),
  '[["CT-THING", 2]]'::jsonb, 'a refused change leaves the items as they were');
select is(marketing.set_cart_items((select id from k where name = 'b'), '[{"sku": "CT-THING", "quantity": 1}]') -> 0 ->> 'sku',
  'CT-THING', 'another cart holds its own items');
select marketing.set_cart_items((select id from k where name = 'anon'), '[{"sku": "CT-THING", "quantity": 1}]');

-- RLS ---------------------------------------------------------------------------------------------------
select tests.authenticate_as('ct_a');
select results_eq($$select id from marketing.carts$$, $$select id from k where name = 'a'$$, 'a customer reads only their own cart');
select is((select count(*)::int from marketing.cart_items), 1, 'and only its items');
select throws_ok($$insert into marketing.carts (user_id) values (auth.uid())$$, '42501', null,
  'customers write carts only through the carts function');
select throws_ok($$select marketing.set_cart_items((select id from k where name = 'b'), '[]')$$, '42501', null,
  'customers cannot call set_cart_items (it trusts its caller''s ownership check)');
select tests.authenticate_as('ct_staff');
select cmp_ok((select count(*)::int from marketing.carts where id in (select id from k)), '=', 3, 'marketing staff read every cart');
with changed as (update marketing.cart_settings set idle_hours = 4 returning 1)
select is((select count(*)::int from changed), 1, 'marketing staff change the recovery settings');
select tests.authenticate_as('ct_b');
select is_empty($$select * from marketing.cart_settings$$, 'customers read no recovery settings');
select tests.authenticate_as_anon();
select throws_ok($$select * from marketing.carts$$, '42501', null, 'anonymous callers read no carts through the Data API');
select tests.clear_authentication();

-- Recovery ----------------------------------------------------------------------------------------------
update marketing.carts set last_activity_at = now() - interval '5 hours' where id in (select id from k);
update marketing.carts set last_activity_at = now() - interval '1 hour' where id = (select id from k where name = 'b');
select is(private.marketing_recover_carts(), 1::bigint, 'one consenting cart with items is idle for 4 hours');
select is((select status from marketing.carts where id = (select id from k where name = 'a')), 'abandoned', 'it turns abandoned');
select is((select status from marketing.carts where id = (select id from k where name = 'anon')), 'open',
  'a cart without consent gets no reminder');
select is((select status from marketing.carts where id = (select id from k where name = 'b')), 'open', 'a recently active cart neither');
select is((select jsonb_build_array(c.usage_limit, c.per_customer_limit, c.expires_at > now() + interval '6 days')
           from marketing.carts k2 join marketing.coupons c on c.id = k2.recovery_coupon_id
           where k2.id = (select id from k where name = 'a')), '[1, 1, true]'::jsonb,
  'a single-use code valid for 7 days is issued for it');
select is((select r.payload ->> 'couponCode' from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
           where a.slug = 'cart-recovery' and r.trigger_event = 'cart:' || (select id from k where name = 'a')),
  (select c.code from marketing.carts k2 join marketing.coupons c on c.id = k2.recovery_coupon_id where k2.id = (select id from k where name = 'a')),
  'the cart.abandoned automation runs for its e-mail with the code');
select is(private.marketing_recover_carts(), 0::bigint, 'a rerun starts nothing twice');
select cmp_ok(marketing.advance_automations(), '>=', 1::bigint, 'the automation advances');
select is((select count(*)::int from marketing.messages m join marketing.templates t on t.id = m.template_id
           join marketing.subscribers s on s.id = m.subscriber_id
           where t.slug = 'cart-recovery' and s.email = 'ct-a@test.local' and m.data ->> 'couponCode' is not null), 1,
  'one recovery e-mail with the code is queued in the outbox');

-- The recovery code in checkout.
create temporary table code as
select c.code from marketing.carts k2 join marketing.coupons c on c.id = k2.recovery_coupon_id where k2.id = (select id from k where name = 'a');
grant select on code to public;
select pg_temp.checkout_for('ct_a');
select is((commerce.checkout('[{"sku": "CT-THING", "quantity": 2}]', 'stripe', (select code from code)) ->> 'discount')::int, 400,
  'the recovery code gives 10% in checkout');
select throws_ok($$select commerce.checkout('[{"sku": "CT-THING", "quantity": 1}]', 'stripe', (select code from code))$$, 'PT409', null,
  'and works once');
select tests.clear_authentication();
update marketing.coupons set expires_at = now() - interval '1 second' where code = (select code from code);
update marketing.coupons set uses = 0 where code = (select code from code);
delete from marketing.coupon_customer_uses where coupon_id = (select id from marketing.coupons where code = (select code from code));
select pg_temp.checkout_for('ct_a');
select throws_ok($$select commerce.checkout('[{"sku": "CT-THING", "quantity": 1}]', 'stripe', (select code from code))$$, 'PT422',
  null, 'an expired recovery code is refused');
select tests.clear_authentication();

select * from finish();
rollback;
