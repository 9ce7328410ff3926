-- Vending: prepaid and postpaid electricity in Nigeria through BuyPower's B2B API (seed 004).
-- Tables, indexes, row-level security and grants; the vend lifecycle, the queue and the jobs live in
-- the following vending-* migrations. Amounts are kobo (bigint): ₦1 = 100 kobo.

create schema if not exists vending;
grant usage on schema vending to anon, authenticated, service_role;

-- DISCOs (reference data the product needs, so loaded here, not in a seed) --------------------------
create table vending.discos (
  code text primary key check (code ~ '^[A-Z]{2,10}$'),
  name text not null,
  -- From BuyPower's GET /discos/status, refreshed by pg_cron; a down DISCO takes no new vends.
  is_up boolean not null default true,
  status_checked_at timestamptz
);
insert into vending.discos (code, name) values
  ('ABUJA', 'Abuja Electricity Distribution Company'),
  ('EKO', 'Eko Electricity Distribution Company'),
  ('IKEJA', 'Ikeja Electric'),
  ('IBADAN', 'Ibadan Electricity Distribution Company'),
  ('ENUGU', 'Enugu Electricity Distribution Company'),
  ('PH', 'Port Harcourt Electricity Distribution Company'),
  ('JOS', 'Jos Electricity Distribution Company'),
  ('KADUNA', 'Kaduna Electric'),
  ('KANO', 'Kano Electricity Distribution Company'),
  ('BENIN', 'Benin Electricity Distribution Company'),
  ('YOLA', 'Yola Electricity Distribution Company');

-- Prepaid accounts: a customer (a reseller, an estate) funds vends from its balance -------------------
create table vending.accounts (
  customer_id uuid primary key references auth.users (id) on delete cascade,
  balance_kobo bigint not null default 0 check (balance_kobo >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

-- Saved meters, with what BuyPower's check/meter verified --------------------------------------------
create table vending.meters (
  id uuid primary key default gen_random_uuid(),
  customer_id uuid not null references auth.users (id) on delete cascade,
  disco_code text not null references vending.discos (code),
  meter_number text not null check (meter_number ~ '^[0-9A-Za-z-]{6,20}$'),
  vend_type text not null check (vend_type in ('PREPAID', 'POSTPAID')),
  verified_name text,
  address text,
  tariff text,
  tariff_class text,
  min_vend_kobo bigint check (min_vend_kobo >= 0),
  max_vend_kobo bigint check (max_vend_kobo >= 0),
  outstanding_kobo bigint,
  verified_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  unique (customer_id, disco_code, meter_number, vend_type)
);
create index meters_disco_idx on vending.meters (disco_code);

-- CSV batches ---------------------------------------------------------------------------------------
create table vending.batches (
  id uuid primary key default gen_random_uuid(),
  uploaded_by uuid not null references auth.users (id) on delete cascade,
  file_name text check (char_length(file_name) <= 255),
  -- SHA-256 of the uploaded bytes (the idempotent replay compares it).
  file_sha256 text,
  row_count int not null default 0,
  accepted_count int not null default 0,
  rejected_count int not null default 0,
  status text not null default 'processing' check (status in ('processing', 'completed')),
  -- Items by status, kept by a trigger and recomputed from the items by the recovery job.
  created_count int not null default 0,
  submitted_count int not null default 0,
  pending_count int not null default 0,
  succeeded_count int not null default 0,
  failed_count int not null default 0,
  attention_count int not null default 0,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
create index batches_uploader_idx on vending.batches (uploaded_by, created_at desc);

-- Rows of a batch that never became vends (bad meter, unknown DISCO, ...), for results.csv.
create table vending.batch_rejections (
  batch_id uuid not null references vending.batches (id) on delete cascade,
  line int not null,
  code text not null,
  message text not null,
  meter_number text,
  disco_code text,
  primary key (batch_id, line)
);

-- Vends ---------------------------------------------------------------------------------------------
create table vending.vends (
  id uuid primary key default gen_random_uuid(),
  -- BuyPower's orderId: the one identity of this vend at the vendor, never reissued.
  order_id text not null unique check (order_id ~ '^[A-Za-z0-9_-]{8,64}$'),
  customer_id uuid not null references auth.users (id) on delete cascade,
  meter_id uuid references vending.meters (id) on delete set null,
  batch_id uuid references vending.batches (id) on delete cascade,
  batch_line int,
  disco_code text not null references vending.discos (code),
  meter_number text not null check (meter_number ~ '^[0-9A-Za-z-]{6,20}$'),
  vend_type text not null check (vend_type in ('PREPAID', 'POSTPAID')),
  amount_kobo bigint not null check (amount_kobo between 10000 and 10000000),
  phone text not null check (phone ~ '^\+234[0-9]{10}$'),
  email text check (char_length(email) <= 254),
  name text check (char_length(name) <= 120),
  funding text not null check (funding in ('account', 'paystack')),
  -- The commerce payment that paid for it; unique, so one payment funds at most one vend.
  payment_id uuid unique,
  status text not null default 'created'
    check (status in ('created', 'submitted', 'pending', 'succeeded', 'failed', 'needs_attention')),
  token text,
  units numeric,
  vend_ref text,
  receipt_no text,
  amount_generated_kobo bigint,
  tax_kobo bigint,
  parcels jsonb,
  vendor_code int,
  vendor_message text,
  -- POST /vend calls and requeries made for this orderId.
  submissions int not null default 0,
  requeries int not null default 0,
  next_requery_at timestamptz,
  submitted_at timestamptz,
  finalized_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (batch_id, batch_line),
  -- A token exists only on a succeeded vend (one paid amount, at most one token).
  check (token is null or status = 'succeeded'),
  check ((batch_id is null) = (batch_line is null))
);
create index vends_customer_idx on vending.vends (customer_id, created_at desc);
create index vends_meter_idx on vending.vends (meter_id) where meter_id is not null;
create index vends_disco_idx on vending.vends (disco_code);
create index vends_unsettled_idx on vending.vends (status, updated_at) where status in ('created', 'submitted', 'pending');
create index vends_created_at_idx on vending.vends (created_at);

-- The account ledger: every top-up, debit and refund, with the balance after it --------------------
create table vending.account_ledger (
  id bigint generated always as identity primary key,
  customer_id uuid not null references vending.accounts (customer_id) on delete cascade,
  vend_id uuid references vending.vends (id) on delete set null,
  kind text not null check (kind in ('top_up', 'debit', 'refund')),
  -- Signed: top-ups and refunds add, debits subtract.
  amount_kobo bigint not null check ((kind = 'debit') = (amount_kobo < 0)),
  balance_after_kobo bigint not null check (balance_after_kobo >= 0),
  note text,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now()
);
-- A vend is debited once and refunded at most once.
create unique index account_ledger_vend_kind_idx on vending.account_ledger (vend_id, kind) where vend_id is not null;
create index account_ledger_customer_idx on vending.account_ledger (customer_id, created_at desc);
create index account_ledger_created_by_idx on vending.account_ledger (created_by) where created_by is not null;

-- The durable queue: one row per vend with work left (submit, or requery after an unknown outcome) ---
create table vending.vend_queue (
  vend_id uuid primary key references vending.vends (id) on delete cascade,
  action text not null check (action in ('submit', 'requery')),
  -- Workers drain one lane each (production uses 'default'; a dedicated drain or a test uses its own).
  lane text not null default 'default' check (char_length(lane) between 1 and 64),
  available_at timestamptz not null default now(),
  -- Visibility timeout: a claimed row is invisible until then; a dead worker's claim expires.
  locked_until timestamptz,
  attempts int not null default 0,
  -- The vendor's requery schedule from a 202 (seconds to wait before each requery).
  requery_delays numeric[] not null default '{}',
  last_error text
);
create index vend_queue_due_idx on vending.vend_queue (lane, available_at);

-- The worker lease of a lane: one worker at a time keeps the vendor calls in flight bounded.
create table vending.worker_leases (
  lane text primary key,
  worker_id text not null,
  lease_until timestamptz not null
);

-- Every call to the vendor, masked (tokens, meter numbers, phones never stored in clear) -----------
create table vending.vendor_calls (
  id bigint generated always as identity primary key,
  vend_id uuid references vending.vends (id) on delete set null,
  endpoint text not null,
  http_status int,
  response_code int,
  latency_ms int not null,
  signature_valid boolean,
  outcome text not null,
  summary jsonb not null default '{}'::jsonb,
  called_at timestamptz not null default now()
);
create index vendor_calls_called_idx on vending.vendor_calls (called_at desc);
create index vendor_calls_vend_idx on vending.vendor_calls (vend_id) where vend_id is not null;

-- The operator's BuyPower wallet over time --------------------------------------------------------
create table vending.wallet_snapshots (
  id bigint generated always as identity primary key,
  balance_kobo bigint not null,
  checked_at timestamptz not null default now()
);
create index wallet_snapshots_checked_idx on vending.wallet_snapshots (checked_at desc);

-- Vendor and queue state: one row. The pause flag is what a 422 (wallet empty) sets.
create table vending.vendor_state (
  singleton boolean primary key default true check (singleton),
  paused boolean not null default false,
  paused_reason text,
  paused_at timestamptz,
  breaker_state text not null default 'closed' check (breaker_state in ('closed', 'open', 'half_open')),
  last_latency_ms int,
  last_call_at timestamptz,
  updated_at timestamptz not null default now()
);
insert into vending.vendor_state default values;

-- Alerts for operators (wallet empty, vends needing a person) --------------------------------------
create table vending.alerts (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('insufficient_balance', 'needs_attention', 'signature_invalid')),
  message text not null,
  details jsonb not null default '{}'::jsonb,
  raised_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by uuid references auth.users (id) on delete set null
);
create index alerts_open_idx on vending.alerts (raised_at desc) where acknowledged_at is null;
create index alerts_acknowledged_by_idx on vending.alerts (acknowledged_by) where acknowledged_by is not null;

-- Row-level security ---------------------------------------------------------------------------------
alter table vending.discos enable row level security;
alter table vending.accounts enable row level security;
alter table vending.meters enable row level security;
alter table vending.batches enable row level security;
alter table vending.batch_rejections enable row level security;
alter table vending.vends enable row level security;
alter table vending.account_ledger enable row level security;
alter table vending.vend_queue enable row level security;
alter table vending.vendor_calls enable row level security;
alter table vending.wallet_snapshots enable row level security;
alter table vending.vendor_state enable row level security;
alter table vending.alerts enable row level security;
alter table vending.worker_leases enable row level security;

-- Operators are support and admin; analysts read counts through vending.vend_counts only.
create or replace function private.vending_is_operator() returns boolean
language sql stable set search_path = '' as $$
  select private.has_any_role(array['admin', 'support'])
$$;
grant execute on function private.vending_is_operator() to authenticated, service_role;

create policy "everyone reads discos" on vending.discos for select to anon, authenticated using (true);

create policy "customers read their account, operators all" on vending.accounts for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.vending_is_operator()));

create policy "customers read their meters, operators all" on vending.meters for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.vending_is_operator()));
create policy "customers remove their saved meters" on vending.meters for delete to authenticated
  using (customer_id = (select auth.uid()));

create policy "customers read their batches, operators all" on vending.batches for select to authenticated
  using (uploaded_by = (select auth.uid()) or (select private.vending_is_operator()));

create policy "customers read their batch rejections, operators all" on vending.batch_rejections
  for select to authenticated
  using (
    (select private.vending_is_operator())
    or exists (select 1 from vending.batches b where b.id = batch_id and b.uploaded_by = (select auth.uid()))
  );

-- Tokens are in the row: a customer reads only their own vends, so only their own tokens.
create policy "customers read their vends, operators all" on vending.vends for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.vending_is_operator()));

create policy "customers read their ledger, operators all" on vending.account_ledger for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.vending_is_operator()));

create policy "operators read the queue" on vending.vend_queue for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators read vendor calls" on vending.vendor_calls for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators read the wallet history" on vending.wallet_snapshots for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators read the vendor state" on vending.vendor_state for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators read worker leases" on vending.worker_leases for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators read alerts" on vending.alerts for select to authenticated
  using ((select private.vending_is_operator()));
create policy "operators acknowledge alerts" on vending.alerts for update to authenticated
  using ((select private.vending_is_operator())) with check ((select private.vending_is_operator()));

grant select on vending.discos to anon, authenticated;
grant select on vending.accounts, vending.meters, vending.batches, vending.batch_rejections, vending.vends,
  vending.account_ledger, vending.vend_queue, vending.vendor_calls, vending.wallet_snapshots,
  vending.vendor_state, vending.worker_leases, vending.alerts to authenticated;
grant delete on vending.meters to authenticated;
grant update (acknowledged_at, acknowledged_by) on vending.alerts to authenticated;
grant all on all tables in schema vending to service_role;
grant usage, select on all sequences in schema vending to service_role;
