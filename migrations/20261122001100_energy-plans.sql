-- Energy module, part 2: retail electric providers and their plans as PowerToChoose publishes them,
-- the import bookkeeping (every rejected row with its line and reason), price history, and the feed
-- sources the 6-hourly import pulls. The import itself is 20261122001110_energy-plan-import.sql.

create table energy.providers (
  id bigint generated always as identity primary key,
  name text not null,
  -- Upper-cased, punctuation-free name: "TXU ENERGY" and "TXU Energy" are one provider.
  name_key text not null unique,
  slug text not null unique,
  website text,
  enroll_phone text,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index providers_active_idx on energy.providers (active);
comment on table energy.providers is 'Retail electric providers (REPs), derived from the RepCompany column of imports.';
comment on column energy.providers.id is 'Provider number.';
comment on column energy.providers.name is 'Name as first seen in an export.';
comment on column energy.providers.name_key is 'Upper-cased, punctuation-free name; two spellings with the same key are one provider.';
comment on column energy.providers.slug is 'URL slug derived from name_key.';
comment on column energy.providers.website is 'Provider website from the latest export that lists one.';
comment on column energy.providers.enroll_phone is 'Enrollment phone number from the latest export that lists one.';
comment on column energy.providers.active is 'False once no active plan of the provider is left (hidden from the public).';
comment on column energy.providers.created_at is 'When the provider was first imported.';
comment on column energy.providers.updated_at is 'When an import last changed the provider.';

create table energy.plan_imports (
  id bigint generated always as identity primary key,
  source text not null check (source in ('upload', 'feed', 'seed')),
  feed_url text,
  status text not null check (status in ('succeeded', 'partial', 'rejected', 'failed', 'unchanged')),
  rows_total integer not null default 0,
  rows_accepted integer not null default 0,
  rows_rejected integer not null default 0,
  plans_inserted integer not null default 0,
  plans_updated integer not null default 0,
  plans_deactivated integer not null default 0,
  error text,
  started_at timestamptz not null default now(),
  finished_at timestamptz not null default now()
);
create index plan_imports_started_idx on energy.plan_imports (started_at desc);
comment on table energy.plan_imports is 'One row per PowerToChoose import attempt (upload, feed download or seed), with its tally.';
comment on column energy.plan_imports.id is 'Import number.';
comment on column energy.plan_imports.source is 'upload (CSV posted to the pipeline), feed (downloaded) or seed.';
comment on column energy.plan_imports.feed_url is 'The URL downloaded, for feed imports.';
comment on column energy.plan_imports.status is 'succeeded, partial (some rows rejected), rejected (none accepted), failed or unchanged.';
comment on column energy.plan_imports.rows_total is 'Data rows in the export.';
comment on column energy.plan_imports.rows_accepted is 'Rows that became or updated a plan.';
comment on column energy.plan_imports.rows_rejected is 'Rows refused (listed in plan_import_rejections).';
comment on column energy.plan_imports.plans_inserted is 'Plans seen for the first time.';
comment on column energy.plan_imports.plans_updated is 'Existing plans updated in place.';
comment on column energy.plan_imports.plans_deactivated is 'Plans of the imported TDSPs that the export no longer lists.';
comment on column energy.plan_imports.error is 'Why the whole import was refused, if it was.';
comment on column energy.plan_imports.started_at is 'When the import began.';
comment on column energy.plan_imports.finished_at is 'When the import finished.';

create table energy.plan_import_rejections (
  import_id bigint not null references energy.plan_imports (id) on delete cascade,
  line integer not null,
  id_key text,
  reason text not null,
  primary key (import_id, line)
);
comment on table energy.plan_import_rejections is 'Every row an import refused, with its CSV line and the reason.';
comment on column energy.plan_import_rejections.import_id is 'The import the row belonged to.';
comment on column energy.plan_import_rejections.line is 'Line number of the row in the CSV (the header is line 1).';
comment on column energy.plan_import_rejections.id_key is 'The row''s idKey as written, if it had one.';
comment on column energy.plan_import_rejections.reason is 'Why the row was refused, in words.';

create table energy.plans (
  id bigint generated always as identity primary key,
  ptc_id_key bigint not null unique,
  provider_id bigint not null references energy.providers (id),
  tdsp_id smallint not null references energy.tdsps (id),
  name text not null,
  language text not null default 'English' check (language in ('English', 'Spanish')),
  -- Average prices in dollars per kWh at 500, 1000 and 2000 kWh a month, as PowerToChoose lists them.
  price_500 numeric(7, 4) not null check (price_500 > 0 and price_500 < 2),
  price_1000 numeric(7, 4) not null check (price_1000 > 0 and price_1000 < 2),
  price_2000 numeric(7, 4) not null check (price_2000 > 0 and price_2000 < 2),
  fees_credits text,
  prepaid boolean not null default false,
  time_of_use boolean not null default false,
  fixed boolean not null default false,
  rate_type text,
  renewable_pct smallint not null default 0 check (renewable_pct between 0 and 100),
  term_months smallint not null default 0 check (term_months between 0 and 60),
  cancel_fee text,
  cancel_fee_amount numeric(8, 2),
  website text,
  special_terms text,
  terms_url text,
  yrac_url text,
  promotion boolean not null default false,
  promotion_desc text,
  facts_url text,
  enroll_url text,
  prepaid_url text,
  enroll_phone text,
  new_customer boolean not null default false,
  -- As the export reports it; unreliable, so has_bill_credit is detected from the price curve.
  min_usage_fees_credits boolean not null default false,
  has_bill_credit boolean not null default false,
  rating smallint check (rating between 0 and 5),
  features text[] not null default '{}',
  active boolean not null default true,
  first_seen_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  deactivated_at timestamptz,
  last_import_id bigint references energy.plan_imports (id)
);
create index plans_tdsp_active_idx on energy.plans (tdsp_id, language) where active;
create index plans_provider_idx on energy.plans (provider_id);
create index plans_active_idx on energy.plans (active);
create index plans_features_idx on energy.plans using gin (features);
create index plans_last_import_idx on energy.plans (last_import_id);
comment on table energy.plans is 'Retail electricity plans as PowerToChoose lists them, one row per idKey; retired plans stay inactive.';
comment on column energy.plans.id is 'Plan number (stable across imports).';
comment on column energy.plans.ptc_id_key is 'PowerToChoose idKey; imports upsert on it.';
comment on column energy.plans.provider_id is 'The REP selling the plan.';
comment on column energy.plans.tdsp_id is 'The TDSP territory the plan is sold in.';
comment on column energy.plans.name is 'Product name.';
comment on column energy.plans.language is 'Language of the listing: English or Spanish (Spanish rows repeat English offers).';
comment on column energy.plans.price_500 is 'Average price in dollars per kWh at 500 kWh a month.';
comment on column energy.plans.price_1000 is 'Average price in dollars per kWh at 1000 kWh a month.';
comment on column energy.plans.price_2000 is 'Average price in dollars per kWh at 2000 kWh a month.';
comment on column energy.plans.fees_credits is 'Fees and credits as the export describes them.';
comment on column energy.plans.prepaid is 'Prepaid (pay as you go) plan.';
comment on column energy.plans.time_of_use is 'Price varies by time of day.';
comment on column energy.plans.fixed is 'Fixed rate for the term.';
comment on column energy.plans.rate_type is 'Rate type as exported (Fixed, Variable, Indexed).';
comment on column energy.plans.renewable_pct is 'Renewable share of the energy, 0-100.';
comment on column energy.plans.term_months is 'Contract length in months (0 or 1: month to month).';
comment on column energy.plans.cancel_fee is 'Early termination fee as exported (text, e.g. "$20 per month remaining").';
comment on column energy.plans.cancel_fee_amount is 'The fee''s dollar amount parsed from cancel_fee.';
comment on column energy.plans.website is 'Plan or provider web page.';
comment on column energy.plans.special_terms is 'Special terms as exported.';
comment on column energy.plans.terms_url is 'Terms of service document.';
comment on column energy.plans.yrac_url is 'Your Rights as a Customer document.';
comment on column energy.plans.promotion is 'The plan carries a promotion.';
comment on column energy.plans.promotion_desc is 'What the promotion is.';
comment on column energy.plans.facts_url is 'Electricity Facts Label (EFL).';
comment on column energy.plans.enroll_url is 'Enrollment page.';
comment on column energy.plans.prepaid_url is 'Prepaid disclosure, for prepaid plans.';
comment on column energy.plans.enroll_phone is 'Enrollment phone number.';
comment on column energy.plans.new_customer is 'Offered to new customers only.';
comment on column energy.plans.min_usage_fees_credits is 'MinUsageFeesCredits as exported (unreliable; see has_bill_credit).';
comment on column energy.plans.has_bill_credit is 'Bill credit plan, detected from the V-shaped price curve.';
comment on column energy.plans.rating is 'PUCT complaint rating of the provider, 0-5 stars.';
comment on column energy.plans.features is 'Derived feature codes (fixed_rate, green_energy, no_deposit, ...) that search and filters use.';
comment on column energy.plans.active is 'Listed in the latest export of its TDSP; inactive plans are hidden from the public.';
comment on column energy.plans.first_seen_at is 'When an import first listed the plan.';
comment on column energy.plans.last_seen_at is 'When an import last listed the plan.';
comment on column energy.plans.deactivated_at is 'When the plan was retired, if it is inactive.';
comment on column energy.plans.last_import_id is 'The import that last listed the plan.';

-- Each distinct price triple a plan has had, so a price change never erases the old one.
create table energy.plan_prices (
  plan_id bigint not null references energy.plans (id) on delete cascade,
  import_id bigint references energy.plan_imports (id),
  price_500 numeric(7, 4) not null,
  price_1000 numeric(7, 4) not null,
  price_2000 numeric(7, 4) not null,
  recorded_at timestamptz not null default now(),
  primary key (plan_id, recorded_at)
);
create index plan_prices_import_idx on energy.plan_prices (import_id);
comment on table energy.plan_prices is 'Each distinct price triple a plan has had, newest last.';
comment on column energy.plan_prices.plan_id is 'The plan.';
comment on column energy.plan_prices.import_id is 'The import that brought the price.';
comment on column energy.plan_prices.price_500 is 'Dollars per kWh at 500 kWh a month.';
comment on column energy.plan_prices.price_1000 is 'Dollars per kWh at 1000 kWh a month.';
comment on column energy.plan_prices.price_2000 is 'Dollars per kWh at 2000 kWh a month.';
comment on column energy.plan_prices.recorded_at is 'When the price was first seen.';

create table energy.feed_sources (
  id smallint generated always as identity primary key,
  name text not null unique,
  url text not null check (url ~ '^https?://'),
  enabled boolean not null default true
);
comment on table energy.feed_sources is 'PowerToChoose export URLs the energy-plans-import job downloads.';
comment on column energy.feed_sources.id is 'Feed number.';
comment on column energy.feed_sources.name is 'Feed name.';
comment on column energy.feed_sources.url is 'HTTP(S) URL of the CSV export.';
comment on column energy.feed_sources.enabled is 'False skips the feed.';
insert into energy.feed_sources (name, url) values
  ('powertochoose', 'http://www.powertochoose.org/en-us/Plan/ExportToCsv');

-- Conditional-request cache of feed downloads: an unchanged export (304 or same digest) is skipped.
create table energy.feed_cache (
  url text primary key,
  etag text,
  last_modified text,
  body_sha256 text not null,
  fetched_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index feed_cache_expires_idx on energy.feed_cache (expires_at);
comment on table energy.feed_cache is 'Conditional-request state per feed URL: an unchanged export (304 or same digest) is skipped.';
comment on column energy.feed_cache.url is 'The feed URL.';
comment on column energy.feed_cache.etag is 'ETag of the last download.';
comment on column energy.feed_cache.last_modified is 'Last-Modified of the last download.';
comment on column energy.feed_cache.body_sha256 is 'SHA-256 of the last body imported.';
comment on column energy.feed_cache.fetched_at is 'When the feed was last downloaded.';
comment on column energy.feed_cache.expires_at is 'When the row is pruned.';

-- RLS -------------------------------------------------------------------------------------------------
alter table energy.providers enable row level security;
alter table energy.plans enable row level security;
alter table energy.plan_prices enable row level security;
alter table energy.plan_imports enable row level security;
alter table energy.plan_import_rejections enable row level security;
alter table energy.feed_sources enable row level security;
alter table energy.feed_cache enable row level security;

grant select on energy.providers, energy.plans, energy.plan_prices to anon, authenticated;
grant select, insert, update, delete on energy.providers, energy.plans, energy.plan_prices,
  energy.plan_imports, energy.plan_import_rejections, energy.feed_sources, energy.feed_cache
  to authenticated, service_role;
grant select on energy.plan_imports, energy.plan_import_rejections, energy.feed_sources to authenticated;

-- One permissive policy per role and action (multiple_permissive_policies advisor): the read policies
-- cover admins, and admins write through one policy per writing action.
-- The catalog: anyone sees active rows; admins see and edit everything.
create policy "everyone reads active providers" on energy.providers for select to anon, authenticated
  using (active or (select private.has_role('admin')));
create policy "everyone reads active plans" on energy.plans for select to anon, authenticated
  using (active or (select private.has_role('admin')));
create policy "everyone reads prices of active plans" on energy.plan_prices for select to anon, authenticated
  using (exists (select 1 from energy.plans p where p.id = plan_id and (p.active or (select private.has_role('admin')))));
-- Import bookkeeping and feed configuration: staff who watch the pipeline read it, admins change it.
create policy "admins and analysts read imports" on energy.plan_imports for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins and analysts read rejections" on energy.plan_import_rejections for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins read feed sources" on energy.feed_sources for select to authenticated
  using ((select private.has_role('admin')));
create policy "admins read feed cache" on energy.feed_cache for select to authenticated
  using ((select private.has_role('admin')));

do $$
declare
  admin_table text;
begin
  foreach admin_table in array array['providers', 'plans', 'plan_prices', 'feed_sources', 'feed_cache'] loop
    execute format($p$create policy "admins add %1$s" on energy.%1$I for insert to authenticated
      with check ((select private.has_role('admin')))$p$, admin_table);
    execute format($p$create policy "admins change %1$s" on energy.%1$I for update to authenticated
      using ((select private.has_role('admin'))) with check ((select private.has_role('admin')))$p$, admin_table);
    execute format($p$create policy "admins remove %1$s" on energy.%1$I for delete to authenticated
      using ((select private.has_role('admin')))$p$, admin_table);
  end loop;
end
$$;
