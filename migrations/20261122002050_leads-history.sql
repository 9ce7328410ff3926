-- Leads history: statement-level triggers write every creation, status change, score change and
-- assignment to leads.events (with the actor from the JWT and the reason the caller set in the
-- transaction-local settings leads.reason_code / leads.note), and announce newly hot leads to the
-- live dashboard (Realtime broadcast) and to subscribed CRMs (the foundation's webhook outbox).

-- Announces leads that just became hot: one broadcast each on the private leads:dashboard topic and
-- one lead.hot outbox event each for every subscribed endpoint.
create or replace function private.leads_announce_hot(newly_hot leads.leads[]) returns void
language plpgsql volatile set search_path = '' as $$
declare
  hot record;
begin
  if coalesce(cardinality(newly_hot), 0) = 0 then
    return;
  end if;
  for hot in
    select h.id, h.kind, h.score, h.trust_score, h.office_id, h.owner_id, h.company_name, h.industry, h.zip
    from unnest(newly_hot) h
  loop
    perform realtime.send(to_jsonb(hot), 'lead_hot', 'leads:dashboard', true);
  end loop;

  perform ops.enqueue_webhooks('lead.hot', array(
    select jsonb_build_object(
      'type', 'lead.hot', 'occurredAt', now(),
      'lead', jsonb_build_object('id', h.id, 'kind', h.kind, 'firstName', h.first_name, 'lastName', h.last_name,
                                 'email', h.email, 'phone', h.phone, 'companyName', h.company_name,
                                 'industry', h.industry, 'zip', h.zip, 'score', h.score, 'trustScore', h.trust_score,
                                 'reasons', h.reason_codes, 'officeId', h.office_id, 'ownerId', h.owner_id))
    from unnest(newly_hot) h));
end;
$$;

-- A new lead arrives scored and routed in one INSERT (leads.capture, leads.import_leads). Its history
-- reads as if it had been created new and then banded, scored and assigned: one event each.
create or replace function private.leads_record_created() returns trigger
language plpgsql security definer set search_path = ''
  set plan_cache_mode = force_generic_plan as $$
declare
  actor uuid := auth.uid();
  actor_role text := coalesce(auth.jwt() ->> 'user_role', auth.role(), 'system');
begin
  insert into leads.events (lead_id, type, from_value, to_value, reason_code, actor_id, actor_role, details)
  select n.id, 'created', null, 'new', null, actor, actor_role,
         jsonb_build_object('kind', n.kind, 'sourceId', n.source_id)
  from new_rows n
  union all
  select n.id, 'status_changed', 'new', n.status, 'score_band', actor, actor_role, '{}'::jsonb
  from new_rows n where n.status <> 'new'
  union all
  select n.id, 'score_changed', '0', n.score::text, 'scored', actor, actor_role,
         jsonb_build_object('trustScore', n.trust_score, 'reasons', n.score_reasons)
  from new_rows n where n.score <> 0 or n.trust_score <> 0
  union all
  select n.id, 'assigned', '', concat_ws('/', n.office_id, n.owner_id), 'routed', actor, actor_role, n.routing
  from new_rows n where n.office_id is not null or n.owner_id is not null;

  -- Live leads only: a bulk load of history (created_at days back) is no news for the dashboard or CRM.
  perform private.leads_announce_hot(array(
    select row(n.*)::leads.leads from new_rows n where n.status = 'hot' and n.created_at > now() - interval '1 day'));
  return null;
end;
$$;

-- Every status change, score change and assignment of a statement (bulk updates included).
create or replace function private.leads_record_changes() returns trigger
language plpgsql security definer set search_path = '' as $$
declare
  actor uuid := auth.uid();
  actor_role text := coalesce(auth.jwt() ->> 'user_role', auth.role(), 'system');
  reason text := nullif(current_setting('leads.reason_code', true), '');
  note text := nullif(current_setting('leads.note', true), '');
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

  perform private.leads_announce_hot(array(
    select row(n.*)::leads.leads from new_rows n join old_rows o on o.id = n.id
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
