-- Leads row-level security and grants: one permissive policy per table, role and action; staff
-- read what their role allows, admins change reference data, sales work their offices' leads.

-- Row-level security ---------------------------------------------------------------------------------
alter table leads.regional_offices enable row level security;
alter table leads.office_members enable row level security;
alter table leads.sources enable row level security;
alter table leads.products enable row level security;
alter table leads.leads enable row level security;
alter table leads.events enable row level security;
alter table leads.lead_recommendations enable row level security;
alter table leads.scoring_rules enable row level security;
alter table leads.recommendation_rules enable row level security;

-- The offices the signed-in user works for. Definer: policies on leads must not depend on the
-- caller's right to read office_members. Stable, and wrapped in (select ...) by every policy.
create or replace function private.leads_my_office_ids() returns uuid[]
language sql stable security definer set search_path = '' as $$
  select coalesce(array_agg(m.office_id), '{}')
  from leads.office_members m
  where m.user_id = (select auth.uid()) and m.active
$$;
grant execute on function private.leads_my_office_ids() to authenticated, service_role;

-- The workflow's assignment check, asked before it moves leads: only admins and the office's own sales
-- put a lead into an office. Raised as PT403 (the error convention) where the update policy's check
-- would otherwise refuse with a bare 42501.
create or replace function private.leads_require_office(office_id uuid) returns void
language plpgsql stable set search_path = '' as $$
begin
  if auth.role() = 'service_role' or private.has_role('admin')
     or (private.has_role('sales') and office_id = any (private.leads_my_office_ids())) then
    return;
  end if;
  raise exception using errcode = 'PT403', hint = 'forbidden', message = 'Leads go only into offices you work for.';
end;
$$;
comment on function private.leads_require_office(uuid) is
  'PT403 unless the caller may put leads into this office (admins, the office''s own sales, service_role).';
grant execute on function private.leads_require_office(uuid) to authenticated, service_role;

create policy "staff read offices" on leads.regional_offices for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales', 'support'])));
create policy "admins add offices" on leads.regional_offices for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change offices" on leads.regional_offices for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove offices" on leads.regional_offices for delete to authenticated
  using ((select private.has_role('admin')));

create policy "staff read office members" on leads.office_members for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])));
create policy "admins add office members" on leads.office_members for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change office members" on leads.office_members for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove office members" on leads.office_members for delete to authenticated
  using ((select private.has_role('admin')));

create policy "staff read sources" on leads.sources for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])));
create policy "admins add sources" on leads.sources for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change sources" on leads.sources for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove sources" on leads.sources for delete to authenticated
  using ((select private.has_role('admin')));

create policy "staff read products" on leads.products for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])));
create policy "admins add products" on leads.products for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change products" on leads.products for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove products" on leads.products for delete to authenticated
  using ((select private.has_role('admin')));

create policy "staff read scoring rules" on leads.scoring_rules for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])));
create policy "admins add scoring rules" on leads.scoring_rules for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change scoring rules" on leads.scoring_rules for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove scoring rules" on leads.scoring_rules for delete to authenticated
  using ((select private.has_role('admin')));

create policy "staff read recommendation rules" on leads.recommendation_rules for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])));
create policy "admins add recommendation rules" on leads.recommendation_rules for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins change recommendation rules" on leads.recommendation_rules for update to authenticated
  using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins remove recommendation rules" on leads.recommendation_rules for delete to authenticated
  using ((select private.has_role('admin')));

-- Leads: admin and analyst read all; sales read their offices' leads; a customer reads the leads
-- carrying their own (lower-cased) e-mail. Only admin and sales change leads; nobody deletes but admin.
-- One permissive policy per action (each is evaluated for every row), the cases joined by `or`.
create policy "staff read the leads they work, customers their own" on leads.leads for select to authenticated
  using (
    (select private.has_any_role(array['admin', 'analyst']))
    or ((select private.has_role('sales')) and office_id = any ((select private.leads_my_office_ids())::uuid[]))
    or email = lower((select auth.email()))
  );
create policy "admins and their offices' sales update leads" on leads.leads for update to authenticated
  using (
    (select private.has_role('admin'))
    or ((select private.has_role('sales')) and office_id = any ((select private.leads_my_office_ids())::uuid[]))
  )
  with check (
    (select private.has_role('admin'))
    or ((select private.has_role('sales')) and office_id = any ((select private.leads_my_office_ids())::uuid[]))
  );
create policy "admins insert leads" on leads.leads for insert to authenticated
  with check ((select private.has_role('admin')));
create policy "admins delete leads" on leads.leads for delete to authenticated
  using ((select private.has_role('admin')));

-- Events and recommendations follow the visibility of their lead (the subquery runs under RLS).
-- History carries internal sales notes: staff only, never the customer the lead is about.
create policy "staff read events of visible leads" on leads.events for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'sales'])) and lead_id in (select l.id from leads.leads l));
create policy "staff add feedback to leads they may change" on leads.events for insert to authenticated
  with check (
    type = 'feedback' and actor_id = (select auth.uid())
    and (select private.has_any_role(array['admin', 'sales']))
    and lead_id in (select l.id from leads.leads l)
  );
create policy "read recommendations of visible leads" on leads.lead_recommendations for select to authenticated
  using (lead_id in (select l.id from leads.leads l));

-- Grants: anon gets nothing (capture goes through the leads function); authenticated gets what the
-- policies above narrow down; service_role runs the pipelines.
revoke all on all tables in schema leads from anon, authenticated;
grant select on leads.regional_offices, leads.office_members, leads.sources, leads.products, leads.scoring_rules,
  leads.recommendation_rules, leads.leads, leads.events, leads.lead_recommendations to authenticated;
grant insert, update, delete on leads.regional_offices, leads.office_members, leads.sources, leads.products,
  leads.scoring_rules, leads.recommendation_rules to authenticated;
grant insert, delete on leads.leads to authenticated;
grant update (status, office_id, owner_id, first_name, last_name, company_name, industry, company_size, city)
  on leads.leads to authenticated;
grant insert on leads.events to authenticated;
grant all on all tables in schema leads to service_role;
grant usage on all sequences in schema leads to authenticated, service_role;
