-- Leads: consumer leads from the plan marketplace (seed 000) and discovered industrial B2B leads
-- (seed 001) in one model. Tables, indexes, row-level security and grants; history, scoring,
-- routing, capture and dashboards live in the following leads-* migrations.

create schema if not exists leads;
grant usage on schema leads to anon, authenticated, service_role;

-- Regional offices and their sales team ---------------------------------------------------------------
create table leads.regional_offices (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (char_length(name) between 1 and 120),
  region text not null check (char_length(region) between 1 and 80),
  address text,
  city text,
  state text,
  contact_email text,
  contact_phone text,
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  active boolean not null default true,
  -- Where leads without any known location go (reason code no_location); at most one.
  is_default boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index regional_offices_one_default_idx on leads.regional_offices (is_default) where is_default;

-- Round-robin turns per office come from a sequence of the office's own: nextval never waits on
-- another transaction, so concurrent captures routed to one office do not queue behind each other
-- (a counter column would hold a row lock until each capture commits). Gaps after rollbacks only
-- skip a turn.
create or replace function private.leads_office_sequence(office_id uuid) returns text
language sql immutable set search_path = '' as $$
  select 'leads.office_turns_' || replace(office_id::text, '-', '')
$$;

create or replace function private.leads_manage_office_sequence() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'INSERT' then
    execute format('create sequence if not exists %s', private.leads_office_sequence(new.id));
    return new;
  end if;
  execute format('drop sequence if exists %s', private.leads_office_sequence(old.id));
  return old;
end;
$$;
create trigger regional_offices_turns after insert or delete on leads.regional_offices
  for each row execute function private.leads_manage_office_sequence();

-- The next round-robin turn of an office.
create or replace function private.leads_office_turn(office_id uuid) returns bigint
language sql volatile set search_path = '' as $$
  select nextval(private.leads_office_sequence(office_id)::regclass)
$$;

create table leads.office_members (
  office_id uuid not null references leads.regional_offices (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  active boolean not null default true,
  added_at timestamptz not null default now(),
  primary key (office_id, user_id)
);
create index office_members_user_idx on leads.office_members (user_id) where active;

-- Where leads come from (B2B discovery sources and consumer channels) --------------------------------
create table leads.sources (
  id uuid primary key default gen_random_uuid(),
  name text not null unique check (char_length(name) between 1 and 120),
  type text not null check (type in ('web_form', 'directory', 'registry', 'crawler', 'partner', 'import', 'referral')),
  url text,
  trust_score int not null default 50 check (trust_score between 0 and 100),
  last_crawled_at timestamptz,
  active boolean not null default true,
  created_at timestamptz not null default now()
);

-- Products recommended to business leads -----------------------------------------------------------
create table leads.products (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z0-9-]{2,40}$'),
  name text not null,
  description text,
  category text not null,
  recommendation_details text,
  image_url text,
  active boolean not null default true
);

-- Leads ---------------------------------------------------------------------------------------------
create or replace function private.leads_reason_codes(score_reasons jsonb, routing jsonb) returns text[]
language sql immutable set search_path = '' as $$
  select coalesce(array(select r ->> 'code' from jsonb_array_elements(score_reasons) r), '{}') ||
         coalesce(array(select x from jsonb_array_elements_text(coalesce(routing -> 'reasons', '[]')) x), '{}')
$$;
-- Every role that writes leads recomputes the generated reason_codes column.
grant execute on function private.leads_reason_codes(jsonb, jsonb) to authenticated, service_role;

create table leads.leads (
  id uuid primary key default gen_random_uuid(),
  kind text not null check (kind in ('consumer', 'business')),
  first_name text check (char_length(first_name) <= 100),
  last_name text check (char_length(last_name) <= 100),
  email text check (email = lower(email) and char_length(email) <= 254),
  phone text check (phone ~ '^\+[1-9][0-9]{6,14}$'),
  company_name text check (char_length(company_name) <= 200),
  industry text check (char_length(industry) <= 80),
  company_size int check (company_size >= 0),
  plant_locations jsonb not null default '[]'::jsonb check (jsonb_typeof(plant_locations) = 'array'),
  zip text check (zip ~ '^[0-9]{5}$'),
  city text check (char_length(city) <= 120),
  -- The point used for routing: explicit, the first plant's, or the ZIP centroid.
  latitude double precision check (latitude between -90 and 90),
  longitude double precision check (longitude between -180 and 180),
  usage_kwh numeric check (usage_kwh >= 0),
  move_in_date date,
  form_type text check (char_length(form_type) <= 60),
  utm_source text check (char_length(utm_source) <= 200),
  utm_medium text check (char_length(utm_medium) <= 200),
  utm_campaign text check (char_length(utm_campaign) <= 200),
  utm_term text check (char_length(utm_term) <= 200),
  utm_content text check (char_length(utm_content) <= 200),
  referrer text check (char_length(referrer) <= 2000),
  landing_page text check (char_length(landing_page) <= 2000),
  consent boolean not null default false,
  consent_at timestamptz,
  consent_version text check (char_length(consent_version) <= 40),
  -- The visitor's tracking session (tracking.sessions.id); loose reference, no cross-module FK.
  session_id uuid,
  source_id uuid references leads.sources (id) on delete set null,
  score int not null default 0 check (score between 0 and 100),
  trust_score int not null default 0 check (trust_score between 0 and 100),
  status text not null default 'new'
    check (status in ('new', 'hot', 'warm', 'cold', 'accepted', 'rejected', 'converted')),
  -- [{code, signal, points, dimension}] from the last scoring run.
  score_reasons jsonb not null default '[]'::jsonb,
  -- {reasons: [location, office, owner reason codes], distanceKm} from routing.
  routing jsonb not null default '{}'::jsonb,
  -- Every reason code that currently applies (scoring, trust and routing).
  reason_codes text[] generated always as (private.leads_reason_codes(score_reasons, routing)) stored,
  office_id uuid references leads.regional_offices (id) on delete set null,
  owner_id uuid references auth.users (id) on delete set null,
  submissions int not null default 1 check (submissions >= 1),
  last_activity_at timestamptz not null default now(),
  scored_at timestamptz,
  status_changed_at timestamptz not null default now(),
  -- Funnel milestones: set once, the first time the lead reaches each stage.
  hot_at timestamptz,
  accepted_at timestamptz,
  converted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  search_text text generated always as (
    lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(email, '') || ' ' ||
      coalesce(company_name, '') || ' ' || coalesce(city, '') || ' ' || coalesce(industry, ''))
  ) stored,
  constraint leads_contact_required check (email is not null or phone is not null),
  constraint leads_consumer_consent check (kind <> 'consumer' or consent)
);
comment on table leads.leads is 'Consumer and business leads with scores, reasons, routing and workflow status.';

create index leads_created_idx on leads.leads (created_at desc, id desc);
create index leads_score_idx on leads.leads (score desc, id desc);
create index leads_status_created_idx on leads.leads (status, created_at desc);
create index leads_office_created_idx on leads.leads (office_id, created_at desc, id desc);
create index leads_owner_idx on leads.leads (owner_id) where owner_id is not null;
create index leads_email_created_idx on leads.leads (email, created_at desc) where email is not null;
create index leads_phone_created_idx on leads.leads (phone, created_at desc) where phone is not null;
create index leads_session_idx on leads.leads (session_id) where session_id is not null;
create index leads_source_idx on leads.leads (source_id) where source_id is not null;
create index leads_industry_idx on leads.leads (industry, created_at desc);
create index leads_search_trgm_idx on leads.leads using gin (search_text extensions.gin_trgm_ops);
create index leads_scored_idx on leads.leads (scored_at nulls first);
create index leads_reason_codes_idx on leads.leads using gin (reason_codes);

create trigger leads_touch_updated_at before update on leads.leads
  for each row execute function private.touch_updated_at();

create or replace function private.leads_stamp_milestones() returns trigger
language plpgsql set search_path = '' as $$
begin
  if tg_op = 'INSERT' or new.status is distinct from old.status then
    new.status_changed_at := now();
    if new.status = 'hot' then new.hot_at := coalesce(new.hot_at, now()); end if;
    if new.status = 'accepted' then new.accepted_at := coalesce(new.accepted_at, now()); end if;
    if new.status = 'converted' then
      new.converted_at := coalesce(new.converted_at, now());
      new.accepted_at := coalesce(new.accepted_at, now());
    end if;
  end if;
  return new;
end;
$$;
create trigger leads_stamp_milestones before insert or update of status on leads.leads
  for each row execute function private.leads_stamp_milestones();

-- Append-only history: status, score, assignment, feedback, merges.
create table leads.events (
  id bigint generated always as identity primary key,
  lead_id uuid not null references leads.leads (id) on delete cascade,
  type text not null check (type in ('created', 'merged', 'status_changed', 'score_changed', 'assigned', 'feedback')),
  from_value text,
  to_value text,
  reason_code text,
  note text check (char_length(note) <= 2000),
  actor_id uuid,
  actor_role text,
  details jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now()
);
create index events_lead_idx on leads.events (lead_id, occurred_at desc);
create index events_type_occurred_idx on leads.events (type, to_value, occurred_at);

-- History is never rewritten; it goes only together with its lead (erasure cascades).
create or replace function private.leads_events_are_append_only() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  if tg_op = 'DELETE' and not exists (select 1 from leads.leads l where l.id = old.lead_id) then
    return old;
  end if;
  raise exception using errcode = 'PT403', hint = 'append_only', message = 'Lead history is append-only.';
end;
$$;
create trigger events_append_only before update or delete on leads.events
  for each row execute function private.leads_events_are_append_only();

-- Product recommendations per business lead, with the reason each applies.
create table leads.lead_recommendations (
  lead_id uuid not null references leads.leads (id) on delete cascade,
  product_id uuid not null references leads.products (id) on delete cascade,
  rank int not null,
  reason_code text not null,
  reason text not null,
  created_at timestamptz not null default now(),
  primary key (lead_id, product_id)
);
create index lead_recommendations_product_idx on leads.lead_recommendations (product_id);

-- Scoring rules: data, not code (signal, condition, points, reason code) ----------------------------
create table leads.scoring_rules (
  id bigint generated always as identity primary key,
  dimension text not null default 'score' check (dimension in ('score', 'trust')),
  signal text not null check (signal ~ '^[a-z_]{2,40}$'),
  operator text not null check (operator in ('gte', 'lte', 'gt', 'lt', 'eq', 'in', 'between', 'present', 'true')),
  operand jsonb,
  points int not null check (points between -100 and 100),
  reason_code text not null check (reason_code ~ '^[a-z_]{2,60}$'),
  description text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  unique (dimension, reason_code)
);

-- Product recommendation rules: industry and plant profile to products ------------------------------
create table leads.recommendation_rules (
  id bigint generated always as identity primary key,
  product_id uuid not null references leads.products (id) on delete cascade,
  industries text[],
  min_plants int not null default 0,
  min_company_size int not null default 0,
  min_usage_kwh numeric not null default 0,
  priority int not null default 100,
  reason_code text not null check (reason_code ~ '^[a-z_]{2,60}$'),
  reason text not null,
  active boolean not null default true
);
create index recommendation_rules_product_idx on leads.recommendation_rules (product_id);

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
