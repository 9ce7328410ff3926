-- Energy module, part 1: Texas geography. The five TDSPs (as PowerToChoose spells them) with their
-- delivery charges as dated data, the documented county → TDSP table, cities and ZIP codes, and the
-- ZIP → TDSP mapping (a ZIP may be served by several TDSPs). TDSPs and charges are loaded here; the
-- cities, ZIPs and territories by the generated 20261122001010_energy-geography-data.sql. All of it
-- is reference data every deploy needs, not seed data.

create extension if not exists fuzzystrmatch with schema extensions;
create schema if not exists energy;
comment on schema energy is 'Texas electricity marketplace: geography, TDSPs, retail plans, comparisons, market statistics.';
grant usage on schema energy to anon, authenticated, service_role;

-- TDSPs --------------------------------------------------------------------------------------------
create table energy.tdsps (
  id smallint primary key,
  code text not null unique check (code ~ '^[a-z_]+$'),
  name text not null unique,
  short_name text not null,
  -- Normalized spellings seen in PowerToChoose exports over time ("... COMPANY", "... LLC").
  aliases text[] not null default '{}',
  active boolean not null default true
);
comment on table energy.tdsps is 'Transmission and distribution service providers of the ERCOT retail-choice area.';
comment on column energy.tdsps.id is 'Stable TDSP number (1 Oncor, 2 CenterPoint, 3 AEP Central, 4 AEP North, 5 TNMP).';
comment on column energy.tdsps.code is 'Machine code used by the API and filters (oncor, centerpoint, aep_central, aep_north, tnmp).';
comment on column energy.tdsps.name is 'Name as PowerToChoose exports spell it in TduCompanyName.';
comment on column energy.tdsps.short_name is 'Name shown to customers (Oncor, CenterPoint, ...).';
comment on column energy.tdsps.aliases is 'Other normalized spellings of the name that imports accept.';
comment on column energy.tdsps.active is 'False hides the TDSP from the public catalog (admins still see it).';

create table energy.tdsp_charges (
  tdsp_id smallint not null references energy.tdsps (id),
  effective_on date not null,
  monthly_charge numeric(8, 2) not null check (monthly_charge >= 0),
  -- Dollars per kWh (PUCT tariffs publish them in cents; 0.055983 = 5.5983 ¢/kWh).
  per_kwh_charge numeric(9, 6) not null check (per_kwh_charge >= 0 and per_kwh_charge < 1),
  source text not null default 'PUCT tariff',
  primary key (tdsp_id, effective_on)
);
comment on table energy.tdsp_charges is
  'Delivery charges a TDSP bills through the REP, by effective date (they change each March and September).';
comment on column energy.tdsp_charges.tdsp_id is 'The TDSP billing these charges.';
comment on column energy.tdsp_charges.effective_on is 'First day the charges apply; they hold until the next row''s date.';
comment on column energy.tdsp_charges.monthly_charge is 'Fixed delivery charge per month in dollars (customer + metering).';
comment on column energy.tdsp_charges.per_kwh_charge is 'Delivery charge in dollars per kWh (distribution, transmission, riders).';
comment on column energy.tdsp_charges.source is 'Where the figures come from (the PUCT-approved tariff).';

-- Normalizes a TDSP spelling: upper case, punctuation to spaces, corporate suffixes dropped.
create or replace function private.energy_normalize_tdsp_name(raw text) returns text
language sql immutable set search_path = '' as $$
  select btrim(regexp_replace(
    regexp_replace(upper(coalesce(raw, '')), '[^A-Z0-9]+', ' ', 'g'),
    '(\s+(COMPANY|CO|LLC|INC|CORP|CORPORATION|LP))+\s*$', ''))
$$;

-- The TDSP for a PowerToChoose TduCompanyName: exact normalized name or alias first, then keywords.
create or replace function private.energy_tdsp_id_for_name(raw text) returns smallint
language sql stable set search_path = '' as $$
  with normalized as (select private.energy_normalize_tdsp_name(raw) as n)
  select coalesce(
    (select t.id from energy.tdsps t, normalized
      where private.energy_normalize_tdsp_name(t.name) = normalized.n or normalized.n = any (t.aliases) limit 1),
    (select t.id from energy.tdsps t, normalized where t.code = case
        when normalized.n like '%ONCOR%' then 'oncor'
        when normalized.n like '%CENTERPOINT%' or normalized.n like '%CENTER POINT%' then 'centerpoint'
        when normalized.n like '%AEP%CENTRAL%' or normalized.n like '%CENTRAL POWER%LIGHT%' then 'aep_central'
        when normalized.n like '%AEP%NORTH%' or normalized.n like '%WEST TEXAS UTILITIES%' then 'aep_north'
        when normalized.n like '%TEXAS NEW MEXICO%' or normalized.n like '%TNMP%' then 'tnmp'
      end)
  )
$$;
grant execute on function private.energy_normalize_tdsp_name(text), private.energy_tdsp_id_for_name(text) to service_role;
comment on function private.energy_normalize_tdsp_name(text) is
  'A TDSP spelling folded for matching: upper case, punctuation to spaces, corporate suffixes dropped.';
comment on function private.energy_tdsp_id_for_name(text) is
  'The energy.tdsps id a PowerToChoose TduCompanyName means (exact name or alias, then keywords); null if none.';

insert into energy.tdsps (id, code, name, short_name, aliases) values
  (1, 'oncor', 'ONCOR ELECTRIC DELIVERY COMPANY', 'Oncor', array['ONCOR ELECTRIC DELIVERY', 'ONCOR']),
  (2, 'centerpoint', 'CENTERPOINT ENERGY HOUSTON ELECTRIC LLC', 'CenterPoint',
     array['CENTERPOINT ENERGY HOUSTON ELECTRIC', 'CENTERPOINT ENERGY', 'CENTERPOINT']),
  (3, 'aep_central', 'AEP TEXAS CENTRAL', 'AEP Texas Central', array['AEP TEXAS CENTRAL', 'AEP TEXAS CENTRAL DIVISION']),
  (4, 'aep_north', 'AEP TEXAS NORTH', 'AEP Texas North', array['AEP TEXAS NORTH', 'AEP TEXAS NORTH DIVISION']),
  (5, 'tnmp', 'TEXAS-NEW MEXICO POWER COMPANY', 'TNMP', array['TEXAS NEW MEXICO POWER', 'TNMP']);

-- Residential delivery charges (customer + metering as the monthly charge; distribution, transmission
-- and riders as the per-kWh charge), rounded from the PUCT-approved tariffs.
insert into energy.tdsp_charges (tdsp_id, effective_on, monthly_charge, per_kwh_charge) values
  (1, date '2025-03-01', 4.23, 0.055640), (1, date '2025-09-01', 4.23, 0.056189),
  (2, date '2025-03-01', 4.90, 0.054773), (2, date '2025-09-01', 4.90, 0.059198),
  (3, date '2025-03-01', 4.79, 0.061225), (3, date '2025-09-01', 4.79, 0.062357),
  (4, date '2025-03-01', 3.24, 0.056145), (4, date '2025-09-01', 3.24, 0.057880),
  (5, date '2025-03-01', 7.85, 0.061422), (5, date '2025-09-01', 7.85, 0.063106);

-- The charges in force on a day: the latest effective date not after it.
create or replace function energy.tdsp_charges_on(on_day date default current_date)
returns table (tdsp_id smallint, effective_on date, monthly_charge numeric, per_kwh_charge numeric)
language sql stable set search_path = '' as $$
  select distinct on (c.tdsp_id) c.tdsp_id, c.effective_on, c.monthly_charge, c.per_kwh_charge
  from energy.tdsp_charges c
  where c.effective_on <= on_day
  order by c.tdsp_id, c.effective_on desc
$$;
grant execute on function energy.tdsp_charges_on(date) to anon, authenticated, service_role;
comment on function energy.tdsp_charges_on(date) is
  'Delivery charges of each TDSP in force on on_day (the latest effective date not after it).';

-- Geography ----------------------------------------------------------------------------------------
create table energy.county_tdsps (
  county text not null,
  tdsp_id smallint not null references energy.tdsps (id),
  is_primary boolean not null default false,
  primary key (county, tdsp_id)
);
create unique index county_tdsps_one_primary_idx on energy.county_tdsps (county) where is_primary;
create index county_tdsps_tdsp_idx on energy.county_tdsps (tdsp_id);
comment on table energy.county_tdsps is
  'Documented county → TDSP table (seed/generators/texas_territory.ts); the primary TDSP serves most of the county.';
comment on column energy.county_tdsps.county is 'Texas county name without "County".';
comment on column energy.county_tdsps.tdsp_id is 'A TDSP with territory in the county.';
comment on column energy.county_tdsps.is_primary is 'True for the one TDSP that serves most of the county.';

create table energy.cities (
  id bigint primary key,
  name text not null,
  slug text not null unique,
  county text not null,
  population integer not null default 0 check (population >= 0),
  latitude double precision not null,
  longitude double precision not null,
  tdsp_id smallint references energy.tdsps (id),
  deregulated boolean not null,
  market_status text not null check (market_status in ('choice', 'municipal', 'cooperative', 'outside_choice_area')),
  -- Who sells electricity where retail choice does not apply (municipal utility, co-op, non-ERCOT).
  utility_name text,
  geonames_id bigint,
  check (deregulated = (market_status = 'choice')),
  check (not deregulated or tdsp_id is not null)
);
create index cities_tdsp_idx on energy.cities (tdsp_id);
create index cities_county_idx on energy.cities (county);
create index cities_name_idx on energy.cities (lower(name));
comment on table energy.cities is
  'Texas places (GeoNames, grouped from ZIP place names) with their TDSP and whether retail choice applies.';
comment on column energy.cities.id is 'Stable place number assigned by the geography generator.';
comment on column energy.cities.name is 'Place name as the postal data spells it.';
comment on column energy.cities.slug is 'URL slug, unique (name-tx, or name-county-county-tx where names repeat).';
comment on column energy.cities.county is 'County holding most of the place''s ZIP codes.';
comment on column energy.cities.population is 'GeoNames population (0 where GeoNames lists none); ranks search results.';
comment on column energy.cities.latitude is 'Latitude in degrees (GeoNames point, or the centroid of the ZIPs).';
comment on column energy.cities.longitude is 'Longitude in degrees (GeoNames point, or the centroid of the ZIPs).';
comment on column energy.cities.tdsp_id is 'TDSP of the place (its county''s primary one unless overridden); null outside the five.';
comment on column energy.cities.deregulated is 'True where customers choose their retail electric provider (market_status = choice).';
comment on column energy.cities.market_status is 'choice, municipal (city utility), cooperative or outside_choice_area.';
comment on column energy.cities.utility_name is 'Who sells electricity where retail choice does not apply.';
comment on column energy.cities.geonames_id is 'GeoNames id of the matched populated place, if any.';

create table energy.zips (
  zip text primary key check (zip ~ '^\d{5}$'),
  city_id bigint not null references energy.cities (id),
  county text not null,
  latitude double precision not null,
  longitude double precision not null,
  deregulated boolean not null
);
create index zips_city_idx on energy.zips (city_id);
comment on table energy.zips is 'Every Texas ZIP code with its place, county, coordinates and market status.';
comment on column energy.zips.zip is 'Five-digit ZIP code.';
comment on column energy.zips.city_id is 'The place the ZIP belongs to.';
comment on column energy.zips.county is 'County of the ZIP (may differ from its place''s main county).';
comment on column energy.zips.latitude is 'Latitude of the ZIP in degrees.';
comment on column energy.zips.longitude is 'Longitude of the ZIP in degrees.';
comment on column energy.zips.deregulated is 'True where retail choice applies at this ZIP.';

create table energy.zip_tdsps (
  zip text not null references energy.zips (zip) on delete cascade,
  tdsp_id smallint not null references energy.tdsps (id),
  is_primary boolean not null default false,
  primary key (zip, tdsp_id)
);
create unique index zip_tdsps_one_primary_idx on energy.zip_tdsps (zip) where is_primary;
create index zip_tdsps_tdsp_idx on energy.zip_tdsps (tdsp_id);
comment on table energy.zip_tdsps is 'TDSPs serving each open ZIP code; a ZIP on a territory border has several.';
comment on column energy.zip_tdsps.zip is 'The ZIP code.';
comment on column energy.zip_tdsps.tdsp_id is 'A TDSP delivering electricity at the ZIP.';
comment on column energy.zip_tdsps.is_primary is 'True for the TDSP listed first (the one serving most of the ZIP).';

-- Texas ZIP codes are 733xx, 75xxx-79xxx and 885xx: anything else is outside the state.
create or replace function energy.is_texas_zip(candidate text) returns boolean
language sql immutable set search_path = '' as $$
  select candidate ~ '^(733\d\d|7[5-9]\d\d\d|885\d\d)$'
$$;
grant execute on function energy.is_texas_zip(text) to anon, authenticated, service_role;
comment on function energy.is_texas_zip(text) is 'True when candidate lies in a Texas ZIP range (733xx, 75xxx-79xxx, 885xx).';

-- RLS: reference data readable by everyone, written by service_role (bypasses RLS) and admins ----------
alter table energy.tdsps enable row level security;
alter table energy.tdsp_charges enable row level security;
alter table energy.county_tdsps enable row level security;
alter table energy.cities enable row level security;
alter table energy.zips enable row level security;
alter table energy.zip_tdsps enable row level security;

-- One permissive policy per role and action (Supabase's multiple_permissive_policies advisor): the
-- read policy covers admins too, and admins write through one policy per writing action.
do $$
declare
  catalog_table text;
begin
  foreach catalog_table in array array['tdsps', 'tdsp_charges', 'county_tdsps', 'cities', 'zips', 'zip_tdsps'] loop
    execute format('grant select on energy.%I to anon, authenticated', catalog_table);
    execute format('grant select, insert, update, delete on energy.%I to authenticated, service_role', catalog_table);
    execute format($p$create policy "admins add %1$s" on energy.%1$I for insert to authenticated
      with check ((select private.has_role('admin')))$p$, catalog_table);
    execute format($p$create policy "admins change %1$s" on energy.%1$I for update to authenticated
      using ((select private.has_role('admin'))) with check ((select private.has_role('admin')))$p$, catalog_table);
    execute format($p$create policy "admins remove %1$s" on energy.%1$I for delete to authenticated
      using ((select private.has_role('admin')))$p$, catalog_table);
  end loop;
end
$$;

-- Only active TDSPs are visible to the public; the rest of the geography is always readable.
create policy "everyone reads active tdsps" on energy.tdsps for select to anon, authenticated
  using (active or (select private.has_role('admin')));
create policy "everyone reads tdsp charges" on energy.tdsp_charges for select to anon, authenticated using (true);
create policy "everyone reads county tdsps" on energy.county_tdsps for select to anon, authenticated using (true);
create policy "everyone reads cities" on energy.cities for select to anon, authenticated using (true);
create policy "everyone reads zips" on energy.zips for select to anon, authenticated using (true);
create policy "everyone reads zip tdsps" on energy.zip_tdsps for select to anon, authenticated using (true);
