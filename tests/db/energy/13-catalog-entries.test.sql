-- What energy publishes for search (energy.catalog_entries, energy.feature_plan_counts): one entry per
-- city, ZIP, active provider and active English plan with the payload search items carry, feature
-- counts over the active English plans, and who may call them (the service only).
begin;
select plan(12);

select results_eq($$select entry_type, count(*)::int from energy.catalog_entries() group by entry_type order by entry_type$$,
  $$values ('city'::text, 1468), ('plan', 320), ('provider', 24), ('zip', 2599)$$,
  'one entry per city, active English plan, active provider and ZIP');
select is((select count(*)::int from (select entry_type, ref_id from energy.catalog_entries() group by 1, 2 having count(*) > 1) d),
  0, 'each entry is listed once');
select is((select payload from energy.catalog_entries() where entry_type = 'city' and label = 'Houston'),
  (select jsonb_build_object('cityId', c.id, 'slug', 'houston-tx', 'county', 'Harris', 'tdsp', 'centerpoint',
                             'tdspName', 'CENTERPOINT ENERGY HOUSTON ELECTRIC LLC', 'deregulated', true,
                             'marketStatus', 'choice', 'utility', null, 'population', c.population)
   from energy.cities c where c.name = 'Houston'),
  'a city entry carries its TDSP and market status');
select is((select subtitle from energy.catalog_entries() where entry_type = 'city' and label = 'Austin'),
  'Travis County · not open to retail choice', 'a city without retail choice says so');
select is((select payload -> 'tdsps' from energy.catalog_entries() where entry_type = 'zip' and ref_id = '75022'),
  '["oncor", "tnmp"]'::jsonb, 'a ZIP entry lists its TDSPs, primary first');
select is((select (payload ->> 'planCount')::int from energy.catalog_entries() where entry_type = 'provider' and label = 'TXU Energy'),
  (select count(*)::int from energy.plans p join energy.providers pr on pr.id = p.provider_id
   where pr.name = 'TXU Energy' and p.active and p.language = 'English'),
  'a provider entry counts its active English plans');

-- Retired plans and providers leave the catalog.
update energy.plans set active = false where id = (select min(id) from energy.plans where active and language = 'English');
select is((select count(*)::int from energy.catalog_entries() where entry_type = 'plan'), 319, 'a retired plan is no entry');
update energy.providers set active = false where name = 'TXU Energy';
select is((select count(*)::int from energy.catalog_entries() where entry_type = 'provider'), 23, 'nor is an inactive provider');

select is((select plan_count from energy.feature_plan_counts() where feature = 'green_energy'),
  (select count(*)::int from energy.plans where active and language = 'English' and 'green_energy' = any (features)),
  'feature counts cover the active English plans');

select tests.authenticate_as_anon();
select throws_ok($$select * from energy.catalog_entries()$$, '42501', null, 'anon cannot call the search contract');
select tests.create_supabase_user('catalog_admin', null, 'admin');
select tests.authenticate_as('catalog_admin');
select throws_ok($$select * from energy.feature_plan_counts()$$, '42501', null, 'nor can a signed-in user, even an admin');
select tests.authenticate_as_service_role();
select is((select count(*)::int from energy.feature_plan_counts() where feature = 'fixed_rate'),
  1, 'the service can');

select * from finish();
rollback;
