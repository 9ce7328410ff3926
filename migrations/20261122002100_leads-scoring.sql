-- Leads scoring as data: the signals of a lead (its own fields and what the energy, search and
-- tracking modules publish about its ZIP and session), rule matching, scores and bands, and product
-- recommendations. Routing is in leads-routing, the capture RPCs in leads-capture.
--
-- Other modules' data is read only through their published contracts (energy.zip_facts,
-- energy.session_comparisons, search.session_searches, tracking.session_engagement). The callers are
-- PL/pgSQL, which binds at call time: tracking's migrations come after these in band order.

-- One ZIP's centroid and market facts (browser-callable helper for forms and maps).
create or replace function leads.zip_location(zip text)
returns table (latitude double precision, longitude double precision, deregulated boolean, county text)
language plpgsql stable set search_path = '' as $$
begin
  return query
  select f.latitude, f.longitude, f.deregulated, f.county from energy.zip_facts(array[zip_location.zip]) f;
end;
$$;
comment on function leads.zip_location(text) is
  'Centroid, deregulation and county of one Texas ZIP code (no row for an unknown ZIP), from energy.zip_facts.';

-- Every signal of the given candidate leads (stored or about to be inserted) as one JSON object per
-- lead: the vocabulary scoring rules use. Set-based: one call of each contract for the whole batch.
create or replace function private.leads_signals(candidates leads.leads[])
returns table (lead_id uuid, signals jsonb)
language plpgsql stable set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  session_ids uuid[] := array(select distinct c.session_id from unnest(candidates) c where c.session_id is not null);
  zips text[] := array(select distinct c.zip from unnest(candidates) c where c.zip is not null);
begin
  return query
  select t.id, jsonb_strip_nulls(jsonb_build_object(
    'kind', t.kind,
    'comparisons', coalesce(cmp.comparisons, 0),
    'searches', coalesce(srch.searches, 0),
    'pages', coalesce(eng.pages, 0),
    'return_visits', coalesce(eng.return_visits, 0),
    'submissions', coalesce(t.submissions, 1),
    'form_type', t.form_type,
    'usage_kwh', coalesce(t.usage_kwh, cmp.last_usage_kwh),
    'move_in_days', t.move_in_date - current_date,
    'deregulated', z.deregulated,
    'industry', lower(t.industry),
    'company_size', t.company_size,
    'plants', jsonb_array_length(coalesce(t.plant_locations, '[]'::jsonb)),
    'source_trust', s.trust_score,
    'source_type', s.type,
    'has_email', t.email is not null,
    'has_phone', t.phone is not null,
    'has_company', nullif(t.company_name, '') is not null,
    'has_name', nullif(t.first_name, '') is not null and nullif(t.last_name, '') is not null,
    'consent', coalesce(t.consent, false),
    'utm_medium', lower(t.utm_medium),
    'utm_source', lower(t.utm_source)
  ))
  from unnest(candidates) t
  left join energy.session_comparisons(session_ids) cmp on cmp.session_id = t.session_id
  left join search.session_searches(session_ids) srch on srch.session_id = t.session_id
  left join tracking.session_engagement(session_ids) eng on eng.session_id = t.session_id
  left join energy.zip_facts(zips) z on z.zip = t.zip
  left join leads.sources s on s.id = t.source_id;
end;
$$;

-- Does a signal value satisfy a rule's condition?
-- PL/pgSQL: an expression PL/pgSQL evaluates in microseconds, where a SQL function that pins
-- search_path cannot be inlined and pays an executor start on every call (it runs per rule and lead).
create or replace function private.leads_rule_matches(signal_value jsonb, operator text, operand jsonb) returns boolean
language plpgsql immutable set search_path = '' as $$
begin
  return case
      when signal_value is null or signal_value = 'null'::jsonb then false
      when operator = 'present' then signal_value not in ('""'::jsonb, 'false'::jsonb, '0'::jsonb)
      when operator = 'true' then signal_value = 'true'::jsonb
      when operator = 'eq' then lower(signal_value #>> '{}') = lower(operand #>> '{}')
      -- Lower-casing the operand's JSON text keeps it a valid array of strings; containment needs no subquery.
      when operator = 'in' then lower(operand::text)::jsonb @> to_jsonb(lower(signal_value #>> '{}'))
      when jsonb_typeof(signal_value) <> 'number' then false
      when operator = 'gte' then (signal_value #>> '{}')::numeric >= (operand #>> '{}')::numeric
      when operator = 'gt' then (signal_value #>> '{}')::numeric > (operand #>> '{}')::numeric
      when operator = 'lte' then (signal_value #>> '{}')::numeric <= (operand #>> '{}')::numeric
      when operator = 'lt' then (signal_value #>> '{}')::numeric < (operand #>> '{}')::numeric
      when operator = 'between' then (signal_value #>> '{}')::numeric
        between (operand ->> 0)::numeric and (operand ->> 1)::numeric
      else false
    end;
end;
$$;

-- The status band of a score while no person has decided.
create or replace function private.leads_band(score int) returns text
language plpgsql immutable set search_path = '' as $$
begin
  return case when score >= 70 then 'hot' when score >= 40 then 'warm' else 'cold' end;
end;
$$;

-- Scores of the given candidate leads by the active rules, without writing anything.
create or replace function private.leads_evaluate(candidates leads.leads[])
returns table (lead_id uuid, score int, trust_score int, reasons jsonb)
language plpgsql stable set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  return query
  with sig as (
    select * from private.leads_signals(candidates)
  ), hits as (
    select s.lead_id, r.dimension, r.signal, r.reason_code, r.points
    from sig s
    join leads.scoring_rules r on r.active and private.leads_rule_matches(s.signals -> r.signal, r.operator, r.operand)
  )
  select s.lead_id,
         least(100, greatest(0, coalesce(sum(h.points) filter (where h.dimension = 'score'), 0)))::int,
         least(100, greatest(0, coalesce(sum(h.points) filter (where h.dimension = 'trust'), 0)))::int,
         coalesce(jsonb_agg(jsonb_build_object('code', h.reason_code, 'signal', h.signal, 'points', h.points,
                                               'dimension', h.dimension)
                            order by h.dimension, h.points desc, h.reason_code)
                  filter (where h.reason_code is not null), '[]'::jsonb)
  from sig s
  left join hits h on h.lead_id = s.lead_id
  group by s.lead_id;
end;
$$;

-- The stored leads with the given ids, as candidates for evaluation and routing.
create or replace function private.leads_stored(lead_ids uuid[]) returns leads.leads[]
language sql stable set search_path = '' as $$
  select array(select l from leads.leads l where l.id = any (lead_ids))
$$;

-- The status a lead takes from its score: the band, unless a person decided (accepted, rejected,
-- converted), which scoring never overrides.
create or replace function private.leads_scored_status(current_status text, score int) returns text
language sql immutable set search_path = '' as $$
  select case when current_status in ('new', 'hot', 'warm', 'cold') then private.leads_band(score) else current_status end
$$;

-- Applies scores to the given stored leads; returns the number of leads whose score, trust, reasons
-- or status changed.
create or replace function private.leads_apply_scores(lead_ids uuid[]) returns bigint
language sql volatile set search_path = '' as $$
  with evaluated as (
    select * from private.leads_evaluate(private.leads_stored(lead_ids))
  ), changed as (
    update leads.leads l
    set score = e.score,
        trust_score = e.trust_score,
        score_reasons = e.reasons,
        status = private.leads_scored_status(l.status, e.score),
        scored_at = now()
    from evaluated e
    where l.id = e.lead_id
      and (l.score, l.trust_score, l.score_reasons, l.status) is distinct from
          (e.score, e.trust_score, e.reasons, private.leads_scored_status(l.status, e.score))
    returning 1
  )
  select count(*) from changed
$$;

-- Product recommendations for business leads: every matching rule's product, best priority first.
create or replace function private.leads_recommend(lead_ids uuid[]) returns bigint
language plpgsql volatile set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  written bigint;
begin
  delete from leads.lead_recommendations r where r.lead_id = any (lead_ids);
  with target as (
    select l.id, lower(l.industry) as industry, coalesce(l.company_size, 0) as company_size,
           jsonb_array_length(l.plant_locations) as plants,
           coalesce(l.usage_kwh, (select sum((p ->> 'annualKwh')::numeric) from jsonb_array_elements(l.plant_locations) p
                                  where jsonb_typeof(p -> 'annualKwh') = 'number'), 0) as usage_kwh
    from leads.leads l
    where l.id = any (lead_ids) and l.kind = 'business'
  ), matches as (
    select distinct on (t.id, r.product_id) t.id as lead_id, r.product_id, r.reason_code, r.reason, r.priority
    from target t
    join leads.recommendation_rules r on r.active
      and (r.industries is null or t.industry = any (r.industries))
      and t.plants >= r.min_plants and t.company_size >= r.min_company_size and t.usage_kwh >= r.min_usage_kwh
    join leads.products p on p.id = r.product_id and p.active
    order by t.id, r.product_id, r.priority
  ), inserted as (
    insert into leads.lead_recommendations (lead_id, product_id, rank, reason_code, reason)
    select m.lead_id, m.product_id, row_number() over (partition by m.lead_id order by m.priority, m.product_id),
           m.reason_code, m.reason
    from matches m
    returning 1
  )
  select count(*) into written from inserted;
  return written;
end;
$$;

-- A source's trust changes every open lead it brought in: rescore them.
create or replace function private.leads_rescore_source_leads() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  perform private.leads_apply_scores(array(
    select l.id from leads.leads l
    join new_rows n on n.id = l.source_id
    join old_rows o on o.id = n.id
    where n.trust_score is distinct from o.trust_score));
  return null;
end;
$$;
create trigger sources_rescore_leads after update on leads.sources
  referencing old table as old_rows new table as new_rows for each statement
  execute function private.leads_rescore_source_leads();

grant execute on function leads.zip_location(text) to authenticated, service_role;
