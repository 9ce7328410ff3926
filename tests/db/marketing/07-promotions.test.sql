-- Promotions and coupons in commerce's checkout: case-insensitive codes, global and per-customer limits
-- (a refusal writes nothing), kinds (percentage, fixed amount spread over lines, buy X get Y, free
-- shipping), conditions (minimum, categories, segment, first order, window), budgets, priority and
-- stacking with automatic promotions, per-line breakdowns, bulk codes; RLS allowed and denied.
begin;
select plan(51);

create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('pr_staff', 'pr-staff@test.local', 'marketing');
select tests.create_supabase_user('pr_analyst', 'pr-analyst@test.local', 'analyst');
select tests.create_supabase_user('pr_a', 'pr-a@test.local');
select tests.create_supabase_user('pr_b', 'pr-b@test.local');
select tests.create_supabase_user('pr_c', 'pr-c@test.local');
update auth.users set email_confirmed_at = now(), created_at = now() - interval '30 days'
where raw_user_meta_data ->> 'test_identifier' in ('pr_a', 'pr_b', 'pr_c');

insert into commerce.products (slug, name, category) values ('pr-thermo', 'Promo thermostat', 'thermostat'),
  ('pr-cable', 'Promo cable', 'accessory');
insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
select id, case slug when 'pr-thermo' then 'PR-THERMO' else 'PR-CABLE' end, 'Test',
       case slug when 'pr-thermo' then 1000 else 500 end, 'USD', 0
from commerce.products where slug in ('pr-thermo', 'pr-cable');
-- The thermostat ships at 2.50 a unit; the cable ships nothing.
update commerce.variants set shipping_minor = 250 where sku = 'PR-THERMO';
insert into commerce.inventory_levels (variant_id, location_id)
select v.id, l.id from commerce.variants v cross join commerce.locations l where v.sku in ('PR-THERMO', 'PR-CABLE');
select private.commerce_apply_movements(jsonb_agg(jsonb_build_object('variant_id', v.id, 'location_id', l.id,
  'kind', 'receipt', 'quantity', 500, 'on_hand_delta', 500, 'reason', 'test stock')))
from commerce.variants v, commerce.locations l where v.sku in ('PR-THERMO', 'PR-CABLE') and l.code = 'HOU-1';

create temporary table r (name text primary key, answer jsonb);
grant all on r to public;
create temporary table p (name text primary key, id uuid);
grant all on p to public;

-- Staff manage promotions and codes ------------------------------------------------------------------------
select tests.authenticate_as('pr_staff');
with made as (
  insert into marketing.promotions (name, kind, percent_off, stacking) values ('Ten percent', 'percentage', 10, 'combinable')
  returning id
) insert into p select 'ten', id from made;
select is((select count(*)::int from p), 1, 'marketing staff add a promotion');
insert into marketing.coupons (promotion_id, code, usage_limit, per_customer_limit)
select id, 'PRSAVE10', 3, 1 from p where name = 'ten';
select throws_ok($$insert into marketing.coupons (promotion_id, code) select id, 'prsave10' from p where name = 'ten'$$,
  '23505', null, 'codes are unique case-insensitively');
select throws_ok($$update marketing.coupons set uses = 0 where code = 'PRSAVE10'$$, '42501', null,
  'staff cannot rewrite a code''s uses (they move only in checkout and the give-back job)');
with changed as (update marketing.promotions set name = 'Ten percent off' where id = (select id from p where name = 'ten') returning 1)
select is((select count(*)::int from changed), 1, 'staff change a promotion');
select is((select count(*)::int from marketing.generate_coupons((select id from p where name = 'ten'), 5, 'PRB', 'pr-batch')), 5,
  'staff generate 5 single-use codes');
select is((select count(distinct lower(code))::int from marketing.coupons where batch = 'pr-batch' and usage_limit = 1
           and per_customer_limit = 1), 5, 'each is distinct and single-use');
select throws_ok($$select marketing.generate_coupons((select id from p where name = 'ten'), 10001)$$, 'PT422', null,
  'more than 10,000 codes at once is refused');

select tests.authenticate_as('pr_analyst');
select is((select count(*)::int from marketing.promotions where name = 'Ten percent off'), 1, 'analysts read promotions');
with changed as (update marketing.promotions set name = 'x' where id = (select id from p where name = 'ten') returning 1)
select is((select count(*)::int from changed), 0, 'analysts change no promotion');
select throws_ok($$select marketing.generate_coupons((select id from p where name = 'ten'), 1)$$, 'PT403', null,
  'analysts generate no codes');

select tests.authenticate_as('pr_a');
select is_empty($$select id from marketing.promotions$$, 'customers read no promotions');
select is_empty($$select id from marketing.coupons$$, 'customers read no codes');
select throws_ok($$insert into marketing.promotions (name, kind, percent_off) values ('mine', 'percentage', 100)$$,
  '42501', null, 'customers add no promotion');
select throws_ok($$select marketing.promotion_coupons((select id from p where name = 'ten'))$$, 'PT403', null,
  'customers list no codes');
select tests.clear_authentication();

-- Codes in checkout ---------------------------------------------------------------------------------------
select pg_temp.checkout_for('pr_a');
insert into r values ('a1', commerce.checkout('[{"sku": "PR-THERMO", "quantity": 2}, {"sku": "PR-CABLE", "quantity": 1}]',
                                              'stripe', 'prsave10'));
select is((select (answer ->> 'discount')::int from r where name = 'a1'), 250, 'a lower-case code applies: 10% of 2,500');
select is((select answer -> 'lines' from r where name = 'a1') -> 0 -> 'discounts' -> 0 ->> 'name', 'Ten percent off',
  'each line shows the promotion applied');
select is((select jsonb_agg(jsonb_build_array(l ->> 'sku', l -> 'discount', l -> 'discounts' -> 0 -> 'amount', l -> 'discounts' -> 0 ->> 'code'))
           from jsonb_array_elements((select answer -> 'lines' from r where name = 'a1')) l),
  '[["PR-CABLE", 50, 50, "PRSAVE10"], ["PR-THERMO", 200, 200, "PRSAVE10"]]'::jsonb, 'per line: discount, amount and code');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRSAVE10')$$, 'PT409',
  'You have used the coupon code PRSAVE10 as often as it allows.', 'the per-customer limit (1) holds');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'NO-SUCH-CODE')$$, 'PT422',
  'The coupon code NO-SUCH-CODE is not known.', 'an unknown code is a 422');
select pg_temp.checkout_for('pr_b');
select lives_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRSAVE10')$$, 'another customer uses it');
select tests.clear_authentication();
update marketing.coupons set usage_limit = 2 where code = 'PRSAVE10';
select pg_temp.checkout_for('pr_c');
create temporary table before_counts as select (select count(*) from commerce.orders) as orders,
  (select count(*) from marketing.promotion_redemptions) as redemptions;
grant select on before_counts to public;
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRSAVE10')$$, 'PT409',
  'The coupon code PRSAVE10 has been used up.', 'the global limit holds');
select is((select count(*) from commerce.orders), (select orders from before_counts), 'a refused code leaves no order');
select tests.clear_authentication();
select is((select uses from marketing.coupons where code = 'PRSAVE10'), 2, 'the code counts two uses');
select is((select count(*)::int from marketing.promotion_redemptions r join marketing.coupons c on c.id = r.coupon_id
           where c.code = 'PRSAVE10'), 2, 'one redemption per order');
select is((select uses from marketing.promotions where id = (select id from p where name = 'ten')), 2, 'the promotion counts two');

-- Kinds and conditions ----------------------------------------------------------------------------------
insert into marketing.promotions (name, kind, amount_off_minor, currency, min_subtotal_minor)
values ('Five off twenty', 'fixed_amount', 500, 'USD', 2000);
insert into marketing.coupons (promotion_id, code, per_customer_limit) select id, 'PRFIVE', null from marketing.promotions where name = 'Five off twenty';
insert into marketing.promotions (name, kind, percent_off, categories) values ('Thermostats 20', 'percentage', 20, '{thermostat}');
insert into marketing.coupons (promotion_id, code, per_customer_limit) select id, 'PRTHERMO', null from marketing.promotions where name = 'Thermostats 20';
insert into marketing.promotions (name, kind, buy_quantity, get_quantity) values ('Cables 2+1', 'buy_x_get_y', 2, 1);
insert into marketing.coupons (promotion_id, code, per_customer_limit) select id, 'PR3FOR2', null from marketing.promotions where name = 'Cables 2+1';
insert into marketing.promotions (name, kind, percent_off, starts_at, ends_at)
values ('Old', 'percentage', 50, now() - interval '10 days', now() - interval '1 day');
insert into marketing.coupons (promotion_id, code) select id, 'PROLD' from marketing.promotions where name = 'Old';
insert into marketing.promotions (name, kind, percent_off, first_order_only) values ('Welcome', 'percentage', 15, true);
insert into marketing.coupons (promotion_id, code) select id, 'PRFIRST' from marketing.promotions where name = 'Welcome';
insert into marketing.segments (slug, name, definition, compiled)
values ('pr-vip', 'Promo VIPs', '{"field": "orders_count", "op": "gte", "value": 100}', 'true');
insert into marketing.promotions (name, kind, percent_off, segment_id)
select 'VIP', 'percentage', 30, id from marketing.segments where slug = 'pr-vip';
insert into marketing.coupons (promotion_id, code) select id, 'PRVIP' from marketing.promotions where name = 'VIP';
insert into marketing.promotions (name, kind, percent_off, currency, budget_amount_minor)
values ('Budgeted', 'percentage', 50, 'USD', 700);
insert into marketing.coupons (promotion_id, code, per_customer_limit) select id, 'PRBUDGET', null from marketing.promotions where name = 'Budgeted';
insert into marketing.promotions (name, kind) values ('Free shipping', 'free_shipping');
insert into marketing.coupons (promotion_id, code) select id, 'PRSHIP' from marketing.promotions where name = 'Free shipping';

select pg_temp.checkout_for('pr_c');
select throws_ok($$select commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}, {"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRFIVE')$$,
  'PT422', null, 'a fixed amount below its minimum subtotal is refused');
insert into r values ('five', commerce.checkout('[{"sku": "PR-THERMO", "quantity": 2}, {"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRFIVE'));
select is((select jsonb_agg(l -> 'discount' order by l ->> 'sku') from jsonb_array_elements((select answer -> 'lines' from r where name = 'five')) l),
  '[100, 400]'::jsonb, 'a fixed 5.00 is spread over the lines in proportion (500 + 2,000)');
insert into r values ('thermo', commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}, {"sku": "PR-CABLE", "quantity": 2}]', 'stripe', 'PRTHERMO'));
select is((select jsonb_agg(l -> 'discount' order by l ->> 'sku') from jsonb_array_elements((select answer -> 'lines' from r where name = 'thermo')) l),
  '[0, 200]'::jsonb, 'a category promotion discounts only its category''s lines');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRTHERMO')$$, 'PT422', null,
  'a category code on a basket without that category is refused');
insert into r values ('x3', commerce.checkout('[{"sku": "PR-CABLE", "quantity": 3}, {"sku": "PR-THERMO", "quantity": 1}]', 'stripe', 'PR3FOR2'));
select is((select (answer ->> 'discount')::int from r where name = 'x3'), 500, 'buy 2 get 1: the cheapest of 3 eligible units is free');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PROLD')$$, 'PT422', null,
  'an expired promotion''s code is refused');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRVIP')$$, 'PT422', null,
  'a segment promotion refuses a non-member');
select tests.clear_authentication();
insert into marketing.segment_members (segment_id, user_id)
select id, tests.get_supabase_uid('pr_c') from marketing.segments where slug = 'pr-vip';
insert into marketing.customer_orders (order_id, user_id, total, placed_at, status)
values ('pr-earlier', tests.get_supabase_uid('pr_c'), 10, now() - interval '1 day', 'placed');
select pg_temp.checkout_for('pr_c');
select is((commerce.checkout('[{"sku": "PR-CABLE", "quantity": 2}]', 'stripe', 'PRVIP') ->> 'discount')::int, 300,
  'a segment member gets the segment promotion');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRFIRST')$$, 'PT422', null,
  'a first-order promotion refuses a returning customer');
select is((commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}]', 'stripe', 'PRBUDGET') ->> 'discount')::int, 500,
  'a budgeted promotion gives its share');
select is((commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}]', 'stripe', 'PRBUDGET') ->> 'discount')::int, 200,
  'the amount budget caps the next order at what is left (700 - 500)');
select throws_ok($$select commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}]', 'stripe', 'PRBUDGET')$$, 'PT409', null,
  'a spent budget refuses the code');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRSHIP')$$, 'PT422', null,
  'a free-shipping code on a basket that ships nothing is refused (it would give nothing)');
insert into r values ('ship', commerce.checkout('[{"sku": "PR-THERMO", "quantity": 2}, {"sku": "PR-CABLE", "quantity": 1}]', 'stripe', 'PRSHIP'));
select is((select jsonb_build_object('shipping', answer -> 'shipping', 'shippingDiscount', answer -> 'shippingDiscount',
                                     'discount', answer -> 'discount', 'total', answer -> 'total') from r where name = 'ship'),
  '{"shipping": 500, "shippingDiscount": 500, "discount": 0, "total": 2500}'::jsonb,
  'free shipping waives the shipping of the lines that ship (2 x 2.50), and nothing of the goods');
select is((select jsonb_agg(jsonb_build_object('sku', l ->> 'sku', 'shipping', l -> 'shipping', 'waived', l -> 'shippingDiscount',
                                               'entries', (select jsonb_agg(jsonb_build_array(e ->> 'kind', e -> 'amount')) from jsonb_array_elements(l -> 'discounts') e))
                            order by l ->> 'sku')
           from jsonb_array_elements((select answer -> 'lines' from r where name = 'ship')) l),
  '[{"sku": "PR-CABLE", "shipping": 0, "waived": 0, "entries": null},
    {"sku": "PR-THERMO", "shipping": 500, "waived": 500, "entries": [["free_shipping", 500]]}]'::jsonb,
  'each line shows its shipping and the free-shipping entry with the amount it waived');

-- Automatic promotions, priority and stacking -------------------------------------------------------------
select tests.clear_authentication();
insert into marketing.promotions (name, kind, amount_off_minor, currency, automatic, stacking, priority, skus)
values ('Cable day', 'fixed_amount', 100, 'USD', true, 'combinable', 10, '{PR-CABLE}');
select pg_temp.checkout_for('pr_b');
select is((commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe') ->> 'discount')::int, 100,
  'an automatic promotion applies without a code');
select tests.clear_authentication();
select is_empty($$select * from private.marketing_price(null, tests.get_supabase_uid('pr_b'), 'NGN',
  '[{"line_number": 1, "sku": "PR-CABLE", "product_slug": "pr-cable", "category": "accessory",
     "unit_price_minor": 50000, "quantity": 1, "shipping_minor": 0}]')$$,
  'a promotion in USD gives nothing to an order in NGN');
select is((select count(*)::int from marketing.promotion_redemptions
           where promotion_id = (select id from marketing.promotions where name = 'Cable day')), 1,
  'the automatic promotion is redeemed with its order');
create temporary table batch_code as select code from marketing.coupons where batch = 'pr-batch' order by code limit 2;
grant select on batch_code to public;
select pg_temp.checkout_for('pr_b');
insert into r values ('stack', commerce.checkout('[{"sku": "PR-CABLE", "quantity": 2}]', 'stripe',
                                                 (select lower(code) from batch_code order by code limit 1)));
select is((select jsonb_agg(jsonb_build_array(d ->> 'name', d -> 'amount')) from jsonb_array_elements(
             (select answer -> 'lines' -> 0 -> 'discounts' from r where name = 'stack')) d),
  '[["Cable day", 100], ["Ten percent off", 90]]'::jsonb,
  'combinable promotions add up by priority: the automatic 1.00 first, then 10% of what is left');
select throws_ok($$select commerce.checkout('[{"sku": "PR-CABLE", "quantity": 1}]', 'stripe',
                                            (select code from batch_code order by code limit 1))$$, 'PT409', null,
  'a single-use bulk code is spent after one order');
select tests.clear_authentication();
insert into marketing.promotions (name, kind, percent_off, automatic, stacking, priority, categories)
values ('Thermostat week', 'percentage', 5, true, 'exclusive', 20, '{thermostat}');
select pg_temp.checkout_for('pr_b');
select throws_ok($$select commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}]', 'stripe',
                                            (select code from batch_code order by code desc limit 1))$$, 'PT422', null,
  'a higher-priority exclusive promotion leaves no room for a code (coupon_not_combinable)');
select is((select jsonb_agg(jsonb_build_array(d ->> 'name', d -> 'amount', d -> 'code')) from jsonb_array_elements(
             commerce.checkout('[{"sku": "PR-THERMO", "quantity": 1}]', 'stripe') -> 'lines' -> 0 -> 'discounts') d),
  '[["Thermostat week", 50, null]]'::jsonb, 'without a code the exclusive automatic promotion applies alone');
select tests.clear_authentication();

-- A customer reads only their own redemptions and code counters.
select tests.authenticate_as('pr_a');
select is((select count(*)::int from marketing.promotion_redemptions), 1, 'a customer reads their own redemption');
select is((select count(*)::int from marketing.coupon_customer_uses), 1, 'and their own code counter');
select tests.authenticate_as('pr_staff');
select cmp_ok((select count(*)::int from marketing.promotion_redemptions), '>=', 10, 'staff read every redemption');
select is((select uses from marketing.promotion_coupons((select id from p where name = 'ten')) where code = 'PRSAVE10'), 2,
  'staff list a promotion''s codes with their uses');
select tests.clear_authentication();

select * from finish();
rollback;
