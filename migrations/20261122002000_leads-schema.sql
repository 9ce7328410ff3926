-- Leads: consumer leads from the plan marketplace (seed 000) and discovered industrial B2B leads
-- (seed 001) in one model. Tables, indexes and their triggers; row-level security and grants are in
-- leads-policies, history, scoring, routing, capture and dashboards in the following leads-* files.

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
  occurred_at timestamptz not null default now(),
  -- The writing transaction: leads.hot_feed pages on (tx_id, id), like commerce.order_feed.
  tx_id xid8 not null default pg_current_xact_id()
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

-- Comments: what each table, column and RPC holds (Studio shows them; tests/db/foundation/08-comments).

comment on table leads.regional_offices is 'Regional sales offices leads are routed to (nearest by great-circle distance; one default office for leads without a location).';
comment on column leads.regional_offices.id is 'Office id.';
comment on column leads.regional_offices.name is 'Unique office name.';
comment on column leads.regional_offices.region is 'Sales region the office covers.';
comment on column leads.regional_offices.address is 'Street address.';
comment on column leads.regional_offices.city is 'City.';
comment on column leads.regional_offices.state is 'State (two letters).';
comment on column leads.regional_offices.contact_email is 'Office contact e-mail.';
comment on column leads.regional_offices.contact_phone is 'Office contact phone (E.164).';
comment on column leads.regional_offices.latitude is 'Office latitude (WGS 84), used for routing.';
comment on column leads.regional_offices.longitude is 'Office longitude (WGS 84), used for routing.';
comment on column leads.regional_offices.active is 'Inactive offices receive no new leads.';
comment on column leads.regional_offices.is_default is 'The office for leads without any known location (at most one).';
comment on column leads.regional_offices.created_at is 'When the office was added.';
comment on table leads.office_members is 'Staff working each regional office; active sales members share its leads round-robin.';
comment on column leads.office_members.office_id is 'The office.';
comment on column leads.office_members.user_id is 'The staff member (auth.users.id).';
comment on column leads.office_members.active is 'Inactive members get no new leads.';
comment on column leads.office_members.added_at is 'When the member joined the office.';
comment on table leads.sources is 'Where leads come from: consumer channels and B2B discovery sources, each with a trust score that feeds lead trust.';
comment on column leads.sources.id is 'Source id.';
comment on column leads.sources.name is 'Unique source name (capture uses "website" unless told otherwise).';
comment on column leads.sources.type is 'Kind of source: web_form, directory, registry, crawler, partner, import or referral.';
comment on column leads.sources.url is 'Where the source lives, if anywhere.';
comment on column leads.sources.trust_score is 'How far the source is trusted, 0-100; changing it rescores its open leads.';
comment on column leads.sources.last_crawled_at is 'When the last import from this source ran.';
comment on column leads.sources.active is 'Inactive sources are kept for history.';
comment on column leads.sources.created_at is 'When the source was added.';
comment on table leads.products is 'Products recommended to business leads by leads.recommendation_rules.';
comment on column leads.products.id is 'Product id.';
comment on column leads.products.code is 'Unique product code (A-Z, 0-9, dashes).';
comment on column leads.products.name is 'Product name.';
comment on column leads.products.description is 'What the product is.';
comment on column leads.products.category is 'Product family.';
comment on column leads.products.recommendation_details is 'Who the product suits, shown with recommendations.';
comment on column leads.products.image_url is 'Product image.';
comment on column leads.products.active is 'Inactive products are never recommended.';
comment on table leads.leads is 'Consumer and business leads with scores, reasons, routing and workflow status. Written only by leads.capture / leads.import_leads (service role) and by staff decisions under RLS.';
comment on column leads.leads.id is 'Lead id.';
comment on column leads.leads.kind is 'consumer (plan marketplace) or business (B2B discovery).';
comment on column leads.leads.first_name is 'Contact first name.';
comment on column leads.leads.last_name is 'Contact last name.';
comment on column leads.leads.email is 'Contact e-mail, lower-case; with phone, the 24-hour de-duplication key.';
comment on column leads.leads.phone is 'Contact phone (E.164); with e-mail, the de-duplication key.';
comment on column leads.leads.company_name is 'Company (business leads).';
comment on column leads.leads.industry is 'Industry (business leads), e.g. manufacturing.';
comment on column leads.leads.company_size is 'Employees (business leads).';
comment on column leads.leads.plant_locations is 'Plants of a business lead: [{name, latitude, longitude, annualKwh}].';
comment on column leads.leads.zip is 'Texas ZIP code; its centroid routes the lead when nothing better is known.';
comment on column leads.leads.city is 'City as given.';
comment on column leads.leads.latitude is 'Routing point: explicit, the first plants, or the ZIP centroid.';
comment on column leads.leads.longitude is 'Routing point: explicit, the first plants, or the ZIP centroid.';
comment on column leads.leads.usage_kwh is 'Monthly usage in kWh as given (or last compared).';
comment on column leads.leads.move_in_date is 'Planned move-in date (consumer leads).';
comment on column leads.leads.form_type is 'Form the lead used, e.g. quote, enroll, newsletter.';
comment on column leads.leads.utm_source is 'utm_source of the landing visit.';
comment on column leads.leads.utm_medium is 'utm_medium of the landing visit.';
comment on column leads.leads.utm_campaign is 'utm_campaign of the landing visit.';
comment on column leads.leads.utm_term is 'utm_term of the landing visit.';
comment on column leads.leads.utm_content is 'utm_content of the landing visit.';
comment on column leads.leads.referrer is 'Referrer of the landing visit.';
comment on column leads.leads.landing_page is 'Page the form was on.';
comment on column leads.leads.consent is 'Marketing consent (required for consumer leads).';
comment on column leads.leads.consent_at is 'When consent was given.';
comment on column leads.leads.consent_version is 'Version of the consent text agreed to.';
comment on column leads.leads.session_id is 'The visitors tracking session (tracking.sessions.id), a loose reference; engagement signals come from it.';
comment on column leads.leads.source_id is 'Where the lead came from (leads.sources).';
comment on column leads.leads.score is 'Lead score 0-100 from the active score rules.';
comment on column leads.leads.trust_score is 'Trust score 0-100 from the active trust rules.';
comment on column leads.leads.status is 'Workflow status: new, hot, warm, cold (score bands) or accepted, rejected, converted (decided by staff).';
comment on column leads.leads.score_reasons is 'Rules that matched at the last scoring: [{code, signal, points, dimension}].';
comment on column leads.leads.routing is 'How the lead was routed: {reasons, distanceKm}.';
comment on column leads.leads.reason_codes is 'Every reason code that applies now (scoring, trust and routing), generated.';
comment on column leads.leads.office_id is 'Regional office the lead is routed to.';
comment on column leads.leads.owner_id is 'Sales member who owns the lead (round-robin).';
comment on column leads.leads.submissions is 'How many times the contact submitted within 24 hours (merged repeats).';
comment on column leads.leads.last_activity_at is 'Last submission or merge.';
comment on column leads.leads.scored_at is 'When the lead was last scored.';
comment on column leads.leads.status_changed_at is 'When the status last changed.';
comment on column leads.leads.hot_at is 'First time the lead was hot (funnel milestone).';
comment on column leads.leads.accepted_at is 'First time the lead was accepted (funnel milestone).';
comment on column leads.leads.converted_at is 'When the lead converted (funnel milestone).';
comment on column leads.leads.created_at is 'When the lead was captured.';
comment on column leads.leads.updated_at is 'Last change, maintained by a trigger.';
comment on column leads.leads.search_text is 'Lower-cased name, e-mail, company, city and industry for trigram search, generated.';
comment on table leads.events is 'Append-only history of every lead: creation, merges, status and score changes, assignments and staff feedback.';
comment on column leads.events.id is 'Event id, in order of occurrence.';
comment on column leads.events.lead_id is 'The lead.';
comment on column leads.events.type is 'created, merged, status_changed, score_changed, assigned or feedback.';
comment on column leads.events.from_value is 'Value before the change.';
comment on column leads.events.to_value is 'Value after the change.';
comment on column leads.events.reason_code is 'Why: score_band, rescored, routed, duplicate_within_24h or the callers reason.';
comment on column leads.events.note is 'Staff note (feedback), at most 2,000 characters.';
comment on column leads.events.actor_id is 'Who made the change (auth.uid()), null for pipelines.';
comment on column leads.events.actor_role is 'Role of the actor (staff role, service_role or system).';
comment on column leads.events.details is 'Event-specific details (scores and reasons, routing, merged submission).';
comment on column leads.events.occurred_at is 'When it happened.';
comment on table leads.lead_recommendations is 'Products recommended to each business lead, best first, each with the reason it applies.';
comment on column leads.lead_recommendations.lead_id is 'The lead.';
comment on column leads.lead_recommendations.product_id is 'The recommended product.';
comment on column leads.lead_recommendations.rank is '1 is the best recommendation.';
comment on column leads.lead_recommendations.reason_code is 'Machine code of the matching rule.';
comment on column leads.lead_recommendations.reason is 'Why the product suits the lead.';
comment on column leads.lead_recommendations.created_at is 'When the recommendation was made.';
comment on table leads.scoring_rules is 'Scoring as data: each active rule adds points to the score or trust dimension when a signal satisfies its condition.';
comment on column leads.scoring_rules.id is 'Rule id.';
comment on column leads.scoring_rules.dimension is 'score or trust.';
comment on column leads.scoring_rules.signal is 'Signal the rule reads (e.g. comparisons, form_type, company_size).';
comment on column leads.scoring_rules.operator is 'Condition: gte, lte, gt, lt, eq, in, between, present or true.';
comment on column leads.scoring_rules.operand is 'Condition operand (JSON: number, string, array or [low, high]).';
comment on column leads.scoring_rules.points is 'Points added when the rule matches (-100 to 100).';
comment on column leads.scoring_rules.reason_code is 'Machine code reported with the lead, unique per dimension.';
comment on column leads.scoring_rules.description is 'What the rule means, for people.';
comment on column leads.scoring_rules.active is 'Inactive rules are ignored.';
comment on column leads.scoring_rules.created_at is 'When the rule was added.';
comment on table leads.recommendation_rules is 'Product recommendation rules: industry and plant profile of a business lead to products.';
comment on column leads.recommendation_rules.id is 'Rule id.';
comment on column leads.recommendation_rules.product_id is 'Product recommended when the rule matches.';
comment on column leads.recommendation_rules.industries is 'Industries the rule applies to (null: any).';
comment on column leads.recommendation_rules.min_plants is 'Minimum number of plants.';
comment on column leads.recommendation_rules.min_company_size is 'Minimum employees.';
comment on column leads.recommendation_rules.min_usage_kwh is 'Minimum usage in kWh.';
comment on column leads.recommendation_rules.priority is 'Lower comes first in the ranking.';
comment on column leads.recommendation_rules.reason_code is 'Machine code of the reason.';
comment on column leads.recommendation_rules.reason is 'Why the product suits such a lead.';
comment on column leads.recommendation_rules.active is 'Inactive rules are ignored.';
