-- Commerce: the catalog (products, variants, staff-only costs), stock locations, inventory levels per
-- variant and location, and lots. Levels and lots change only through the inventory RPCs
-- (20261122004300), which write the stock-movement ledger in the same statement.

create schema if not exists commerce;
grant usage on schema commerce to anon, authenticated, service_role;

create table commerce.products (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,80}$'),
  name text not null check (length(name) between 1 and 200),
  category text not null check (category in ('thermostat', 'meter', 'solar', 'service_plan', 'voucher', 'accessory')),
  description text not null default '',
  active boolean not null default true,
  created_at timestamptz not null default now()
);
comment on table commerce.products is 'The catalog''s products (thermostats, meters, solar, service plans, vouchers, accessories); variants carry SKU and price.';
comment on column commerce.products.id is 'Product id.';
comment on column commerce.products.slug is 'URL slug of the product page.';
comment on column commerce.products.name is 'Display name.';
comment on column commerce.products.category is 'thermostat, meter, solar, service_plan, voucher or accessory.';
comment on column commerce.products.description is 'Product description shown in the catalog.';
comment on column commerce.products.active is 'Whether the product is sold; an inactive product''s variants are not available.';
comment on column commerce.products.created_at is 'When the product was added.';

create table commerce.variants (
  id uuid primary key default gen_random_uuid(),
  product_id uuid not null references commerce.products (id) on delete cascade,
  sku text not null unique check (sku ~ '^[A-Z0-9][A-Z0-9-]{1,40}$'),
  name text not null check (length(name) between 1 and 200),
  price_minor bigint not null check (price_minor > 0),
  currency text not null check (currency in ('USD', 'NGN')),
  -- Shipping per unit, in the variant's currency (0: nothing to ship, e.g. a voucher or a service plan).
  shipping_minor bigint not null default 0 check (shipping_minor >= 0),
  -- Low-stock alerts fire when a variant's available stock (all locations) falls under this.
  low_stock_threshold int not null default 5 check (low_stock_threshold >= 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);
comment on table commerce.variants is 'Sellable variants of a product: one SKU, one price in one currency.';
comment on column commerce.variants.id is 'Variant id.';
comment on column commerce.variants.product_id is 'The product this is a variant of.';
comment on column commerce.variants.sku is 'Stock keeping unit, unique across the catalog.';
comment on column commerce.variants.name is 'Variant name (size, colour, plan term).';
comment on column commerce.variants.shipping_minor is 'Shipping charged per unit, in minor units of the variant''s currency (0: not shipped).';
comment on column commerce.variants.price_minor is 'Unit price in minor units (cents, kobo).';
comment on column commerce.variants.currency is 'USD (Stripe) or NGN (Paystack).';
comment on column commerce.variants.low_stock_threshold is 'A low-stock alert fires when the variant''s available stock (all locations) falls under this.';
comment on column commerce.variants.active is 'Whether the variant is sold.';
comment on column commerce.variants.created_at is 'When the variant was added.';
create index variants_product_idx on commerce.variants (product_id);

-- Unit cost lives apart from the variant so that column grants never have to hide it: anon and
-- customers have no policy on this table at all.
create table commerce.variant_costs (
  variant_id uuid primary key references commerce.variants (id) on delete cascade,
  unit_cost_minor bigint not null check (unit_cost_minor >= 0),
  updated_at timestamptz not null default now()
);
comment on table commerce.variant_costs is 'Unit cost of a variant, for the stock-value analytics; staff only.';
comment on column commerce.variant_costs.variant_id is 'The variant.';
comment on column commerce.variant_costs.unit_cost_minor is 'What one unit costs us, in minor units.';
comment on column commerce.variant_costs.updated_at is 'When the cost last changed.';

create table commerce.locations (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[A-Z0-9-]{2,20}$'),
  name text not null,
  country text not null check (country ~ '^[A-Z]{2}$'),
  active boolean not null default true
);
comment on table commerce.locations is 'Stock locations (warehouses, stores) inventory is held at.';
comment on column commerce.locations.id is 'Location id.';
comment on column commerce.locations.code is 'Short code staff use (e.g. AUS-1).';
comment on column commerce.locations.name is 'Display name.';
comment on column commerce.locations.country is 'ISO 3166-1 alpha-2 country of the location.';
comment on column commerce.locations.active is 'Whether stock is allocated from it.';

create table commerce.inventory_levels (
  variant_id uuid not null references commerce.variants (id) on delete cascade,
  location_id uuid not null references commerce.locations (id),
  on_hand int not null default 0,
  allocated int not null default 0 check (allocated >= 0),
  -- Units held by active reservations (expired ones included until the release job runs); kept by the
  -- ledger helper so availability never sums a hot SKU's reservations.
  reserved int not null default 0 check (reserved >= 0),
  updated_at timestamptz not null default now(),
  primary key (variant_id, location_id),
  check (allocated <= on_hand and on_hand >= 0)
);
comment on table commerce.inventory_levels is 'Stock of a variant at a location: on hand, allocated to orders, held by reservations; changed only through the stock ledger.';
comment on column commerce.inventory_levels.variant_id is 'The variant.';
comment on column commerce.inventory_levels.location_id is 'The location.';
comment on column commerce.inventory_levels.on_hand is 'Units physically at the location.';
comment on column commerce.inventory_levels.allocated is 'Units allocated to paid orders, not yet shipped.';
comment on column commerce.inventory_levels.reserved is 'Units held by active checkout reservations (expired ones until the release job runs).';
comment on column commerce.inventory_levels.updated_at is 'When the level last changed.';
create index inventory_levels_location_idx on commerce.inventory_levels (location_id);

create table commerce.lots (
  id uuid primary key default gen_random_uuid(),
  variant_id uuid not null,
  location_id uuid not null,
  batch_number text not null check (length(batch_number) between 1 and 60),
  expires_on date,
  on_hand int not null default 0,
  allocated int not null default 0 check (allocated >= 0),
  received_at timestamptz not null default now(),
  foreign key (variant_id, location_id) references commerce.inventory_levels (variant_id, location_id) on delete cascade,
  unique (variant_id, location_id, batch_number),
  check (allocated <= on_hand and on_hand >= 0)
);
comment on table commerce.lots is 'Batches of a variant at a location with their expiry; fulfilment ships first-expiry-first-out.';
comment on column commerce.lots.id is 'Lot id.';
comment on column commerce.lots.variant_id is 'The variant.';
comment on column commerce.lots.location_id is 'The location.';
comment on column commerce.lots.batch_number is 'The supplier''s batch number.';
comment on column commerce.lots.expires_on is 'Expiry date, if the goods expire.';
comment on column commerce.lots.on_hand is 'Units of the lot at the location.';
comment on column commerce.lots.allocated is 'Units of the lot allocated to orders.';
comment on column commerce.lots.received_at is 'When the lot was first received.';
-- First-expiry-first-out picks and the expiry alert scan.
create index lots_level_expiry_idx on commerce.lots (variant_id, location_id, expires_on nulls last);
create index lots_expiry_idx on commerce.lots (expires_on) where on_hand > 0;

-- Module settings that staff may tune without a deploy.
create table commerce.settings (
  id boolean primary key default true check (id),
  reservation_minutes int not null default 15 check (reservation_minutes between 1 and 1440),
  paystack_check_minutes int not null default 2 check (paystack_check_minutes between 0 and 60),
  lot_expiry_alert_days int not null default 30 check (lot_expiry_alert_days between 1 and 365),
  ruleset_version int not null default 1,
  -- Sales tax / VAT in basis points per currency (Nigeria's VAT is 7.5 %; US tax is left to Stripe Tax).
  tax_bps jsonb not null default '{"USD": 0, "NGN": 750}'::jsonb,
  updated_at timestamptz not null default now()
);
comment on table commerce.settings is 'Commerce settings, one row: reservation time, lot expiry alerts, fraud ruleset version, tax rates.';
comment on column commerce.settings.id is 'Always true: the table has one row.';
comment on column commerce.settings.reservation_minutes is 'How long a checkout holds stock before payment.';
comment on column commerce.settings.paystack_check_minutes is 'How many minutes before its reservation expires a pending Paystack payment is verified with Paystack (no webhook tells of a failed or abandoned charge).';
comment on column commerce.settings.lot_expiry_alert_days is 'How many days before expiry a lot raises an alert.';
comment on column commerce.settings.ruleset_version is 'Version of the fraud rules, recorded with every assessment.';
comment on column commerce.settings.tax_bps is 'Sales tax / VAT in basis points per currency (NGN VAT 7.5 %; US tax is left to Stripe Tax).';
comment on column commerce.settings.updated_at is 'When the settings last changed.';
insert into commerce.settings default values;

alter table commerce.products enable row level security;
alter table commerce.variants enable row level security;
alter table commerce.variant_costs enable row level security;
alter table commerce.locations enable row level security;
alter table commerce.inventory_levels enable row level security;
alter table commerce.lots enable row level security;
alter table commerce.settings enable row level security;

-- Staff (admin, analyst, support, sales) read commerce data; analysts change nothing.
create policy "everyone reads active products, staff all" on commerce.products
  for select to anon, authenticated using (active or (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "admins add products" on commerce.products
  for insert to authenticated with check ((select private.has_role('admin')));
create policy "admins change products" on commerce.products
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins delete products" on commerce.products
  for delete to authenticated using ((select private.has_role('admin')));

create policy "everyone reads active variants, staff all" on commerce.variants
  for select to anon, authenticated using (active or (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "admins add variants" on commerce.variants
  for insert to authenticated with check ((select private.has_role('admin')));
create policy "admins change variants" on commerce.variants
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins delete variants" on commerce.variants
  for delete to authenticated using ((select private.has_role('admin')));

create policy "admins and analysts read costs" on commerce.variant_costs
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins set costs" on commerce.variant_costs
  for insert to authenticated with check ((select private.has_role('admin')));
create policy "admins change costs" on commerce.variant_costs
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

create policy "staff read locations" on commerce.locations
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "admins add locations" on commerce.locations
  for insert to authenticated with check ((select private.has_role('admin')));
create policy "admins change locations" on commerce.locations
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

-- Levels and lots: staff read; nobody writes them directly (the ledger would no longer add up).
create policy "staff read inventory levels" on commerce.inventory_levels
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "staff read lots" on commerce.lots
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));

create policy "staff read settings" on commerce.settings
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "admins change settings" on commerce.settings
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));

grant select on commerce.products, commerce.variants to anon, authenticated;
grant insert, update, delete on commerce.products, commerce.variants to authenticated;
grant select, insert, update on commerce.variant_costs, commerce.locations to authenticated;
grant select on commerce.inventory_levels, commerce.lots to authenticated;
grant select, update on commerce.settings to authenticated;
grant all on all tables in schema commerce to service_role;
