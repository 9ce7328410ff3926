-- Energy module, part 2b: the PowerToChoose import. Rows parsed by shared/energy/powertochoose.ts
-- (pipeline function and seed generator alike) land through private.import_plans in one transaction.

-- Import ----------------------------------------------------------------------------------------------
-- Bill-credit plans show a V-shaped price curve: the average price falls to 1000 kWh (where the
-- credit applies) and rises again at 2000. A plain base charge only ever makes it fall.
create or replace function energy.detect_bill_credit(p500 numeric, p1000 numeric, p2000 numeric) returns boolean
language sql immutable set search_path = '' as $$
  select p2000 > p1000 + 0.001 and p500 > p1000 + 0.01
$$;
grant execute on function energy.detect_bill_credit(numeric, numeric, numeric) to anon, authenticated, service_role;
comment on function energy.detect_bill_credit(numeric, numeric, numeric) is
  'True for a bill-credit price curve: cheaper at 1000 kWh than at both 500 and 2000 kWh.';

create or replace function private.energy_plan_features(
  fixed boolean, renewable_pct int, prepaid boolean, time_of_use boolean, has_bill_credit boolean,
  cancel_fee_amount numeric, name text, special_terms text, term_months int
) returns text[]
language sql immutable set search_path = '' as $$
  select array_remove(array[
    case when fixed then 'fixed_rate' end,
    case when not fixed then 'variable_rate' end,
    case when renewable_pct >= 100 then 'green_energy' end,
    case when renewable_pct > 0 then 'renewable' end,
    case when prepaid then 'prepaid' end,
    case when prepaid or coalesce(special_terms, '') ~* 'no deposit' or coalesce(name, '') ~* 'no deposit'
      then 'no_deposit' end,
    case when time_of_use then 'time_of_use' end,
    case when coalesce(name, '') || ' ' || coalesce(special_terms, '') ~* 'free (nights|night|weekends?)|nights free'
      then 'free_nights' end,
    case when has_bill_credit then 'bill_credit' end,
    case when coalesce(cancel_fee_amount, 0) = 0 then 'no_cancel_fee' end,
    case when term_months <= 1 then 'month_to_month' end,
    case when term_months >= 24 then 'long_term' end
  ], null)
$$;
comment on function private.energy_plan_features(boolean, int, boolean, boolean, boolean, numeric, text, text, int) is
  'Feature codes of a plan (fixed_rate, green_energy, no_deposit, free_nights, ...) derived from its terms.';

-- The import in four steps, each on the working table pg_temp.energy_incoming that the first one
-- creates: stage (rows in, rejections out), providers, plans with their price history, retirement.

-- Loads the parsed rows into pg_temp.energy_incoming and records every rejection of the import: the
-- parser's, unknown TDSPs and repeated idKeys. Returns the rows left to import and the rows rejected.
create or replace function private.energy_import_stage_rows(
  run_id bigint, plan_rows jsonb, parse_rejections jsonb, out accepted int, out rejected int
)
language plpgsql volatile set search_path = '' as $$
begin
  -- A second import in the same transaction replaces the first one's working table.
  drop table if exists pg_temp.energy_incoming;
  create temporary table energy_incoming on commit drop as
  select r.*, private.energy_tdsp_id_for_name(r.tdu) as tdsp_id,
         count(*) over (partition by r.id_key) as copies
  from jsonb_to_recordset(plan_rows) as r(
    line int, id_key bigint, tdu text, rep text, product text, kwh500 numeric, kwh1000 numeric, kwh2000 numeric,
    fees_credits text, prepaid boolean, time_of_use boolean, fixed boolean, rate_type text, renewable int,
    term int, cancel_fee text, cancel_fee_amount numeric, website text, special_terms text, terms_url text,
    yrac_url text, promotion boolean, promotion_desc text, facts_url text, enroll_url text, prepaid_url text,
    enroll_phone text, new_customer boolean, min_usage boolean, language text, rating int);

  insert into energy.plan_import_rejections (import_id, line, id_key, reason)
  select run_id, (j ->> 'line')::int, j ->> 'idKey', j ->> 'reason'
  from jsonb_array_elements(parse_rejections) j
  union all
  select run_id, i.line, i.id_key::text,
         case when i.tdsp_id is null then format('unknown TDSP "%s"', i.tdu)
              else format('idKey %s appears %s times in this export', i.id_key, i.copies) end
  from pg_temp.energy_incoming i where i.tdsp_id is null or i.copies > 1
  on conflict do nothing;

  delete from pg_temp.energy_incoming where tdsp_id is null or copies > 1;
  select count(*) into accepted from pg_temp.energy_incoming;
  select count(*) into rejected from energy.plan_import_rejections r where r.import_id = run_id;
end;
$$;

-- Upserts one provider per RepCompany spelling key of the staged rows (website and phone kept when an
-- export omits them); a provider that reappears is active again.
-- PL/pgSQL, not SQL, here and below: a SQL function's body is checked at creation, before the working
-- table exists.
create or replace function private.energy_import_upsert_providers() returns void
language plpgsql volatile set search_path = '' as $$
begin
  insert into energy.providers (name, name_key, slug, website, enroll_phone)
  select distinct on (k.name_key) btrim(i.rep), k.name_key,
         btrim(regexp_replace(lower(k.name_key), '[^a-z0-9]+', '-', 'g'), '-'), i.website, i.enroll_phone
  from pg_temp.energy_incoming i
  cross join lateral (select btrim(regexp_replace(upper(i.rep), '[^A-Z0-9]+', ' ', 'g')) as name_key) k
  order by k.name_key, i.line
  on conflict (name_key) do update
    set website = coalesce(excluded.website, energy.providers.website),
        enroll_phone = coalesce(excluded.enroll_phone, energy.providers.enroll_phone),
        active = true, updated_at = now();
end;
$$;

-- Upserts the staged rows as plans on idKey (features and bill credit derived), and records a price
-- triple in energy.plan_prices whenever it differs from the plan's latest one.
create or replace function private.energy_import_upsert_plans(run_id bigint, out inserted int, out updated int)
language plpgsql volatile set search_path = '' as $$
begin
  with upserted as (
    insert into energy.plans as p (
      ptc_id_key, provider_id, tdsp_id, name, language, price_500, price_1000, price_2000, fees_credits, prepaid,
      time_of_use, fixed, rate_type, renewable_pct, term_months, cancel_fee, cancel_fee_amount, website,
      special_terms, terms_url, yrac_url, promotion, promotion_desc, facts_url, enroll_url, prepaid_url,
      enroll_phone, new_customer, min_usage_fees_credits, has_bill_credit, rating, features, active,
      last_seen_at, deactivated_at, last_import_id)
    select i.id_key, pr.id, i.tdsp_id, btrim(i.product), coalesce(i.language, 'English'), i.kwh500, i.kwh1000,
           i.kwh2000, i.fees_credits, coalesce(i.prepaid, false), coalesce(i.time_of_use, false),
           coalesce(i.fixed, false), i.rate_type, coalesce(i.renewable, 0), coalesce(i.term, 0), i.cancel_fee,
           i.cancel_fee_amount, i.website, i.special_terms, i.terms_url, i.yrac_url, coalesce(i.promotion, false),
           i.promotion_desc, i.facts_url, i.enroll_url, i.prepaid_url, i.enroll_phone,
           coalesce(i.new_customer, false), coalesce(i.min_usage, false), bc.credit, i.rating,
           private.energy_plan_features(coalesce(i.fixed, false), coalesce(i.renewable, 0), coalesce(i.prepaid, false),
             coalesce(i.time_of_use, false), bc.credit, i.cancel_fee_amount, i.product, i.special_terms,
             coalesce(i.term, 0)),
           true, now(), null, run_id
    from pg_temp.energy_incoming i
    join energy.providers pr on pr.name_key = btrim(regexp_replace(upper(i.rep), '[^A-Z0-9]+', ' ', 'g'))
    cross join lateral (select energy.detect_bill_credit(i.kwh500, i.kwh1000, i.kwh2000) as credit) bc
    on conflict (ptc_id_key) do update set
      provider_id = excluded.provider_id, tdsp_id = excluded.tdsp_id, name = excluded.name,
      language = excluded.language, price_500 = excluded.price_500, price_1000 = excluded.price_1000,
      price_2000 = excluded.price_2000, fees_credits = excluded.fees_credits, prepaid = excluded.prepaid,
      time_of_use = excluded.time_of_use, fixed = excluded.fixed, rate_type = excluded.rate_type,
      renewable_pct = excluded.renewable_pct, term_months = excluded.term_months, cancel_fee = excluded.cancel_fee,
      cancel_fee_amount = excluded.cancel_fee_amount, website = excluded.website,
      special_terms = excluded.special_terms, terms_url = excluded.terms_url, yrac_url = excluded.yrac_url,
      promotion = excluded.promotion, promotion_desc = excluded.promotion_desc, facts_url = excluded.facts_url,
      enroll_url = excluded.enroll_url, prepaid_url = excluded.prepaid_url, enroll_phone = excluded.enroll_phone,
      new_customer = excluded.new_customer, min_usage_fees_credits = excluded.min_usage_fees_credits,
      has_bill_credit = excluded.has_bill_credit, rating = excluded.rating, features = excluded.features,
      active = true, last_seen_at = now(), deactivated_at = null, last_import_id = excluded.last_import_id
    returning p.id, p.price_500, p.price_1000, p.price_2000, (xmax = 0) as was_inserted
  ), priced as (
    insert into energy.plan_prices (plan_id, import_id, price_500, price_1000, price_2000)
    select u.id, run_id, u.price_500, u.price_1000, u.price_2000
    from upserted u
    where not exists (
      select 1 from (
        select pp.price_500, pp.price_1000, pp.price_2000 from energy.plan_prices pp
        where pp.plan_id = u.id order by pp.recorded_at desc limit 1
      ) latest
      where (latest.price_500, latest.price_1000, latest.price_2000) = (u.price_500, u.price_1000, u.price_2000))
    returning 1
  )
  select count(*) filter (where was_inserted), count(*) filter (where not was_inserted)
  into inserted, updated
  from upserted;
end;
$$;

-- Retires the active plans of the staged rows' TDSPs that the export no longer lists (kept, with their
-- history), then the providers left without an active plan. Returns the plans retired.
create or replace function private.energy_import_retire_missing() returns int
language plpgsql volatile set search_path = '' as $$
declare
  deactivated int;
begin
  with retired as (
    update energy.plans p set active = false, deactivated_at = now()
    where p.active
      and p.tdsp_id in (select distinct i.tdsp_id from pg_temp.energy_incoming i)
      and not exists (select 1 from pg_temp.energy_incoming i where i.id_key = p.ptc_id_key)
    returning 1
  )
  select count(*) into deactivated from retired;
  -- A provider with no active plan left leaves the public catalog too (it comes back with a plan). A
  -- statement of its own: it must see the plans the one above retired.
  update energy.providers pr set active = false, updated_at = now()
  where pr.active and not exists (select 1 from energy.plans p where p.provider_id = pr.id and p.active);
  return deactivated;
end;
$$;

/*
  Imports one PowerToChoose export. `plan_rows` holds the rows that parsed (each with its CSV line);
  `parse_rejections` the rows the parser refused ({line, idKey, reason}). In one transaction: rows
  whose TDSP is unknown or whose idKey repeats are rejected too, providers are upserted from
  RepCompany, plans upserted on idKey (a changed price triple goes into plan_prices), and plans of
  the imported TDSPs that the export no longer lists become inactive (kept, with their history).
*/
create or replace function private.import_plans(
  source text, plan_rows jsonb, parse_rejections jsonb default '[]', feed_url text default null, rows_total int default null
) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  run_id bigint;
  staged record;
  written record;
  deactivated int := 0;
  final_status text;
  total int;
begin
  -- One import at a time: two overlapping exports must not retire each other's plans.
  perform pg_advisory_xact_lock(hashtext('energy.import_plans'));
  insert into energy.plan_imports (source, feed_url, status) values (source, feed_url, 'failed') returning id into run_id;

  select * into staged from private.energy_import_stage_rows(run_id, plan_rows, parse_rejections);
  perform private.energy_import_upsert_providers();
  select * into written from private.energy_import_upsert_plans(run_id);
  -- Only a real export retires plans, and only within the TDSPs it covers.
  if staged.accepted > 0 then
    deactivated := private.energy_import_retire_missing();
  end if;

  final_status := case when staged.accepted = 0 then 'rejected' when staged.rejected > 0 then 'partial' else 'succeeded' end;
  total := coalesce(import_plans.rows_total, staged.accepted + staged.rejected);
  update energy.plan_imports set
    status = final_status, rows_total = total, rows_accepted = staged.accepted, rows_rejected = staged.rejected,
    plans_inserted = written.inserted, plans_updated = written.updated, plans_deactivated = deactivated,
    finished_at = clock_timestamp()
  where id = run_id;

  return jsonb_build_object('importId', run_id, 'status', final_status, 'rowsTotal', total,
    'rowsAccepted', staged.accepted, 'rowsRejected', staged.rejected, 'plansInserted', written.inserted,
    'plansUpdated', written.updated, 'plansDeactivated', deactivated);
end;
$$;

/* Records an import that was refused as a whole (wrong headers, malformed CSV, feed failure) with
   its rejection report: nothing else is written. */
create or replace function private.record_failed_import(
  source text, status text, error text, rejections jsonb default '[]', feed_url text default null,
  rows_total int default 0
) returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  run_id bigint;
begin
  insert into energy.plan_imports (source, feed_url, status, error, rows_total, rows_rejected)
  values (source, feed_url, status, error, rows_total, jsonb_array_length(rejections))
  returning id into run_id;
  insert into energy.plan_import_rejections (import_id, line, id_key, reason)
  select run_id, (j ->> 'line')::int, j ->> 'idKey', j ->> 'reason' from jsonb_array_elements(rejections) j
  on conflict do nothing;
  return jsonb_build_object('importId', run_id, 'status', status);
end;
$$;

grant execute on function private.import_plans(text, jsonb, jsonb, text, int),
  private.record_failed_import(text, text, text, jsonb, text, int), private.energy_import_stage_rows(bigint, jsonb, jsonb),
  private.energy_import_upsert_providers(), private.energy_import_upsert_plans(bigint), private.energy_import_retire_missing() to service_role;
comment on function private.import_plans(text, jsonb, jsonb, text, int) is
  'Imports one parsed PowerToChoose export in one transaction: rejections, providers, plans, price history, retirements.';
comment on function private.record_failed_import(text, text, text, jsonb, text, int) is
  'Records an import refused as a whole (bad headers, malformed CSV, feed failure) with its rejection report.';
comment on function private.energy_import_stage_rows(bigint, jsonb, jsonb) is
  'Import step 1: stages parsed rows in pg_temp.energy_incoming and records every rejection of the import.';
comment on function private.energy_import_upsert_providers() is 'Import step 2: upserts the providers of the staged rows.';
comment on function private.energy_import_upsert_plans(bigint) is
  'Import step 3: upserts the staged plans on idKey and records changed price triples; returns inserted and updated.';
comment on function private.energy_import_retire_missing() is
  'Import step 4: retires plans of the imported TDSPs missing from the export, then providers left without plans.';
