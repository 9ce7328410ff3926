-- Scoring as data: signal providers (guarded so they start reading energy/search/tracking tables the
-- moment those modules land), rule matching, the scoring RPC, product recommendations, routing to the
-- nearest regional office with a round-robin owner, and the event history triggers.

-- Signal providers -------------------------------------------------------------------------------------

-- ZIP facts from energy.zips when it exists; no rows otherwise (callers fall back to their own data).
create or replace function private.leads_zip_facts(zips text[])
returns table (zip text, latitude double precision, longitude double precision, deregulated boolean, county text)
language plpgsql stable security definer set search_path = '' as $$
begin
  if to_regclass('energy.zips') is null or zips is null or cardinality(zips) = 0 then
    return;
  end if;
  return query execute
    'select z.zip::text, z.latitude::float8, z.longitude::float8, z.deregulated::boolean, z.county::text
     from energy.zips z where z.zip = any ($1)'
    using zips;
end;
$$;

-- One ZIP's centroid and market facts (browser-callable helper for forms and maps).
create or replace function leads.zip_location(zip text)
returns table (latitude double precision, longitude double precision, deregulated boolean, county text)
language sql stable set search_path = '' as $$
  select f.latitude, f.longitude, f.deregulated, f.county from private.leads_zip_facts(array[zip_location.zip]) f
$$;

-- Engagement per tracking session: comparisons, searches, page views, return visits, and the usage
-- the visitor last compared plans with. Zeros for tables that do not exist (yet).
create or replace function private.leads_engagement(session_ids uuid[])
returns table (session_id uuid, comparisons int, searches int, pages int, return_visits int, compared_usage_kwh numeric)
language plpgsql stable security definer set search_path = '' as $$
declare
  comparisons_sql text := '0';
  usage_sql text := 'null::numeric';
  searches_sql text := '0';
  pages_sql text := '0';
  returns_sql text := '0';
begin
  if session_ids is null or cardinality(session_ids) = 0 then
    return;
  end if;
  if to_regclass('energy.plan_comparisons') is not null then
    comparisons_sql := '(select count(*) from energy.plan_comparisons c where c.session_id = s.id)::int';
    usage_sql := '(select c.usage_kwh::numeric from energy.plan_comparisons c where c.session_id = s.id
                   order by c.created_at desc limit 1)';
  end if;
  if to_regclass('search.queries') is not null then
    searches_sql := '(select count(*) from search.queries q where q.session_id = s.id)::int';
  end if;
  if to_regclass('tracking.events') is not null then
    pages_sql := '(select count(*) from tracking.events e where e.session_id = s.id
                   and e.type in (''page_view'', ''pageview'', ''page''))::int';
  end if;
  if to_regclass('tracking.sessions') is not null then
    returns_sql := '(select greatest(count(*) - 1, 0) from tracking.sessions o
                     where o.visitor_id = (select t.visitor_id from tracking.sessions t where t.id = s.id))::int';
  end if;
  return query execute format(
    'select s.id, %s, %s, %s, %s, %s from unnest($1) as s(id)',
    comparisons_sql, searches_sql, pages_sql, returns_sql, usage_sql)
    using session_ids;
end;
$$;

-- Every signal of the given leads as one JSON object per lead: the vocabulary scoring rules use.
create or replace function private.leads_signals(lead_ids uuid[])
returns table (lead_id uuid, signals jsonb)
language sql stable security definer set search_path = '' as $$
  with target as (
    select l.* from leads.leads l where l.id = any (lead_ids)
  ), engagement as (
    select * from private.leads_engagement(array(select distinct t.session_id from target t where t.session_id is not null))
  ), zips as (
    select * from private.leads_zip_facts(array(select distinct t.zip from target t where t.zip is not null))
  )
  select t.id, jsonb_strip_nulls(jsonb_build_object(
    'kind', t.kind,
    'comparisons', coalesce(e.comparisons, 0),
    'searches', coalesce(e.searches, 0),
    'pages', coalesce(e.pages, 0),
    'return_visits', coalesce(e.return_visits, 0),
    'submissions', t.submissions,
    'form_type', t.form_type,
    'usage_kwh', coalesce(t.usage_kwh, e.compared_usage_kwh),
    'move_in_days', t.move_in_date - current_date,
    'deregulated', z.deregulated,
    'industry', lower(t.industry),
    'company_size', t.company_size,
    'plants', jsonb_array_length(t.plant_locations),
    'source_trust', s.trust_score,
    'source_type', s.type,
    'has_email', t.email is not null,
    'has_phone', t.phone is not null,
    'has_company', nullif(t.company_name, '') is not null,
    'has_name', nullif(t.first_name, '') is not null and nullif(t.last_name, '') is not null,
    'consent', t.consent,
    'utm_medium', lower(t.utm_medium),
    'utm_source', lower(t.utm_source)
  ))
  from target t
  left join engagement e on e.session_id = t.session_id
  left join zips z on z.zip = t.zip
  left join leads.sources s on s.id = t.source_id
$$;

-- Does a signal value satisfy a rule's condition?
create or replace function private.leads_rule_matches(signal_value jsonb, operator text, operand jsonb) returns boolean
language sql immutable set search_path = '' as $$
  select case
    when signal_value is null or signal_value = 'null'::jsonb then false
    when operator = 'present' then signal_value not in ('""'::jsonb, 'false'::jsonb, '0'::jsonb)
    when operator = 'true' then signal_value = 'true'::jsonb
    when operator = 'eq' then lower(signal_value #>> '{}') = lower(operand #>> '{}')
    when operator = 'in' then lower(signal_value #>> '{}') in (select lower(v) from jsonb_array_elements_text(operand) v)
    when jsonb_typeof(signal_value) <> 'number' then false
    when operator = 'gte' then (signal_value #>> '{}')::numeric >= (operand #>> '{}')::numeric
    when operator = 'gt' then (signal_value #>> '{}')::numeric > (operand #>> '{}')::numeric
    when operator = 'lte' then (signal_value #>> '{}')::numeric <= (operand #>> '{}')::numeric
    when operator = 'lt' then (signal_value #>> '{}')::numeric < (operand #>> '{}')::numeric
    when operator = 'between' then (signal_value #>> '{}')::numeric
      between (operand ->> 0)::numeric and (operand ->> 1)::numeric
    else false
  end
$$;

-- The status band of a score while no person has decided.
create or replace function private.leads_band(score int) returns text
language sql immutable set search_path = '' as $$
  select case when score >= 70 then 'hot' when score >= 40 then 'warm' else 'cold' end
$$;

-- Scores of the given leads by the active rules, without writing anything.
create or replace function private.leads_evaluate(lead_ids uuid[])
returns table (lead_id uuid, score int, trust_score int, reasons jsonb)
language sql stable security definer set search_path = '' as $$
  with sig as (
    select * from private.leads_signals(lead_ids)
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
  group by s.lead_id
$$;

-- Applies scores to the given leads (status follows the band unless a person decided); returns the
-- number of leads whose score, trust, reasons or status changed.
create or replace function private.leads_apply_scores(lead_ids uuid[]) returns bigint
language sql volatile security definer set search_path = '' as $$
  with evaluated as (
    select * from private.leads_evaluate(lead_ids)
  ), changed as (
    update leads.leads l
    set score = e.score,
        trust_score = e.trust_score,
        score_reasons = e.reasons,
        status = case when l.status in ('new', 'hot', 'warm', 'cold') then private.leads_band(e.score) else l.status end,
        scored_at = now()
    from evaluated e
    where l.id = e.lead_id
      and (l.score, l.trust_score, l.score_reasons, l.status) is distinct from
          (e.score, e.trust_score, e.reasons,
           case when l.status in ('new', 'hot', 'warm', 'cold') then private.leads_band(e.score) else l.status end)
    returning 1
  )
  select count(*) from changed
$$;

-- Product recommendations for business leads: every matching rule's product, best priority first.
create or replace function private.leads_recommend(lead_ids uuid[]) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
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

-- Routing ------------------------------------------------------------------------------------------------

-- Great-circle distance in kilometres (haversine, mean Earth radius).
create or replace function private.great_circle_km(lat1 float8, lon1 float8, lat2 float8, lon2 float8) returns float8
language sql immutable parallel safe set search_path = '' as $$
  select 2 * 6371.0088 * asin(sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2) +
    cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lon2 - lon1) / 2), 2)))
$$;

-- Routes the given unassigned leads: nearest active office by great-circle distance from the lead's
-- own coordinates, its first plant, or its ZIP centroid; the default office when no location is known
-- (reason no_location); then round-robin among the office's active sales members, taking turns from
-- the office's sequence (private.leads_office_turn), so concurrent routings never share a turn.
create or replace function private.leads_routing(lead_ids uuid[])
returns table (lead_id uuid, office_id uuid, owner_id uuid, latitude float8, longitude float8, routing jsonb)
language sql volatile security definer set search_path = '' as $$
  with zips as (
    select * from private.leads_zip_facts(array(
      select distinct l.zip from leads.leads l where l.id = any (lead_ids) and l.zip is not null))
  ), located as (
    select l.id,
           case when l.latitude is not null and l.longitude is not null then 'explicit_location'
                when plant.lat is not null then 'plant_location'
                when z.latitude is not null then 'zip_centroid'
                else 'no_location' end as how,
           coalesce(case when l.longitude is not null then l.latitude end, plant.lat, z.latitude) as lat,
           coalesce(case when l.latitude is not null then l.longitude end, plant.lon, z.longitude) as lon
    from leads.leads l
    left join lateral (
      select (p ->> 'latitude')::float8 as lat, (p ->> 'longitude')::float8 as lon
      from jsonb_array_elements(l.plant_locations) with ordinality as plants(p, n)
      where jsonb_typeof(p -> 'latitude') = 'number' and jsonb_typeof(p -> 'longitude') = 'number'
      order by n limit 1
    ) plant on true
    left join zips z on z.zip = l.zip
    where l.id = any (lead_ids) and l.office_id is null
  ), chosen as (
    select lo.id, lo.how, lo.lat, lo.lon,
           coalesce(near.id, (select o.id from leads.regional_offices o where o.is_default and o.active)) as office_id,
           case when near.id is not null then 'nearest_office' else 'default_office' end as office_reason,
           near.km
    from located lo
    left join lateral (
      select o.id, private.great_circle_km(lo.lat, lo.lon, o.latitude, o.longitude) as km
      from leads.regional_offices o
      where o.active and o.latitude is not null and lo.lat is not null
      order by 2 limit 1
    ) near on true
  ), numbered as (
    select c.*, case when c.office_id is not null then private.leads_office_turn(c.office_id) end as turn
    from chosen c
  ), members as (
    select m.office_id, m.user_id,
           row_number() over (partition by m.office_id order by m.user_id) - 1 as position,
           count(*) over (partition by m.office_id) as size
    from leads.office_members m
    join private.user_roles r on r.user_id = m.user_id and r.role = 'sales'
    where m.active and m.office_id in (select n.office_id from numbered n)
  )
  select n.id, n.office_id, m.user_id, n.lat, n.lon,
         jsonb_build_object(
           'reasons', jsonb_build_array(n.how, n.office_reason,
                                        case when m.user_id is null then 'no_sales_owner' else 'round_robin_owner' end),
           'distanceKm', round(n.km::numeric, 1))
  from numbered n
  left join members m on m.office_id = n.office_id and m.position = n.turn % m.size
$$;

-- Scores, recommends and routes the given leads: what every new or changed lead goes through. Score
-- and routing land in one UPDATE, so the history and rollup triggers run once per batch.
create or replace function private.leads_process(lead_ids uuid[]) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  touched bigint;
begin
  with evaluated as (
    select * from private.leads_evaluate(lead_ids)
  ), routed as (
    select * from private.leads_routing(lead_ids)
  ), changed as (
    update leads.leads l
    set score = e.score,
        trust_score = e.trust_score,
        score_reasons = e.reasons,
        status = case when l.status in ('new', 'hot', 'warm', 'cold') then private.leads_band(e.score) else l.status end,
        scored_at = now(),
        office_id = case when r.lead_id is not null then r.office_id else l.office_id end,
        owner_id = case when r.lead_id is not null then r.owner_id else l.owner_id end,
        latitude = coalesce(l.latitude, r.latitude),
        longitude = coalesce(l.longitude, r.longitude),
        routing = coalesce(r.routing, l.routing)
    from evaluated e
    left join routed r on r.lead_id = e.lead_id
    where l.id = e.lead_id
    returning 1
  )
  select count(*) into touched from changed;
  perform private.leads_recommend(lead_ids);
  return touched;
end;
$$;

-- The scoring RPC: the score, the trust score and every reason that contributed, for one lead the
-- caller may see. Applies the result too when the caller is staff that may change leads.
create or replace function leads.score_lead(lead_id uuid) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  result jsonb;
begin
  -- Definer, so visibility is checked here exactly as the select policies on leads.leads do.
  if not exists (
    select 1 from leads.leads l
    where l.id = score_lead.lead_id
      and (auth.role() = 'service_role'
           or private.has_any_role(array['admin', 'analyst'])
           or (private.has_role('sales') and l.office_id = any (private.leads_my_office_ids())))
  ) then
    raise exception 'lead % not found', lead_id using errcode = 'P0002';
  end if;
  -- Analysts read scores; admins, sales and pipelines also apply them.
  if auth.role() = 'service_role' or private.has_any_role(array['admin', 'sales']) then
    perform private.leads_apply_scores(array[lead_id]);
  end if;
  select jsonb_build_object('leadId', e.lead_id, 'score', e.score, 'trustScore', e.trust_score,
                            'band', private.leads_band(e.score), 'reasons', e.reasons)
    into result
  from private.leads_evaluate(array[lead_id]) e;
  return result;
end;
$$;
grant execute on function leads.score_lead(uuid), leads.zip_location(text) to authenticated, service_role;

-- Event history --------------------------------------------------------------------------------------

create or replace function private.leads_record_created() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into leads.events (lead_id, type, to_value, actor_id, actor_role, details)
  select n.id, 'created', n.status, auth.uid(), coalesce(auth.jwt() ->> 'user_role', auth.role()),
         jsonb_build_object('kind', n.kind, 'sourceId', n.source_id)
  from new_rows n;
  return null;
end;
$$;

-- One statement-level trigger records every status change, score change and assignment of a
-- statement (bulk updates included) with the actor from the JWT and the reason the caller set in
-- the transaction-local settings leads.reason_code / leads.note. Newly hot leads are announced to
-- the live dashboard (realtime broadcast) and to subscribed CRMs (outbox).
create or replace function private.leads_record_changes() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
  actor_role text := coalesce(auth.jwt() ->> 'user_role', auth.role(), 'system');
  reason text := nullif(current_setting('leads.reason_code', true), '');
  note text := nullif(current_setting('leads.note', true), '');
  hot record;
begin
  insert into leads.events (lead_id, type, from_value, to_value, reason_code, note, actor_id, actor_role, details)
  select n.id, 'status_changed', o.status, n.status, coalesce(reason, 'score_band'), note, actor, actor_role, '{}'::jsonb
  from new_rows n join old_rows o on o.id = n.id
  where n.status is distinct from o.status
  union all
  select n.id, 'score_changed', o.score::text, n.score::text, 'rescored', null, actor, actor_role,
         jsonb_build_object('trustScore', n.trust_score, 'reasons', n.score_reasons)
  from new_rows n join old_rows o on o.id = n.id
  where n.score is distinct from o.score or n.trust_score is distinct from o.trust_score
  union all
  select n.id, 'assigned', concat_ws('/', o.office_id, o.owner_id), concat_ws('/', n.office_id, n.owner_id),
         coalesce(reason, 'routed'), note, actor, actor_role, n.routing
  from new_rows n join old_rows o on o.id = n.id
  where n.office_id is distinct from o.office_id or n.owner_id is distinct from o.owner_id;

  for hot in
    select n.id, n.kind, n.score, n.trust_score, n.office_id, n.owner_id, n.company_name, n.industry, n.zip
    from new_rows n join old_rows o on o.id = n.id
    where n.status = 'hot' and o.status is distinct from 'hot'
  loop
    perform realtime.send(to_jsonb(hot), 'lead_hot', 'leads:dashboard', true);
  end loop;

  perform ops.enqueue_webhooks('lead.hot', array(
    select jsonb_build_object(
      'type', 'lead.hot', 'occurredAt', now(),
      'lead', jsonb_build_object('id', n.id, 'kind', n.kind, 'firstName', n.first_name, 'lastName', n.last_name,
                                 'email', n.email, 'phone', n.phone, 'companyName', n.company_name,
                                 'industry', n.industry, 'zip', n.zip, 'score', n.score, 'trustScore', n.trust_score,
                                 'reasons', n.reason_codes, 'officeId', n.office_id, 'ownerId', n.owner_id))
    from new_rows n join old_rows o on o.id = n.id
    where n.status = 'hot' and o.status is distinct from 'hot'));
  return null;
end;
$$;

create trigger leads_record_created after insert on leads.leads
  referencing new table as new_rows for each statement execute function private.leads_record_created();
create trigger leads_record_changes after update on leads.leads
  referencing old table as old_rows new table as new_rows for each statement execute function private.leads_record_changes();

-- Live dashboard broadcasts: staff who work leads may join the private leads:dashboard topic.
create policy "lead staff receive leads dashboard broadcasts" on realtime.messages for select to authenticated
  using (
    (select realtime.topic()) = 'leads:dashboard'
    and (select private.has_any_role(array['admin', 'analyst', 'sales']))
  );

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
