-- Capture and import: the only ways leads enter. Both run as definer RPCs that only service_role may
-- execute (the leads function calls them after validating, rate limiting and authorizing), so anon
-- never inserts into leads.leads directly. Input objects use the API's camelCase field names and are
-- already normalized (lower-case e-mail, E.164 phone).

-- Inserts lead objects that carry their own "id" and "sourceId". Returns the rows inserted.
create or replace function private.leads_insert(rows jsonb) returns bigint
language sql volatile security definer set search_path = '' as $$
  with inserted as (
    insert into leads.leads (
      id, kind, first_name, last_name, email, phone, company_name, industry, company_size, plant_locations,
      zip, city, latitude, longitude, usage_kwh, move_in_date, form_type, utm_source, utm_medium, utm_campaign,
      utm_term, utm_content, referrer, landing_page, consent, consent_at, consent_version, session_id, source_id)
    select (r ->> 'id')::uuid, r ->> 'kind', r ->> 'firstName', r ->> 'lastName', lower(r ->> 'email'), r ->> 'phone',
           r ->> 'companyName', r ->> 'industry', (r ->> 'companySize')::int, coalesce(r -> 'plants', '[]'::jsonb),
           r ->> 'zip', r ->> 'city', (r ->> 'latitude')::float8, (r ->> 'longitude')::float8,
           (r ->> 'usageKwh')::numeric, (r ->> 'moveInDate')::date, r ->> 'formType',
           r #>> '{utm,source}', r #>> '{utm,medium}', r #>> '{utm,campaign}', r #>> '{utm,term}', r #>> '{utm,content}',
           r ->> 'referrer', r ->> 'landingPage', coalesce((r ->> 'consent')::boolean, false),
           case when (r ->> 'consent')::boolean then now() end, r ->> 'consentVersion',
           (r ->> 'sessionId')::uuid, (r ->> 'sourceId')::uuid
    from jsonb_array_elements(rows) r
    returning 1
  )
  select count(*) from inserted
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

-- Capture of one lead from the web: de-duplicates within 24 hours on e-mail or phone (a repeat
-- merges its activity into the earlier lead), links the tracking session, scores, recommends and
-- routes. Returns {id, created, status, score, trustScore, reasons, officeId}.
create or replace function leads.capture(lead jsonb) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
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
    perform private.leads_insert(jsonb_build_array(lead || jsonb_build_object(
      'id', lead_id,
      'sourceId', (select s.id from leads.sources s where s.name = coalesce(lead ->> 'source', 'website')))));
  else
    -- Fill what the earlier submission lacked; newer intent (usage, move-in, form) wins.
    update leads.leads l
    set submissions = l.submissions + 1,
        last_activity_at = now(),
        email = coalesce(l.email, lead_email),
        phone = coalesce(l.phone, lead_phone),
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
    where l.id = lead_id;
    insert into leads.events (lead_id, type, reason_code, details)
    values (lead_id, 'merged', 'duplicate_within_24h', jsonb_strip_nulls(jsonb_build_object(
      'sessionId', lead ->> 'sessionId', 'formType', lead ->> 'formType', 'utm', lead -> 'utm')));
  end if;

  perform private.leads_process(array[lead_id]);

  select jsonb_build_object('id', l.id, 'created', was_created, 'status', l.status, 'score', l.score,
                            'trustScore', l.trust_score, 'reasons', l.score_reasons, 'officeId', l.office_id)
    into result
  from leads.leads l where l.id = lead_id;
  return result;
end;
$$;

-- Bulk import of discovered (B2B) leads from one source. Rows already validated by the function.
-- Rows matching a lead of the last 24 hours (or an earlier row of the same batch) on e-mail or phone
-- are reported as duplicates and merge their activity; the rest are inserted, scored, recommended
-- and routed in set-based statements. Returns {inserted: [{row, id}], duplicates: [{row, id}]}.
create or replace function leads.import_leads(rows jsonb, source_name text) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  import_source uuid;
  result jsonb;
  new_ids uuid[];
begin
  select s.id into import_source from leads.sources s where s.name = source_name;
  if import_source is null then
    raise exception 'unknown lead source %', source_name using errcode = 'P0002';
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

  perform private.leads_insert(coalesce((
    select jsonb_agg(i.lead || jsonb_build_object('id', i.id, 'sourceId', import_source))
    from pg_temp.lead_import i where i.existing is null and i.first_in_batch), '[]'::jsonb));

  update leads.leads l
  set submissions = l.submissions + d.repeats, last_activity_at = now()
  from (select i.existing, count(*)::int as repeats from pg_temp.lead_import i where i.existing is not null
        group by i.existing) d
  where l.id = d.existing;

  new_ids := array(select i.id from pg_temp.lead_import i where i.existing is null and i.first_in_batch);
  perform private.leads_process(new_ids);
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

-- Rescoring: engagement signals change as visitors keep browsing, so recent open leads are rescored
-- every 15 minutes and every open lead nightly. Both return the number of leads that changed.
create or replace function private.leads_rescore_recent() returns bigint
language sql volatile security definer set search_path = '' as $$
  select private.leads_apply_scores(array(
    select l.id from leads.leads l
    where l.status in ('new', 'hot', 'warm', 'cold') and l.last_activity_at > now() - interval '7 days'))
$$;

create or replace function private.leads_rescore_all() returns bigint
language sql volatile security definer set search_path = '' as $$
  select private.leads_apply_scores(array(
    select l.id from leads.leads l where l.status in ('new', 'hot', 'warm', 'cold')))
$$;

-- Admins rescore on demand (e.g. right after editing scoring rules): given leads, or all open ones.
create or replace function leads.rescore(lead_ids uuid[] default null) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
begin
  if not (auth.role() = 'service_role' or private.has_role('admin')) then
    raise exception 'only admins may rescore leads' using errcode = '42501';
  end if;
  if lead_ids is null then
    return private.leads_rescore_all();
  end if;
  return private.leads_apply_scores(lead_ids);
end;
$$;
grant execute on function leads.rescore(uuid[]) to authenticated, service_role;

select cron.schedule('leads-rescore-recent', '*/15 * * * *',
  $$select private.run_job('leads-rescore-recent', 'select private.leads_rescore_recent()')$$);
select cron.schedule('leads-rescore-nightly', '40 2 * * *',
  $$select private.run_job('leads-rescore-nightly', 'select private.leads_rescore_all()')$$);
