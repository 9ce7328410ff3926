-- Marketing's order side: partial refunds claw back their share once, spent points become points owed
-- (never a negative balance) and are repaid from the next points; the refund window releases pending
-- points and upgrades tiers; the product pairs and their RPC; RLS of order settings, baskets and pairs,
-- allowed and denied.
begin;
select plan(34);

select tests.create_supabase_user('of_buyer', 'of-buyer@test.local');
select tests.create_supabase_user('of_other', 'of-other@test.local');
select tests.create_supabase_user('of_staff', 'of-staff@test.local', 'marketing');
select tests.create_supabase_user('of_analyst', 'of-analyst@test.local', 'analyst');
create temporary table u as select tests.get_supabase_uid('of_buyer') as buyer, tests.get_supabase_uid('of_other') as other;
grant select on u to authenticated;

-- Partial refunds and points owed -------------------------------------------------------------------
select is(marketing.loyalty_earn((select buyer from u), 'purchase', 'order:of-1', 200) ->> 'points', '200',
  'an order earns 200 points');
select is(marketing.loyalty_clawback('order:of-1', 0.25), 50, 'a quarter refunded claws back a quarter');
select is(marketing.loyalty_clawback('order:of-1', 0.25), 0, 'the same share again claws back nothing');
select is(marketing.loyalty_clawback('order:of-1', 0.5), 50, 'a larger share later only the difference');
select results_eq($$select remaining, clawed_points, status from marketing.points_lots where source_key = 'order:of-1'$$,
  $$values (100, 100, 'available'::text)$$, 'the lot keeps what was not refunded');
insert into marketing.rewards (slug, name, cost_points) values ('of-reward', 'Reward', 150);
select marketing.loyalty_earn((select buyer from u), 'sign-up', 'of:signup');
select is(marketing.loyalty_redeem((select buyer from u), 'of-reward', 'of-redeem-1') ->> 'balance', '50',
  'the customer spends 150 of their 200');
select is(marketing.loyalty_clawback('order:of-1', 1), 100, 'a full refund claws back the remaining 100 points');
select is((select coalesce(sum(remaining), 0)::int from marketing.points_lots
           where user_id = (select buyer from u) and status = 'available'), 0, 'the balance reaches zero, not below');
select is((select points_owed from marketing.loyalty_accounts where user_id = (select buyer from u)), 50,
  'the 50 already spent are owed');
select is((select status from marketing.points_lots where source_key = 'order:of-1'), 'clawed_back', 'the lot is clawed back');
select ok((select bool_and(remaining >= 0) from marketing.points_lots where user_id = (select buyer from u)),
  'no lot is negative');
select is(marketing.loyalty_earn((select buyer from u), 'review', 'of:review-1') ->> 'points', '50',
  'a later earning ...');
select is((select points_owed from marketing.loyalty_accounts where user_id = (select buyer from u)), 0,
  '... repays what is owed first');
select is((select coalesce(sum(remaining), 0)::int from marketing.points_lots
           where user_id = (select buyer from u) and status = 'available'), 0, 'so nothing is spendable yet');
select is((select sum(points)::int from marketing.points_ledger where user_id = (select buyer from u)),
  (select sum(remaining)::int from marketing.points_lots where user_id = (select buyer from u)),
  'the ledger sums to what remains');
select is(marketing.loyalty_clawback('order:none', 1), 0, 'an unknown source claws back nothing');

-- Release after the refund window --------------------------------------------------------------------
select marketing.loyalty_earn((select other from u), 'purchase', 'order:of-2', 1200, now() + interval '30 days');
select is((select tier from marketing.loyalty_accounts where user_id = (select other from u)), 'GREEN',
  'pending points do not count toward a tier');
update marketing.loyalty_accounts set points_owed = 30 where user_id = (select other from u);
update marketing.points_lots set available_at = now() - interval '1 second' where source_key = 'order:of-2';
select ok(marketing.loyalty_release_due() >= 1, 'the refund window passed: the lot is released');
select is((select tier from marketing.loyalty_accounts where user_id = (select other from u)), 'SILVER',
  'and the tier is re-evaluated at once (upgrade)');
select is((select points_owed from marketing.loyalty_accounts where user_id = (select other from u)), 0,
  'released points repay what was owed');
select is((select sum(remaining)::int from marketing.points_lots where user_id = (select other from u) and status = 'available'),
  1270, '1200 released - 30 owed + the 100 SILVER bonus');

-- Recommendations --------------------------------------------------------------------------------------
create temporary table p as select gen_random_uuid() as a, gen_random_uuid() as b, gen_random_uuid() as c;
grant select on p to authenticated, anon;
select marketing.record_orders((select jsonb_agg(jsonb_build_object('orderId', 'of-pair-' || i, 'userId', (select other from u),
  'total', 10, 'placedAt', now(), 'status', case when i = 4 then 'canceled' else 'placed' end)) from generate_series(1, 4) i));
insert into marketing.order_baskets (order_id, product_id, quantity)
select 'of-pair-' || i, x, 1 from generate_series(1, 4) i cross join p
cross join lateral (values (p.a), (case when i <= 3 then p.b end), (case when i in (1, 4) then p.c end)) v(x)
where x is not null;
update marketing.order_settings set min_pair_orders = 2;
select ok(marketing.refresh_product_pairs() >= 2, 'pairs are computed');
select results_eq($$select related_product_id, orders_together, confidence::float8 from marketing.frequently_bought_together((select a from p), 5)$$,
  $$values ((select b from p), 3, 1.0::float8)$$,
  'a and b are bought together in 3 of 3 placed orders; a and c only once (below the minimum; the canceled order does not count)');
select throws_ok($$select * from marketing.frequently_bought_together((select a from p), 0)$$, 'PT422', null,
  'max_rows is checked');

-- RLS --------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select isnt_empty($$select * from marketing.frequently_bought_together((select a from p), 5)$$, 'anon reads pairs (aggregates)');
select throws_ok($$select * from marketing.order_baskets$$, '42501', null, 'anon reads no baskets');
select throws_ok($$select * from marketing.order_settings$$, '42501', null, 'nor settings');
select tests.authenticate_as('of_buyer');
select is_empty($$select * from marketing.order_baskets$$, 'a customer reads no baskets');
select is_empty($$select * from marketing.order_settings$$, 'nor settings');
select is_empty($$update marketing.order_settings set refund_window = '1 day' returning 1$$, 'and changes none');
select throws_ok($$insert into marketing.product_pairs (product_id, related_product_id, orders_together, support, confidence, lift)
  values (gen_random_uuid(), gen_random_uuid(), 1, 1, 1, 1)$$, '42501', null, 'nobody writes pairs');
select tests.authenticate_as('of_analyst');
select isnt_empty($$select * from marketing.order_baskets where order_id like 'of-pair-%'$$, 'analysts read baskets');
select is_empty($$update marketing.order_settings set refund_window = '1 day' returning 1$$, 'but change no settings');
select tests.authenticate_as('of_staff');
select results_eq($$update marketing.order_settings set refund_window = '14 days' returning refund_window$$,
  $$values ('14 days'::interval)$$, 'marketing staff change the refund window');
select tests.clear_authentication();

select * from finish();
rollback;
