-- Plan import (upsert on idKey, providers from RepCompany, retirement of missing plans with history
-- kept, bill credits from the price curve, rejected rows reported) and the catalog's RLS.
begin;
select plan(34);

select results_eq($$select tdsp_id, count(*)::int from energy.plans where active and language = 'English'
                    group by tdsp_id order by tdsp_id$$,
  $$values (1::smallint, 64), (2::smallint, 64), (3::smallint, 64), (4::smallint, 64), (5::smallint, 64)$$,
  'the demo export ships 320 English plans, 64 in each of the five TDSPs');
select is((select count(*)::int from energy.plans where language = 'Spanish'), 55, 'and its 55 Spanish rows');
select ok(energy.detect_bill_credit(0.20, 0.11, 0.13), 'a V-shaped price curve is a bill credit');
select ok(not energy.detect_bill_credit(0.15, 0.14, 0.135), 'a falling curve (base charge) is not');
select ok(exists (select 1 from energy.plans where has_bill_credit and not min_usage_fees_credits),
  'bill credits are detected even where MinUsageFeesCredits says otherwise');

-- A small export for one TDSP (TNMP): one new plan, one changed price, one unknown TDSP, one duplicate.
create temporary table tnmp_before as select id, ptc_id_key from energy.plans where tdsp_id = 5 and active;
select private.import_plans('upload', jsonb_build_array(
  jsonb_build_object('line', 2, 'id_key', 990001, 'tdu', 'Texas-New Mexico Power Company', 'rep', 'Brand New Power Co',
    'product', 'Brand New Saver 12', 'kwh500', 0.16, 'kwh1000', 0.14, 'kwh2000', 0.13, 'fixed', true, 'renewable', 100,
    'term', 12, 'language', 'English', 'cancel_fee_amount', 0),
  jsonb_build_object('line', 3, 'id_key', (select min(ptc_id_key) from tnmp_before), 'tdu', 'TEXAS-NEW MEXICO POWER COMPANY',
    'rep', 'TXU ENERGY', 'product', 'Repriced Plan', 'kwh500', 0.19, 'kwh1000', 0.12, 'kwh2000', 0.135, 'fixed', true,
    'term', 12, 'language', 'English'),
  jsonb_build_object('line', 4, 'id_key', 990002, 'tdu', 'EL PASO ELECTRIC', 'rep', 'X', 'product', 'Y',
    'kwh500', 0.1, 'kwh1000', 0.1, 'kwh2000', 0.1, 'language', 'English'),
  jsonb_build_object('line', 5, 'id_key', 990003, 'tdu', 'TNMP', 'rep', 'X', 'product', 'A', 'kwh500', 0.1, 'kwh1000', 0.1,
    'kwh2000', 0.1, 'language', 'English'),
  jsonb_build_object('line', 6, 'id_key', 990003, 'tdu', 'TNMP', 'rep', 'X', 'product', 'B', 'kwh500', 0.1, 'kwh1000', 0.1,
    'kwh2000', 0.1, 'language', 'English')),
  '[{"line": 7, "idKey": "abc", "reason": "idKey is \"abc\", not a whole number"}]'::jsonb) as summary \gset
select is((:'summary'::jsonb) ->> 'status', 'partial', 'an import with rejected rows is partial');
select is(((:'summary'::jsonb) ->> 'rowsAccepted')::int, 2, 'good rows land');
select results_eq($$select line, reason from energy.plan_import_rejections
                    where import_id = (select max(id) from energy.plan_imports) order by line$$,
  $$values (4, 'unknown TDSP "EL PASO ELECTRIC"'), (5, 'idKey 990003 appears 2 times in this export'),
           (6, 'idKey 990003 appears 2 times in this export'), (7, 'idKey is "abc", not a whole number')$$,
  'every rejected row is reported with its line and reason');
select is((select name from energy.providers where name_key = 'BRAND NEW POWER CO'), 'Brand New Power Co',
  'providers are derived from RepCompany');
select is((select count(*)::int from energy.providers where name_key = 'TXU ENERGY'), 1,
  'RepCompany spellings that differ only in case are one provider');
select is((select name from energy.plans where ptc_id_key = (select min(ptc_id_key) from tnmp_before)), 'Repriced Plan',
  'an existing idKey is updated in place');
select is((select count(*)::int from energy.plan_prices where plan_id = (select id from energy.plans
            where ptc_id_key = (select min(ptc_id_key) from tnmp_before))), 2, 'its old price stays in plan_prices');
select ok((select has_bill_credit from energy.plans where ptc_id_key = (select min(ptc_id_key) from tnmp_before)),
  'the new V-shaped curve marks it as a bill credit plan');
select is((select count(*)::int from energy.plans p join tnmp_before b on b.id = p.id where p.active), 1,
  'TNMP plans missing from the newer export are inactive');
select ok((select bool_and(deactivated_at is not null) from energy.plans p join tnmp_before b on b.id = p.id
           where not p.active), 'with the time they were retired');
select is((select count(*)::int from energy.plans where tdsp_id = 1 and active and language = 'English'), 64,
  'other TDSPs are untouched');
-- Retire every plan of one provider: the provider leaves the public catalog with them.
update energy.plans set active = false where provider_id = (select id from energy.providers where name_key = 'BRAND NEW POWER CO');
select private.import_plans('upload', jsonb_build_array(jsonb_build_object('line', 2, 'id_key', 990009,
  'tdu', 'TNMP', 'rep', 'TXU Energy', 'product', 'Only Plan', 'kwh500', 0.16, 'kwh1000', 0.14, 'kwh2000', 0.13,
  'language', 'English')));
select is((select active from energy.providers where name_key = 'BRAND NEW POWER CO'), false,
  'a provider without active plans becomes inactive');
update energy.plans set active = true where ptc_id_key = 990001;
select ok((select 'green_energy' = any (features) and 'no_cancel_fee' = any (features) from energy.plans where ptc_id_key = 990001),
  'plan features are derived');

select is((private.record_failed_import('upload', 'rejected', 'missing column [idKey]') ->> 'status'), 'rejected',
  'a refused file is recorded with its report');

-- RLS -------------------------------------------------------------------------------------------------
select tests.create_supabase_user('plans_customer');
select tests.create_supabase_user('plans_analyst', null, 'analyst');
select tests.authenticate_as_anon();
select is_empty($$select 1 from energy.plans where not active$$, 'anon sees active plans only');
select throws_ok($$update energy.plans set price_1000 = 0.01$$, '42501', null, 'anon cannot change plans');
select tests.authenticate_as('plans_customer');
select is_empty($$select 1 from energy.plan_imports$$, 'a customer cannot read import reports');
select throws_ok($$insert into energy.providers (name, name_key, slug) values ('Evil', 'EVIL', 'evil')$$, '42501',
  'new row violates row-level security policy for table "providers"', 'a customer cannot add a provider');
select is_empty($$select 1 from energy.feed_sources$$, 'a customer cannot see feed configuration');
select tests.authenticate_as('plans_analyst');
select is((select count(*)::int from energy.plan_import_rejections), 4, 'an analyst reads the whole rejection report');
select is((select count(*)::int from energy.plan_imports), 4,
  'and the import history (the seed''s, the two above and the refused file)');
with changed as (update energy.plans set price_1000 = 0.01 where ptc_id_key = 990001 returning 1)
select count(*) as changed from changed \gset
select is(:changed::int, 0, 'an analyst''s plan update changes no row');
select tests.clear_authentication();
select is((select price_1000 from energy.plans where ptc_id_key = 990001), 0.1400::numeric, 'the price is as it was');
select tests.create_supabase_user('plans_admin', null, 'admin');
select tests.authenticate_as('plans_admin');
select ok(exists (select 1 from energy.plans where not active), 'an admin sees inactive plans');
with changed as (update energy.plans set price_1000 = 0.1399 where ptc_id_key = 990001 returning 1)
select count(*) as changed from changed \gset
select is(:changed::int, 1, 'an admin edits a plan');
select is((select price_1000 from energy.plans where ptc_id_key = 990001), 0.1399::numeric, 'the admin''s edit landed');
with changed as (update energy.feed_sources set enabled = true returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 1, 'an admin manages feed sources');
select tests.authenticate_as('plans_customer');
with changed as (update energy.feed_sources set enabled = false returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 0, 'a customer cannot switch a feed off');
select tests.authenticate_as_anon();
select is((select count(*)::int from energy.city_market_stats), 1035, 'anon reads the market statistics of every open city');

select * from finish();
rollback;
