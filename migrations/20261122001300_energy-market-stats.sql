-- Energy module, part 4: market statistics per TDSP and per open city (plan count, cheapest and median
-- all-in price at 1000 kWh, renewable share), recomputed after each import and every 6 hours.

create table energy.tdsp_market_stats (
  tdsp_id smallint primary key references energy.tdsps (id),
  plan_count integer not null,
  provider_count integer not null,
  cheapest_cents_1000 numeric(7, 3),
  median_cents_1000 numeric(7, 3),
  -- Share of plans that are 100% renewable, 0..1.
  renewable_share numeric(5, 4),
  computed_at timestamptz not null default now()
);
comment on table energy.tdsp_market_stats is 'Market statistics of each TDSP territory over its active English plans.';
comment on column energy.tdsp_market_stats.tdsp_id is 'The TDSP.';
comment on column energy.tdsp_market_stats.plan_count is 'Active English plans sold in the territory.';
comment on column energy.tdsp_market_stats.provider_count is 'Providers with at least one such plan.';
comment on column energy.tdsp_market_stats.cheapest_cents_1000 is 'Cheapest all-in price at 1000 kWh, in cents per kWh (delivery included).';
comment on column energy.tdsp_market_stats.median_cents_1000 is 'Median all-in price at 1000 kWh, in cents per kWh.';
comment on column energy.tdsp_market_stats.renewable_share is 'Share of plans that are 100% renewable, 0..1.';
comment on column energy.tdsp_market_stats.computed_at is 'When the statistics were computed.';

create table energy.city_market_stats (
  city_id bigint primary key references energy.cities (id),
  tdsp_id smallint not null references energy.tdsps (id),
  plan_count integer not null,
  provider_count integer not null,
  cheapest_cents_1000 numeric(7, 3),
  median_cents_1000 numeric(7, 3),
  renewable_share numeric(5, 4),
  computed_at timestamptz not null default now()
);
create index city_market_stats_tdsp_idx on energy.city_market_stats (tdsp_id);
comment on table energy.city_market_stats is 'Market statistics of each city open to retail choice (those of its TDSP).';
comment on column energy.city_market_stats.city_id is 'The city.';
comment on column energy.city_market_stats.tdsp_id is 'The city''s TDSP, whose statistics these are.';
comment on column energy.city_market_stats.plan_count is 'Active English plans sold in the city.';
comment on column energy.city_market_stats.provider_count is 'Providers with at least one such plan.';
comment on column energy.city_market_stats.cheapest_cents_1000 is 'Cheapest all-in price at 1000 kWh, in cents per kWh.';
comment on column energy.city_market_stats.median_cents_1000 is 'Median all-in price at 1000 kWh, in cents per kWh.';
comment on column energy.city_market_stats.renewable_share is 'Share of plans that are 100% renewable, 0..1.';
comment on column energy.city_market_stats.computed_at is 'When the statistics were computed.';

alter table energy.tdsp_market_stats enable row level security;
alter table energy.city_market_stats enable row level security;
grant select on energy.tdsp_market_stats, energy.city_market_stats to anon, authenticated;
grant select, insert, update, delete on energy.tdsp_market_stats, energy.city_market_stats to authenticated, service_role;
create policy "everyone reads tdsp market stats" on energy.tdsp_market_stats for select to anon, authenticated using (true);
create policy "everyone reads city market stats" on energy.city_market_stats for select to anon, authenticated using (true);
do $$
declare
  stats_table text;
begin
  foreach stats_table in array array['tdsp_market_stats', 'city_market_stats'] loop
    execute format($p$create policy "admins add %1$s" on energy.%1$I for insert to authenticated
      with check ((select private.has_role('admin')))$p$, stats_table);
    execute format($p$create policy "admins change %1$s" on energy.%1$I for update to authenticated
      using ((select private.has_role('admin'))) with check ((select private.has_role('admin')))$p$, stats_table);
    execute format($p$create policy "admins remove %1$s" on energy.%1$I for delete to authenticated
      using ((select private.has_role('admin')))$p$, stats_table);
  end loop;
end
$$;

-- Market statistics ------------------------------------------------------------------------------------
-- Per TDSP and per open city: plan count, cheapest and median all-in ¢/kWh at 1000 kWh, share of
-- 100%-renewable plans. English listings only (the Spanish rows repeat the same offers).
create or replace function private.refresh_market_stats() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  touched bigint;
  city_rows bigint;
begin
  with priced as (
    select p.tdsp_id, p.provider_id, p.renewable_pct,
           (1000 * p.price_1000 + ch.monthly_charge + 1000 * ch.per_kwh_charge) / 10 as cents_1000
    from energy.plans p join energy.tdsp_charges_on(current_date) ch on ch.tdsp_id = p.tdsp_id
    where p.active and p.language = 'English'
  ), stats as (
    select t.id as tdsp_id, count(pr.*)::int as plan_count, count(distinct pr.provider_id)::int as provider_count,
           round(min(pr.cents_1000), 3) as cheapest,
           round((percentile_cont(0.5) within group (order by pr.cents_1000))::numeric, 3) as median,
           round(avg(case when pr.renewable_pct >= 100 then 1.0 else 0.0 end), 4) as renewable_share
    from energy.tdsps t left join priced pr on pr.tdsp_id = t.id
    group by t.id
  ), upserted as (
    insert into energy.tdsp_market_stats as s (tdsp_id, plan_count, provider_count, cheapest_cents_1000,
                                                median_cents_1000, renewable_share, computed_at)
    select tdsp_id, plan_count, provider_count, cheapest, median, renewable_share, now() from stats
    on conflict (tdsp_id) do update set plan_count = excluded.plan_count, provider_count = excluded.provider_count,
      cheapest_cents_1000 = excluded.cheapest_cents_1000, median_cents_1000 = excluded.median_cents_1000,
      renewable_share = excluded.renewable_share, computed_at = excluded.computed_at
    returning 1
  )
  select count(*) into touched from upserted;

  delete from energy.city_market_stats s
  using energy.cities c where c.id = s.city_id and not c.deregulated;
  with upserted as (
    insert into energy.city_market_stats (city_id, tdsp_id, plan_count, provider_count, cheapest_cents_1000,
                                          median_cents_1000, renewable_share, computed_at)
    select c.id, c.tdsp_id, s.plan_count, s.provider_count, s.cheapest_cents_1000, s.median_cents_1000,
           s.renewable_share, now()
    from energy.cities c join energy.tdsp_market_stats s on s.tdsp_id = c.tdsp_id
    where c.deregulated
    on conflict (city_id) do update set tdsp_id = excluded.tdsp_id, plan_count = excluded.plan_count,
      provider_count = excluded.provider_count, cheapest_cents_1000 = excluded.cheapest_cents_1000,
      median_cents_1000 = excluded.median_cents_1000, renewable_share = excluded.renewable_share,
      computed_at = excluded.computed_at
    returning 1
  )
  select count(*) into city_rows from upserted;
  return touched + city_rows;
end;
$$;
grant execute on function private.refresh_market_stats() to service_role;
comment on function private.refresh_market_stats() is
  'Recomputes energy.tdsp_market_stats and energy.city_market_stats from the active plans; returns rows written.';
