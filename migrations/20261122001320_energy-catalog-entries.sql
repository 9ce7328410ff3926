-- Energy module, part 5: what energy publishes for the search module. Search builds its documents
-- from these two functions only, never from energy's tables, so a change to the catalog's tables
-- fails energy's own tests (tests/db/energy/13-catalog-entries.test.sql) instead of emptying search.

/*
  One entry per city and ZIP (all of Texas, open to retail choice or not), per active provider and per
  active English plan, already worded for a search result: label, subtitle, keywords for matching,
  popularity (population for places) and the payload an API item carries.
*/
create or replace function energy.catalog_entries()
returns table (entry_type text, ref_id text, label text, subtitle text, keywords text, popularity double precision,
               payload jsonb)
language sql stable set search_path = '' as $$
  select 'city'::text, c.id::text, c.name,
         format('%s County%s', c.county, case when c.deregulated then ', ' || t.short_name
                                         else ' · not open to retail choice' end),
         c.name, c.population::double precision,
         jsonb_build_object('cityId', c.id, 'slug', c.slug, 'county', c.county, 'tdsp', t.code, 'tdspName', t.name,
                            'deregulated', c.deregulated, 'marketStatus', c.market_status, 'utility', c.utility_name,
                            'population', c.population)
  from energy.cities c left join energy.tdsps t on t.id = c.tdsp_id
  union all
  select 'zip', z.zip, z.zip, format('%s, %s County', c.name, z.county), z.zip, c.population::double precision / 10,
         jsonb_build_object('zip', z.zip, 'cityId', c.id, 'city', c.name, 'county', z.county, 'deregulated', z.deregulated,
                            'tdsps', coalesce((select jsonb_agg(t.code order by zt.is_primary desc, t.id)
                                               from energy.zip_tdsps zt join energy.tdsps t on t.id = zt.tdsp_id
                                               where zt.zip = z.zip), '[]'::jsonb))
  from energy.zips z join energy.cities c on c.id = z.city_id
  union all
  select 'provider', pr.id::text, pr.name, format('%s plans', count(p.id)), pr.name, 100000.0 * count(p.id),
         jsonb_build_object('providerId', pr.id, 'slug', pr.slug, 'planCount', count(p.id), 'website', pr.website)
  from energy.providers pr left join energy.plans p on p.provider_id = pr.id and p.active and p.language = 'English'
  where pr.active
  group by pr.id
  union all
  select 'plan', p.id::text, p.name, format('%s · %s', pr.name, t.short_name),
         p.name || ' ' || array_to_string(array(select replace(f, '_', ' ') from unnest(p.features) f), ' '), 0,
         jsonb_build_object('planId', p.id, 'provider', pr.name, 'tdsp', t.code, 'features', to_jsonb(p.features),
                            'termMonths', p.term_months, 'renewablePct', p.renewable_pct, 'price1000', p.price_1000)
  from energy.plans p join energy.providers pr on pr.id = p.provider_id join energy.tdsps t on t.id = p.tdsp_id
  where p.active and p.language = 'English'
$$;
comment on function energy.catalog_entries() is
  'Published contract for search: one entry per city, ZIP, active provider and active English plan, worded for results.';

-- Active English plans per feature code (energy.plans.features), for search's feature documents.
create or replace function energy.feature_plan_counts()
returns table (feature text, plan_count int)
language sql stable set search_path = '' as $$
  select f.feature, count(*)::int
  from energy.plans p cross join lateral unnest(p.features) as f(feature)
  where p.active and p.language = 'English'
  group by f.feature
$$;
comment on function energy.feature_plan_counts() is
  'Published contract for search: how many active English plans carry each feature code.';

-- Only the service (search's refresh job and the import pipeline) reads these; browsers use search.
grant execute on function energy.catalog_entries(), energy.feature_plan_counts() to service_role;
