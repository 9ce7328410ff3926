-- Price alerts on energy plans: a customer manages only their own alerts; an armed alert at or under its
-- target fires once (the price-alert automation), stays quiet while the price stays low, and re-arms when
-- the price rises above the target again.
begin;
select plan(12);

select tests.create_supabase_user('alert_a', 'alert-a@test.local');
select tests.create_supabase_user('alert_b', 'alert-b@test.local');
create temporary table best as
select ((energy.compare_plans(array[1000], '77002', max_results => 1) -> 'plans' -> 0) ->> 'averageMonthlyBill')::numeric as price;
grant select on best to authenticated;

select tests.authenticate_as('alert_a');
select results_eq($$insert into marketing.price_alerts (zip, usage_kwh, target_monthly)
                    values ('77002', 1000, (select price from best) + 1) returning user_id$$,
  $$values (tests.get_supabase_uid('alert_a'))$$, 'a customer adds an alert for themselves');
select throws_ok($$insert into marketing.price_alerts (user_id, zip, usage_kwh, target_monthly)
                   values (tests.get_supabase_uid('alert_b'), '77002', 1000, 100)$$, '42501', null,
  'and cannot add one for someone else');
select throws_ok($$update marketing.price_alerts set armed = false$$, '42501', null, 'nor disarm it by hand');
select tests.authenticate_as('alert_b');
select is_empty($$select * from marketing.price_alerts$$, 'another customer sees none of it');
select is_empty($$delete from marketing.price_alerts returning 1$$, 'nor removes it');
select tests.authenticate_as_anon();
select throws_ok($$select * from marketing.price_alerts$$, '42501', null, 'anon reads no alerts');
select tests.clear_authentication();

create temporary view my_alert as
select a.* from marketing.price_alerts a where a.user_id = tests.get_supabase_uid('alert_a');
create temporary view alert_runs as
select r.* from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
join marketing.subscribers s on s.id = r.subscriber_id
where a.slug = 'price-alert' and s.user_id = tests.get_supabase_uid('alert_a');

select cmp_ok(marketing.check_price_alerts(), '>=', 1::bigint, 'the check prices the alerts');
select results_eq($$select armed, last_price = (select price from best), notified_at is not null from my_alert$$,
  $$values (false, true, true)$$, 'a price at or under the target fires and disarms the alert');
select is((select count(*)::int from alert_runs), 1, 'the customer is e-mailed (one price-alert run)');
select marketing.check_price_alerts();
select is((select count(*)::int from alert_runs), 1, 'while the price stays low nothing more is sent');
update marketing.price_alerts set target_monthly = (select price from best) - 1 where user_id = tests.get_supabase_uid('alert_a');
select marketing.check_price_alerts();
select is((select armed from my_alert), true, 'a price above the target re-arms the alert');
update marketing.price_alerts set target_monthly = (select price from best) where user_id = tests.get_supabase_uid('alert_a');
select marketing.check_price_alerts();
select is((select count(*)::int from alert_runs), 2, 'and the next drop to the target e-mails again');

select * from finish();
rollback;
