-- Capture and import: the only ways leads enter. Both run as definer RPCs that only service_role may
-- execute (the leads function calls them after validating, rate limiting and authorizing), so anon
-- never inserts into leads.leads directly. Input objects use the API's camelCase field names and are
-- already normalized (lower-case e-mail, E.164 phone).
--
-- A new lead is scored and routed before it is written and lands in one INSERT: the history, rollup
-- and announcement triggers fire once per statement, never for a follow-up UPDATE.

-- Lead rows (not yet stored) from API objects that carry their own "id" and "sourceId".
create or replace function private.leads_candidates(rows jsonb) returns leads.leads[]
language plpgsql stable set search_path = '' as $$
begin
  return array(
    select jsonb_populate_record(null::leads.leads, jsonb_build_object(
      'id', r ->> 'id', 'kind', r ->> 'kind', 'first_name', r ->> 'firstName', 'last_name', r ->> 'lastName',
      'email', lower(r ->> 'email'), 'phone', r ->> 'phone', 'company_name', r ->> 'companyName',
      'industry', r ->> 'industry', 'company_size', r -> 'companySize',
      'plant_locations', coalesce(r -> 'plants', '[]'::jsonb), 'zip', r ->> 'zip', 'city', r ->> 'city',
      'latitude', r -> 'latitude', 'longitude', r -> 'longitude', 'usage_kwh', r -> 'usageKwh',
      'move_in_date', r ->> 'moveInDate', 'form_type', r ->> 'formType',
      'utm_source', r #>> '{utm,source}', 'utm_medium', r #>> '{utm,medium}', 'utm_campaign', r #>> '{utm,campaign}',
      'utm_term', r #>> '{utm,term}', 'utm_content', r #>> '{utm,content}', 'referrer', r ->> 'referrer',
      'landing_page', r ->> 'landingPage', 'consent', coalesce((r ->> 'consent')::boolean, false),
      'consent_at', case when (r ->> 'consent')::boolean then now() end, 'consent_version', r ->> 'consentVersion',
      'session_id', r ->> 'sessionId', 'source_id', r ->> 'sourceId', 'submissions', 1, 'status', 'new'))
    from jsonb_array_elements(rows) r);
end;
$$;

-- Scores, routes and inserts the candidate leads in one statement, then recommends products for the
-- business ones. Returns the rows inserted.
create or replace function private.leads_insert_scored(candidates leads.leads[]) returns bigint
language plpgsql volatile set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  inserted_count bigint;
begin
  with evaluated as (
    select * from private.leads_evaluate(candidates)
  ), routed as (
    select * from private.leads_routing(candidates)
  ), inserted as (
    insert into leads.leads (
      id, kind, first_name, last_name, email, phone, company_name, industry, company_size, plant_locations,
      zip, city, latitude, longitude, usage_kwh, move_in_date, form_type, utm_source, utm_medium, utm_campaign,
      utm_term, utm_content, referrer, landing_page, consent, consent_at, consent_version, session_id, source_id,
      score, trust_score, score_reasons, status, scored_at, office_id, owner_id, routing)
    select c.id, c.kind, c.first_name, c.last_name, c.email, c.phone, c.company_name, c.industry, c.company_size,
           c.plant_locations, c.zip, c.city, coalesce(c.latitude, r.latitude), coalesce(c.longitude, r.longitude),
           c.usage_kwh, c.move_in_date, c.form_type, c.utm_source, c.utm_medium, c.utm_campaign, c.utm_term,
           c.utm_content, c.referrer, c.landing_page, c.consent, c.consent_at, c.consent_version, c.session_id,
           c.source_id, e.score, e.trust_score, e.reasons, private.leads_band(e.score), now(), r.office_id,
           r.owner_id, coalesce(r.routing, '{}'::jsonb)
    from unnest(candidates) c
    join evaluated e on e.lead_id = c.id
    left join routed r on r.lead_id = c.id
    returning 1
  )
  select count(*) into inserted_count from inserted;
  perform private.leads_recommend(array(select c.id from unnest(candidates) c where c.kind = 'business'));
  return inserted_count;
end;
$$;

-- Rescores, re-recommends and (when unassigned) routes stored leads whose facts changed: what a
-- merged repeat submission goes through. Score and routing land in one UPDATE.
create or replace function private.leads_process(lead_ids uuid[]) returns bigint
language plpgsql volatile set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  stored leads.leads[] := private.leads_stored(lead_ids);
  touched bigint;
begin
  with evaluated as (
    select * from private.leads_evaluate(stored)
  ), routed as (
    select * from private.leads_routing(stored)
  ), changed as (
    update leads.leads l
    set score = e.score,
        trust_score = e.trust_score,
        score_reasons = e.reasons,
        status = private.leads_scored_status(l.status, e.score),
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

-- Serializes work on the same contact (e-mail / phone) until the transaction ends, in a fixed order
-- so two captures can never wait on each other in a cycle.
create or replace function private.leads_lock_contacts(emails text[], phones text[]) returns void
language plpgsql volatile set search_path = '' as $$
declare
  lock_key bigint;
begin
  for lock_key in
    select distinct hashtextextended(key, 0)
    from (select 'leads:email:' || e from unnest(emails) e where e is not null
          union all select 'leads:phone:' || p from unnest(phones) p where p is not null) keys(key)
    order by 1
  loop
    perform pg_advisory_xact_lock(lock_key);
  end loop;
end;
$$;

-- The lead seen in the last 24 hours with this e-mail or phone, if any.
create or replace function private.leads_recent_duplicate(lead_email text, lead_phone text) returns uuid
language sql stable set search_path = '' as $$
  select l.id from leads.leads l
  where l.created_at > now() - interval '24 hours'
    and ((lead_email is not null and l.email = lead_email) or (lead_phone is not null and l.phone = lead_phone))
  order by l.created_at desc
  limit 1
$$;

-- A repeat submission of a lead seen within 24 hours: fills what the earlier submission lacked
-- (newer intent, i.e. usage, move-in and form, wins), counts it and records the merge.
create or replace function private.leads_merge_submission(lead_id uuid, lead jsonb) returns void
language plpgsql volatile set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
begin
  update leads.leads l
  set submissions = l.submissions + 1,
      last_activity_at = now(),
      email = coalesce(l.email, lower(nullif(lead ->> 'email', ''))),
      phone = coalesce(l.phone, nullif(lead ->> 'phone', '')),
      first_name = coalesce(l.first_name, lead ->> 'firstName'),
      last_name = coalesce(l.last_name, lead ->> 'lastName'),
      company_name = coalesce(l.company_name, lead ->> 'companyName'),
      industry = coalesce(l.industry, lead ->> 'industry'),
      zip = coalesce(l.zip, lead ->> 'zip'),
      session_id = coalesce(l.session_id, (lead ->> 'sessionId')::uuid),
      form_type = coalesce(lead ->> 'formType', l.form_type),
      usage_kwh = coalesce((lead ->> 'usageKwh')::numeric, l.usage_kwh),
      move_in_date = coalesce((lead ->> 'moveInDate')::date, l.move_in_date),
      consent = l.consent or coalesce((lead ->> 'consent')::boolean, false),
      consent_at = case when l.consent then l.consent_at when (lead ->> 'consent')::boolean then now() end,
      consent_version = case when l.consent then l.consent_version else lead ->> 'consentVersion' end
  where l.id = leads_merge_submission.lead_id;
  insert into leads.events (lead_id, type, reason_code, details)
  values (leads_merge_submission.lead_id, 'merged', 'duplicate_within_24h', jsonb_strip_nulls(jsonb_build_object(
    'sessionId', lead ->> 'sessionId', 'formType', lead ->> 'formType', 'utm', lead -> 'utm')));
  perform private.leads_process(array[leads_merge_submission.lead_id]);
end;
$$;

-- Capture of one lead from the web: de-duplicates within 24 hours on e-mail or phone (a repeat
-- merges its activity into the earlier lead), links the tracking session, scores, recommends and
-- routes. Returns {id, created, status, score, trustScore, reasons, officeId}.
create or replace function leads.capture(lead jsonb) returns jsonb
language plpgsql volatile security definer set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  lead_email text := lower(nullif(lead ->> 'email', ''));
  lead_phone text := nullif(lead ->> 'phone', '');
  lead_id uuid;
  was_created boolean := false;
  result jsonb;
begin
  perform private.leads_lock_contacts(array[lead_email], array[lead_phone]);
  lead_id := private.leads_recent_duplicate(lead_email, lead_phone);

  if lead_id is null then
    lead_id := gen_random_uuid();
    was_created := true;
    perform private.leads_insert_scored(private.leads_candidates(jsonb_build_array(lead || jsonb_build_object(
      'id', lead_id,
      'sourceId', (select s.id from leads.sources s where s.name = coalesce(lead ->> 'source', 'website'))))));
  else
    perform private.leads_merge_submission(lead_id, lead);
  end if;

  select jsonb_build_object('id', l.id, 'created', was_created, 'status', l.status, 'score', l.score,
                            'trustScore', l.trust_score, 'reasons', l.score_reasons, 'officeId', l.office_id)
    into result
  from leads.leads l where l.id = lead_id;
  return result;
end;
$$;

-- Bulk import of discovered (B2B) leads from one source. Rows already validated by the function.
-- Rows matching a lead of the last 24 hours (or an earlier row of the same batch) on e-mail or phone
-- are reported as duplicates and merge their activity; the rest are scored, routed and inserted in
-- one set-based statement, then recommended. Returns {inserted: [{row, id}], duplicates: [{row, id}]}.
create or replace function leads.import_leads(rows jsonb, source_name text) returns jsonb
language plpgsql volatile security definer set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  import_source uuid;
  result jsonb;
begin
  select s.id into import_source from leads.sources s where s.name = source_name;
  if import_source is null then
    raise exception using errcode = 'PT422', hint = 'unknown_source',
      message = format('Unknown lead source "%s".', source_name);
  end if;

  perform private.leads_lock_contacts(
    array(select lower(r ->> 'email') from jsonb_array_elements(rows) r),
    array(select r ->> 'phone' from jsonb_array_elements(rows) r));

  create temporary table if not exists pg_temp.lead_import (
    n int, lead jsonb, id uuid, email text, phone text, existing uuid, first_in_batch boolean
  ) on commit drop;
  truncate pg_temp.lead_import;

  insert into pg_temp.lead_import (n, lead, id, email, phone, existing, first_in_batch)
  select r.n, r.lead, gen_random_uuid(), r.email, r.phone, private.leads_recent_duplicate(r.email, r.phone),
         (r.email is null or r.n = min(r.n) over (partition by r.email))
           and (r.phone is null or r.n = min(r.n) over (partition by r.phone))
  from (
    select x.value as lead, x.ordinality::int - 1 as n, lower(nullif(x.value ->> 'email', '')) as email,
           nullif(x.value ->> 'phone', '') as phone
    from jsonb_array_elements(rows) with ordinality x
  ) r;

  perform private.leads_insert_scored(private.leads_candidates(coalesce((
    select jsonb_agg(i.lead || jsonb_build_object('id', i.id, 'sourceId', import_source))
    from pg_temp.lead_import i where i.existing is null and i.first_in_batch), '[]'::jsonb)));

  update leads.leads l
  set submissions = l.submissions + d.repeats, last_activity_at = now()
  from (select i.existing, count(*)::int as repeats from pg_temp.lead_import i where i.existing is not null
        group by i.existing) d
  where l.id = d.existing;

  update leads.sources s set last_crawled_at = now() where s.id = import_source;

  select jsonb_build_object(
    'inserted', coalesce(jsonb_agg(jsonb_build_object('row', i.n, 'id', i.id) order by i.n)
                  filter (where i.existing is null and i.first_in_batch), '[]'::jsonb),
    'duplicates', coalesce(jsonb_agg(jsonb_build_object('row', i.n, 'id', coalesce(i.existing, (
                    select f.id from pg_temp.lead_import f
                    where f.first_in_batch and f.existing is null and (f.email = i.email or f.phone = i.phone)
                    order by f.n limit 1))) order by i.n)
                  filter (where i.existing is not null or not i.first_in_batch), '[]'::jsonb))
    into result
  from pg_temp.lead_import i;
  return result;
end;
$$;

revoke execute on function leads.capture(jsonb), leads.import_leads(jsonb, text) from public, anon, authenticated;
grant execute on function leads.capture(jsonb), leads.import_leads(jsonb, text) to service_role;

-- Rescoring: engagement signals change as visitors keep browsing, so recent open leads with a tracked
-- session are rescored every 15 minutes, and every open lead nightly (which also moves the day-based
-- signals such as move_in_days). A lead without a session has no signal that changes within a day:
-- rescoring the thousands an import or a form brings every 15 minutes took a core for half a minute
-- and changed nothing. Both return the number of leads that changed.
create or replace function private.leads_rescore_recent() returns bigint
language sql volatile set search_path = '' as $$
  select private.leads_apply_scores(array(
    select l.id from leads.leads l
    where l.status in ('new', 'hot', 'warm', 'cold') and l.session_id is not null
      and l.last_activity_at > now() - interval '7 days'))
$$;

create or replace function private.leads_rescore_all() returns bigint
language sql volatile set search_path = '' as $$
  select private.leads_apply_scores(array(
    select l.id from leads.leads l where l.status in ('new', 'hot', 'warm', 'cold')))
$$;

-- Rescoring on demand (e.g. right after editing scoring rules), for admins and pipelines: the given
-- leads, or every open one. Definer (it writes score columns no caller may write), so it checks the
-- role itself; leads.rescore is the invoker entry point the Data API exposes.
create or replace function private.leads_rescore(lead_ids uuid[]) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
begin
  perform private.require_any_role(array['admin']);
  if lead_ids is null then
    return private.leads_rescore_all();
  end if;
  return private.leads_apply_scores(lead_ids);
end;
$$;
grant execute on function private.leads_rescore(uuid[]) to authenticated, service_role;

create or replace function leads.rescore(lead_ids uuid[] default null) returns bigint
language sql volatile security invoker set search_path = '' as $$
  select private.leads_rescore(rescore.lead_ids)
$$;
comment on function leads.rescore(uuid[]) is
  'Admins: rescore the given leads (or every open lead when null); returns how many changed.';
grant execute on function leads.rescore(uuid[]) to authenticated, service_role;

-- The scoring RPC: the score, the trust score and every reason that contributed, for one lead the
-- caller may see (PT404 otherwise, exactly as the select policies on leads.leads decide). Analysts
-- read scores; admins, sales and pipelines also apply them. Definer, because applying writes score
-- columns no caller may write; leads.score_lead is the invoker entry point.
create or replace function private.leads_score_lead(lead_id uuid) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  result jsonb;
begin
  perform private.require_any_role(array['admin', 'analyst', 'sales']);
  if not exists (
    select 1 from leads.leads l
    where l.id = leads_score_lead.lead_id
      and (auth.role() = 'service_role'
           or private.has_any_role(array['admin', 'analyst'])
           or (private.has_role('sales') and l.office_id = any (private.leads_my_office_ids())))
  ) then
    raise exception using errcode = 'PT404', hint = 'lead_not_found', message = 'No such lead.';
  end if;
  if auth.role() = 'service_role' or private.has_any_role(array['admin', 'sales']) then
    perform private.leads_apply_scores(array[lead_id]);
  end if;
  select jsonb_build_object('leadId', e.lead_id, 'score', e.score, 'trustScore', e.trust_score,
                            'band', private.leads_band(e.score), 'reasons', e.reasons)
    into result
  from private.leads_evaluate(private.leads_stored(array[lead_id])) e;
  return result;
end;
$$;
grant execute on function private.leads_score_lead(uuid) to authenticated, service_role;

create or replace function leads.score_lead(lead_id uuid) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.leads_score_lead(score_lead.lead_id)
$$;
comment on function leads.score_lead(uuid) is
  'Staff: score, trust score, band and contributing reasons of one visible lead (applied for admins and sales).';
grant execute on function leads.score_lead(uuid) to authenticated, service_role;

select cron.schedule('leads-rescore-recent', '*/15 * * * *',
  $$select private.run_job('leads-rescore-recent', 'select private.leads_rescore_recent()')$$);
select cron.schedule('leads-rescore-nightly', '40 2 * * *',
  $$select private.run_job('leads-rescore-nightly', 'select private.leads_rescore_all()')$$);

-- Comments: what each RPC does (Studio shows them; tests/db/foundation/08-comments).

comment on function leads.capture(jsonb) is 'Service role: captures one lead (24-hour de-duplication, scoring, routing, recommendations); returns id, created, status, score, trustScore, reasons, officeId.';
comment on function leads.import_leads(jsonb, text) is 'Service role: imports validated B2B leads from one source; returns inserted and duplicate rows.';
