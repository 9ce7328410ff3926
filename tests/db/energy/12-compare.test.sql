-- energy.compare_plans: ranking by annual cost, bill arithmetic, filters, side-by-side, every bad input
-- refused with a PostgREST status, comparisons logged; RLS on the comparison log.
begin;
select plan(29);

select is(energy.energy_charge(500, 0.2, 0.1, 0.15), 100.0::numeric, 'at 500 kWh the bill is 500 × kwh500');
select is(energy.energy_charge(750, 0.2, 0.1, 0.15), 100.0::numeric, 'between points the bill is interpolated');
select is(energy.energy_charge(1500, 0.2, 0.1, 0.15), 200.0::numeric, 'between 1000 and 2000 too');
select is(energy.energy_charge(3000, 0.2, 0.1, 0.15), 500.0::numeric, 'above 2000 the 1000→2000 marginal rate continues');

select count(*) as comparisons_before from energy.plan_comparisons \gset
select tests.authenticate_as_anon();
select energy.compare_plans(array[1000], '77002') as houston \gset
select is(jsonb_array_length((:'houston'::jsonb) -> 'plans'), 20, 'anon gets the top 20 plans for a Houston ZIP');
select is(((:'houston'::jsonb) ->> 'resultCount')::int, 64, 'of the 64 English CenterPoint plans');
select ok((select bool_and(p ->> 'tdsp' = 'centerpoint') from jsonb_array_elements((:'houston'::jsonb) -> 'plans') p),
  'only plans of the ZIP''s TDSP');
select ok((select bool_and((a ->> 'annualCost')::numeric <= (b ->> 'annualCost')::numeric)
           from jsonb_array_elements((:'houston'::jsonb) -> 'plans') with ordinality x(a, i)
           join jsonb_array_elements((:'houston'::jsonb) -> 'plans') with ordinality y(b, j) on j = i + 1),
  'ranked by estimated annual cost');
select is((select ((p ->> 'annualCost')::numeric) from jsonb_array_elements((:'houston'::jsonb) -> 'plans') p limit 1),
  (select round(12 * (1000 * pl.price_1000 + 4.90 + 1000 * 0.059198), 2) from energy.plans pl
   where pl.id = (((:'houston'::jsonb) -> 'plans' -> 0 ->> 'id')::bigint)),
  'annual cost = 12 × (1000 kWh × kwh1000 + CenterPoint delivery)');
select is(((:'houston'::jsonb) -> 'plans' -> 0 -> 'reasons' ->> 0), 'Lowest estimated annual cost for your usage',
  'the first plan says why it ranks first');
select is(jsonb_array_length((:'houston'::jsonb) -> 'plans' -> 0 -> 'monthlyBills'), 12, 'twelve monthly estimates');

select is((select result_count from energy.rank_plans(array[2]::smallint[], array_fill(1000, array[12]), null, '{}', 'English', 3)),
  64, 'the ranking alone counts every matching plan');
select is(energy.plan_reasons(p, 2, 1000.00, 990.004, 16.66) ->> 0, '$10.00 more per year than the cheapest',
  'a plan below the top says how much more it costs')
from energy.plans p where not p.fixed limit 1;
select is(energy.plan_reasons(p, 2, 1000.00, 990.004, 16.66) -> 2, '"Variable rate: the price can change from month to month"',
  'and warns of a variable rate')
from energy.plans p where not p.fixed and not p.has_bill_credit limit 1;
select ok((select bool_and((p ->> 'renewablePct')::int = 100 and (p ->> 'fixed')::boolean)
           from jsonb_array_elements(energy.compare_plans(array[1200], '75201', filters => '{"renewableMin": 100, "fixed": true}') -> 'plans') p),
  'filters narrow the ranking');
select is(jsonb_array_length(energy.compare_plans(array[900,800,700,800,1100,1500,1900,2000,1400,1000,800,900], null,
            (select id from energy.cities where name = 'Abilene')) -> 'plans') > 0, true, 'a city and 12 monthly values work');

select is((select jsonb_array_length(energy.compare_plans(array[1000], '77002', plan_ids => array_agg(id)) -> 'plans')
           from (select id from energy.plans where tdsp_id = 2 and active order by id limit 3) x), 3,
  'side by side returns exactly the chosen plans');
select throws_ok($$select energy.compare_plans(array[1000], '77002', plan_ids => array[(select min(id) from energy.plans where tdsp_id = 1), (select min(id) from energy.plans where tdsp_id = 2)])$$,
  'PT422', null, 'a plan not sold at the ZIP is refused');
select throws_ok($$select energy.compare_plans(array[1000], '90210')$$, 'PT422', 'ZIP 90210 is outside Texas; only Texas''s deregulated market is covered.',
  'a ZIP outside Texas is refused');
select throws_ok($$select energy.compare_plans(array[1000], '75999')$$, 'PT404', 'ZIP 75999 is not a known Texas ZIP code.',
  'an unknown ZIP is refused');
select throws_ok($$select energy.compare_plans(array[0], '77002')$$, 'PT422', null, 'usage of 0 kWh is refused');
select throws_ok($$select energy.compare_plans(array[500000], '77002')$$, 'PT422', null, 'absurd usage is refused');
select throws_ok($$select energy.compare_plans(array[1000], (select min(zip) from energy.zips z join energy.cities c on c.id = z.city_id where c.name = 'Austin'))$$,
  'PT422', null, 'a municipal-utility ZIP is refused as not open to retail choice');

select tests.clear_authentication();
select is((select count(*)::int - :comparisons_before from energy.plan_comparisons), 4,
  'each accepted comparison is logged (ranking, filters, city, side by side); refused ones are not');
select is((select format('%s %s %s', zip, usage_kwh, coalesce(cardinality(plan_ids), 0)) from energy.plan_comparisons
           where id = ((:'houston'::jsonb) ->> 'comparisonId')::uuid), '77002 1000 0',
  'the log row is the comparison the caller got back');

select tests.create_supabase_user('cmp_customer');
select tests.create_supabase_user('cmp_analyst', null, 'analyst');
select tests.authenticate_as('cmp_customer');
select is_empty($$select 1 from energy.plan_comparisons$$, 'a customer cannot read the comparison log');
select throws_ok($$insert into energy.plan_comparisons (user_id, usage_kwh, monthly_usage_kwh, result_count)
                   values (tests.get_supabase_uid('cmp_analyst'), 1000, array[1000], 0)$$,
  '42501', 'new row violates row-level security policy for table "plan_comparisons"',
  'nobody can log a comparison in someone else''s name');
with added as (insert into energy.plan_comparisons (user_id, usage_kwh, monthly_usage_kwh, result_count)
               values (auth.uid(), 1000, array[1000], 0) returning 1) select count(*) as changed from added \gset
select is(:changed::int, 1, 'a caller logs a comparison as themselves');
select tests.authenticate_as('cmp_analyst');
select is((select count(*)::int - :comparisons_before from energy.plan_comparisons), 5, 'an analyst reads the whole comparison log');

select * from finish();
rollback;
