-- Loyalty: earning by rule (multipliers, caps, windows, idempotency), pending points and clawback,
-- lots spent first-to-expire, redemption never below zero, tier upgrades at once with a bonus and the
-- upgrade automation, downgrades and expiry only at the nightly review; RLS.
begin;
select plan(34);

select tests.create_supabase_user('loy_a', 'loy-a@test.local');
select tests.create_supabase_user('loy_b', 'loy-b@test.local');
select tests.create_supabase_user('loy_staff', 'loy-staff@test.local', 'marketing');
create temporary table u as select tests.get_supabase_uid('loy_a') as a, tests.get_supabase_uid('loy_b') as b;
grant select on u to authenticated;
insert into marketing.rewards (slug, name, cost_points) values ('loy-small', 'Small', 300), ('loy-big', 'Big', 100000);
insert into marketing.earning_rules (code, kind, points, valid_from, valid_to)
values ('loy-old-promo', 'event', 500, now() - interval '10 days', now() - interval '1 day');

-- Earning --------------------------------------------------------------------------------------------------
select is(marketing.loyalty_earn((select a from u), 'sign-up', 'loy:a:signup') ->> 'points', '100', 'an event earns its points');
select is(marketing.loyalty_earn((select a from u), 'sign-up', 'loy:a:signup') ->> 'duplicate', 'true',
  'the same source earns once');
select is(marketing.loyalty_earn((select a from u), 'sign-up', 'loy:a:signup-again') ->> 'status', 'capped',
  'the sign-up cap (100 once) leaves nothing for a second sign-up');
select is(marketing.loyalty_earn((select a from u), 'loy-old-promo', 'loy:a:promo') ->> 'status', 'outside_window',
  'a rule outside its date window earns nothing');
select is(marketing.loyalty_earn((select a from u), 'purchase', 'loy:a:order-1', 250.90) ->> 'points', '250',
  'a purchase earns per unit of currency (GREEN x1, rounded down)');
select throws_ok($$select marketing.loyalty_earn((select a from u), 'purchase', 'loy:a:bad', -5)$$, 'PT422', null,
  'a purchase needs a positive amount');
select throws_ok($$select marketing.loyalty_earn((select a from u), 'no-such-rule', 'loy:a:x')$$, 'PT404', null,
  'an unknown rule is a PT404');

-- Pending and clawback.
select is(marketing.loyalty_earn((select a from u), 'purchase', 'loy:a:order-2', 400, now() + interval '30 days') ->> 'status',
  'pending', 'an order''s points stay pending until its refund window passes');
select is((select sum(remaining)::int from marketing.points_lots where user_id = (select a from u) and status = 'available'), 350,
  'pending points are not spendable');
select is(marketing.loyalty_clawback('loy:a:order-2'), 400, 'a refund claws the pending points back');
select is((select status from marketing.points_lots where source_key = 'loy:a:order-2'), 'clawed_back', 'the lot is marked');
select is((select points from marketing.points_ledger where kind = 'clawback' and user_id = (select a from u)), -400,
  'and the ledger records the clawback');
select is(marketing.loyalty_clawback('loy:a:order-2'), 0, 'a second refund claws back nothing');

-- Redemption -------------------------------------------------------------------------------------------
-- An older lot expiring first: it is spent first.
insert into marketing.points_lots (user_id, source_key, points, remaining, status, available_at, expires_at)
values ((select a from u), 'loy:a:old', 100, 100, 'available', now() - interval '11 months', now() + interval '20 days');
insert into marketing.points_ledger (user_id, lot_id, kind, points)
select user_id, id, 'earn', 100 from marketing.points_lots where source_key = 'loy:a:old';
select is(marketing.loyalty_redeem((select a from u), 'loy-small', 'redeem-key-1') ->> 'balance', '150',
  'redeeming 300 of 450 leaves 150');
select results_eq($$select source_key, remaining from marketing.points_lots where user_id = (select a from u) and status in ('available', 'spent') order by expires_at, id$$,
  $$values ('loy:a:old'::text, 0), ('loy:a:signup', 0), ('loy:a:order-1', 150)$$,
  'lots are spent first-to-expire');
select is(marketing.loyalty_redeem((select a from u), 'loy-small', 'redeem-key-1') ->> 'duplicate', 'true',
  'the same idempotency key redeems once');
select throws_ok($$select marketing.loyalty_redeem((select a from u), 'loy-small', 'redeem-key-2')$$, 'PT409',
  'This reward costs 300 points; the balance is 150.', 'a redemption beyond the balance is refused');
select is((select count(*)::int from marketing.redemptions where user_id = (select a from u)), 1, 'and leaves nothing behind');
select throws_ok($$select marketing.loyalty_redeem((select a from u), 'no-reward', 'redeem-key-3')$$, 'PT404', null,
  'an unknown reward is a PT404');
select throws_ok($$update marketing.points_ledger set points = 1000000$$, 'PT409', 'The points ledger is append-only.',
  'the ledger is append-only');

-- Tiers ------------------------------------------------------------------------------------------------
select marketing.loyalty_earn((select b from u), 'purchase', 'loy:b:order-1', 1200);
select is((select tier from marketing.loyalty_accounts where user_id = (select b from u)), 'SILVER',
  'crossing 1000 points in 12 months upgrades at once');
select is((select points from marketing.points_ledger where user_id = (select b from u) and kind = 'bonus'), 100,
  'with the tier''s upgrade bonus');
select is(marketing.loyalty_earn((select b from u), 'purchase', 'loy:b:order-2', 100) ->> 'points', '125',
  'SILVER earns with its 1.25 multiplier');
select marketing.subscribe('loy-b@test.local', 'newsletter', null, 'form', null, null, (select b from u));
select marketing.loyalty_earn((select b from u), 'purchase', 'loy:b:order-3', 3000);
select is((select tier from marketing.loyalty_accounts where user_id = (select b from u)), 'GOLD', 'and on to GOLD');
select is((select count(*)::int from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
           join marketing.subscribers s on s.id = r.subscriber_id where a.slug = 'tier-upgrade' and s.user_id = (select b from u)),
  1, 'an upgrade starts the tier-upgrade e-mail automation');

-- Age b's earnings past 12 months: only the nightly review downgrades.
update marketing.points_lots set available_at = now() - interval '13 months', created_at = now() - interval '13 months'
where user_id = (select b from u);
select marketing.loyalty_evaluate_tiers(array[(select b from u)], false);
select is((select tier from marketing.loyalty_accounts where user_id = (select b from u)), 'GOLD', 'an earn-time review never downgrades');
select cmp_ok(marketing.loyalty_review(), '>', 0::bigint, 'the nightly review runs');
select is((select tier from marketing.loyalty_accounts where user_id = (select b from u)), 'GREEN', 'the nightly review downgrades');

-- Expiry.
update marketing.points_lots set expires_at = now() - interval '1 second' where source_key = 'loy:a:order-1';
select marketing.loyalty_review();
select results_eq($$select status, remaining from marketing.points_lots where source_key = 'loy:a:order-1'$$,
  $$values ('expired'::text, 0)$$, 'expired lots are emptied');
select is((select l.points from marketing.points_ledger l join marketing.points_lots p on p.id = l.lot_id
           where p.source_key = 'loy:a:order-1' and l.kind = 'expire'), -150, 'and the expiry is in the ledger');

-- RLS --------------------------------------------------------------------------------------------------
select tests.authenticate_as('loy_a');
select is((select count(distinct user_id)::int from marketing.points_ledger), 1, 'a customer reads only their own ledger');
select is((marketing.loyalty_me() ->> 'balance')::int, 0, 'loyalty_me answers for the caller');
select throws_ok($$select marketing.loyalty_redeem((select a from u), 'loy-small', 'self-service')$$, '42501',
  'permission denied for function loyalty_redeem',
  'customers cannot call the redemption RPC directly (the loyalty function does, for the verified caller)');
select tests.authenticate_as('loy_staff');
select is((select count(distinct user_id)::int from marketing.points_ledger where user_id in ((select a from u), (select b from u))), 2,
  'marketing staff read every ledger');
select tests.clear_authentication();

select * from finish();
rollback;
