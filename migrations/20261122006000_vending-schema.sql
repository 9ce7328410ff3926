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
comment on table vending.discos is 'Nigerian electricity distribution companies (DISCOs) BuyPower vends for, with their live status.';
comment on column vending.discos.code is 'BuyPower''s DISCO code (e.g. IKEJA), the key vends and meters refer to.';
comment on column vending.discos.name is 'The DISCO''s display name.';
comment on column vending.discos.is_up is 'Whether BuyPower reports the DISCO up (GET /discos/status); a down DISCO takes no new vends.';
comment on column vending.discos.status_checked_at is 'When the status was last refreshed from BuyPower by the pg_cron job.';
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
comment on table vending.accounts is 'Prepaid vending accounts: one balance per customer (a reseller, an estate) that funds vends.';
comment on column vending.accounts.customer_id is 'The account holder (auth.users); one account per customer.';
comment on column vending.accounts.balance_kobo is 'Available balance in kobo (100 kobo = 1 naira), never negative.';
comment on column vending.accounts.created_at is 'When the account was first funded.';
comment on column vending.accounts.updated_at is 'When the balance last changed.';

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
comment on table vending.meters is 'A customer''s saved meters, with what BuyPower''s meter check verified (name, address, tariff, limits).';
comment on column vending.meters.id is 'Saved meter id.';
comment on column vending.meters.customer_id is 'The customer who saved the meter.';
comment on column vending.meters.disco_code is 'The DISCO the meter belongs to.';
comment on column vending.meters.meter_number is 'The meter number as BuyPower knows it (masked in every log).';
comment on column vending.meters.vend_type is 'PREPAID (a token is vended) or POSTPAID (a bill is paid).';
comment on column vending.meters.verified_name is 'Customer name BuyPower returned for the meter.';
comment on column vending.meters.address is 'Service address BuyPower returned for the meter.';
comment on column vending.meters.tariff is 'Tariff BuyPower returned for the meter.';
comment on column vending.meters.tariff_class is 'Tariff class BuyPower returned for the meter.';
comment on column vending.meters.min_vend_kobo is 'Smallest amount BuyPower accepts for this meter, in kobo.';
comment on column vending.meters.max_vend_kobo is 'Largest amount BuyPower accepts for this meter, in kobo.';
comment on column vending.meters.outstanding_kobo is 'Debt on the meter BuyPower reported, in kobo (postpaid and arrears).';
comment on column vending.meters.verified_at is 'When BuyPower last verified the meter.';
comment on column vending.meters.created_at is 'When the meter was saved.';
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
comment on table vending.batches is 'CSV batch uploads of vends, with item counts by status for the batch''s results.';
comment on column vending.batches.id is 'Batch id.';
comment on column vending.batches.uploaded_by is 'The staff member or customer who uploaded the CSV.';
comment on column vending.batches.file_name is 'Name of the uploaded file.';
comment on column vending.batches.file_sha256 is 'SHA-256 of the uploaded bytes; a replayed upload of the same file is recognised by it.';
comment on column vending.batches.row_count is 'Data rows in the file.';
comment on column vending.batches.accepted_count is 'Rows that became vends.';
comment on column vending.batches.rejected_count is 'Rows refused at upload (see vending.batch_rejections).';
comment on column vending.batches.status is 'processing while items are open, completed once every item is final.';
comment on column vending.batches.created_count is 'Items still created (not yet submitted), kept by a trigger.';
comment on column vending.batches.submitted_count is 'Items submitted to BuyPower, kept by a trigger.';
comment on column vending.batches.pending_count is 'Items with an unknown outcome awaiting requery, kept by a trigger.';
comment on column vending.batches.succeeded_count is 'Items vended, kept by a trigger.';
comment on column vending.batches.failed_count is 'Items failed and refunded, kept by a trigger.';
comment on column vending.batches.attention_count is 'Items that need a person, kept by a trigger.';
comment on column vending.batches.created_at is 'When the batch was uploaded.';
comment on column vending.batches.completed_at is 'When the last item became final.';
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
comment on table vending.batch_rejections is 'Rows of a batch that never became vends (bad meter, unknown DISCO, over balance), for results.csv.';
comment on column vending.batch_rejections.batch_id is 'The batch the row belongs to.';
comment on column vending.batch_rejections.line is 'Line number of the row in the CSV.';
comment on column vending.batch_rejections.code is 'Machine code of the refusal.';
comment on column vending.batch_rejections.message is 'Why the row was refused, for people.';
comment on column vending.batch_rejections.meter_number is 'The meter number the row gave (masked in logs).';
comment on column vending.batch_rejections.disco_code is 'The DISCO code the row gave.';

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
  -- The commerce refund requested when a Paystack-funded vend finally failed (once).
  payment_refund_id uuid unique,
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
comment on table vending.vends is 'Electricity vends through BuyPower: one row per orderId, from creation to token or refund.';
comment on column vending.vends.id is 'Vend id.';
comment on column vending.vends.order_id is 'BuyPower''s orderId: the one identity of this vend at the vendor, never reissued.';
comment on column vending.vends.customer_id is 'The customer the vend is for and whose account paid it.';
comment on column vending.vends.meter_id is 'The saved meter, when the vend used one.';
comment on column vending.vends.batch_id is 'The CSV batch the vend came from, if any.';
comment on column vending.vends.batch_line is 'Line of the vend in its batch''s CSV.';
comment on column vending.vends.disco_code is 'DISCO of the meter.';
comment on column vending.vends.meter_number is 'Meter number vended to (masked in every log).';
comment on column vending.vends.vend_type is 'PREPAID or POSTPAID.';
comment on column vending.vends.amount_kobo is 'Amount paid for electricity, in kobo (N100 to N100,000).';
comment on column vending.vends.phone is 'Recipient phone in E.164 (+234...), where BuyPower sends the token.';
comment on column vending.vends.email is 'Recipient e-mail, optional.';
comment on column vending.vends.name is 'Recipient name, optional.';
comment on column vending.vends.funding is 'What paid for the vend: the prepaid account or a Paystack payment.';
comment on column vending.vends.payment_id is 'The commerce payment that paid for it; unique, so one payment funds at most one vend.';
comment on column vending.vends.payment_refund_id is 'The commerce refund requested for its Paystack payment when the vend finally failed.';
comment on column vending.vends.status is 'created, submitted, pending (outcome unknown), succeeded, failed (refunded) or needs_attention.';
comment on column vending.vends.token is 'The electricity token of a succeeded prepaid vend.';
comment on column vending.vends.units is 'kWh units the token carries.';
comment on column vending.vends.vend_ref is 'BuyPower''s reference for the vend.';
comment on column vending.vends.receipt_no is 'The DISCO''s receipt number.';
comment on column vending.vends.amount_generated_kobo is 'Amount the token was generated for after charges, in kobo.';
comment on column vending.vends.tax_kobo is 'VAT BuyPower reported, in kobo.';
comment on column vending.vends.parcels is 'BuyPower''s token parcels as returned (several tokens for some meters).';
comment on column vending.vends.vendor_code is 'BuyPower''s response code of the last call.';
comment on column vending.vends.vendor_message is 'BuyPower''s message of the last call.';
comment on column vending.vends.submissions is 'POST /vend calls made for this orderId.';
comment on column vending.vends.requeries is 'Requeries made for this orderId after an unknown outcome.';
comment on column vending.vends.next_requery_at is 'When the next requery is due.';
comment on column vending.vends.submitted_at is 'When the vend was first submitted to BuyPower.';
comment on column vending.vends.finalized_at is 'When the vend reached succeeded or failed.';
comment on column vending.vends.created_at is 'When the vend was created.';
comment on column vending.vends.updated_at is 'When the vend last changed.';
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
comment on table vending.account_ledger is 'Every top-up, debit and refund of a prepaid account, with the balance after it.';
comment on column vending.account_ledger.id is 'Ledger entry id.';
comment on column vending.account_ledger.customer_id is 'The account the entry belongs to.';
comment on column vending.account_ledger.vend_id is 'The vend a debit or refund is for.';
comment on column vending.account_ledger.kind is 'top_up, debit or refund.';
comment on column vending.account_ledger.amount_kobo is 'Signed amount in kobo: top-ups and refunds add, debits subtract.';
comment on column vending.account_ledger.balance_after_kobo is 'The account''s balance after this entry.';
comment on column vending.account_ledger.note is 'Why an operator topped up, or what the entry was for.';
comment on column vending.account_ledger.created_by is 'Who made a top-up (null for the system''s debits and refunds).';
comment on column vending.account_ledger.created_at is 'When the entry was written.';
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
comment on table vending.vend_queue is 'The durable queue: one row per vend with work left (submit, or requery after an unknown outcome).';
comment on column vending.vend_queue.vend_id is 'The vend with work left.';
comment on column vending.vend_queue.action is 'submit (first call) or requery (after an unknown outcome).';
comment on column vending.vend_queue.lane is 'The worker lane draining the row (''default'' in production).';
comment on column vending.vend_queue.available_at is 'When the row may be claimed next (backoff and the vendor''s requery schedule).';
comment on column vending.vend_queue.locked_until is 'Visibility timeout: a claimed row is invisible until then; a dead worker''s claim expires.';
comment on column vending.vend_queue.attempts is 'Claims made for this row.';
comment on column vending.vend_queue.requery_delays is 'The vendor''s requery schedule from a 202, seconds to wait before each requery.';
comment on column vending.vend_queue.last_error is 'The last failure of a claim, for operators.';
create index vend_queue_due_idx on vending.vend_queue (lane, available_at);

-- The worker lease of a lane: one worker at a time keeps the vendor calls in flight bounded.
create table vending.worker_leases (
  lane text primary key,
  worker_id text not null,
  lease_until timestamptz not null
);
comment on table vending.worker_leases is 'The worker lease of a lane: one worker at a time keeps the vendor calls in flight bounded.';
comment on column vending.worker_leases.lane is 'The queue lane leased.';
comment on column vending.worker_leases.worker_id is 'The worker holding the lease.';
comment on column vending.worker_leases.lease_until is 'When the lease expires unless renewed.';

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
comment on table vending.vendor_calls is 'Every call to BuyPower, masked (tokens, meter numbers and phones never stored in clear).';
comment on column vending.vendor_calls.id is 'Call id.';
comment on column vending.vendor_calls.vend_id is 'The vend the call was for, if any.';
comment on column vending.vendor_calls.endpoint is 'The BuyPower endpoint called.';
comment on column vending.vendor_calls.http_status is 'HTTP status of the answer (null on a timeout or network failure).';
comment on column vending.vendor_calls.response_code is 'BuyPower''s response code in the body.';
comment on column vending.vendor_calls.latency_ms is 'How long the call took, in milliseconds.';
comment on column vending.vendor_calls.signature_valid is 'Whether the answer''s signature verified (null where none is sent).';
comment on column vending.vendor_calls.outcome is 'What the worker made of the answer (succeeded, pending, failed, retry, ...).';
comment on column vending.vendor_calls.summary is 'Masked summary of request and answer.';
comment on column vending.vendor_calls.called_at is 'When the call was made.';
create index vendor_calls_called_idx on vending.vendor_calls (called_at desc);
create index vendor_calls_vend_idx on vending.vendor_calls (vend_id) where vend_id is not null;

-- The operator's BuyPower wallet over time --------------------------------------------------------
create table vending.wallet_snapshots (
  id bigint generated always as identity primary key,
  balance_kobo bigint not null,
  checked_at timestamptz not null default now()
);
comment on table vending.wallet_snapshots is 'The operator''s BuyPower wallet balance over time.';
comment on column vending.wallet_snapshots.id is 'Snapshot id.';
comment on column vending.wallet_snapshots.balance_kobo is 'Wallet balance BuyPower reported, in kobo.';
comment on column vending.wallet_snapshots.checked_at is 'When it was read.';
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
comment on table vending.vendor_state is 'Vendor and queue state, one row: the pause an empty wallet sets and the circuit breaker.';
comment on column vending.vendor_state.singleton is 'Always true: the table has one row.';
comment on column vending.vendor_state.paused is 'Whether the queue submits nothing (set by a 422 wallet-empty answer, cleared by resume_queue).';
comment on column vending.vendor_state.paused_reason is 'Why the queue paused.';
comment on column vending.vendor_state.paused_at is 'When the queue paused.';
comment on column vending.vendor_state.breaker_state is 'The vendor circuit breaker: closed, open or half_open.';
comment on column vending.vendor_state.last_latency_ms is 'Latency of the last vendor call, in milliseconds.';
comment on column vending.vendor_state.last_call_at is 'When the vendor was last called.';
comment on column vending.vendor_state.updated_at is 'When the state last changed.';
insert into vending.vendor_state default values;

-- Alerts for operators (wallet empty, vends needing a person) --------------------------------------
create table vending.alerts (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('insufficient_balance', 'needs_attention', 'signature_invalid', 'refund_failed')),
  message text not null,
  details jsonb not null default '{}'::jsonb,
  raised_at timestamptz not null default now(),
  acknowledged_at timestamptz,
  acknowledged_by uuid references auth.users (id) on delete set null
);
comment on table vending.alerts is 'Alerts for operators: wallet empty, vends needing a person, invalid vendor signatures.';
comment on column vending.alerts.id is 'Alert id.';
comment on column vending.alerts.kind is 'insufficient_balance, needs_attention, signature_invalid or refund_failed (a failed Paystack-funded vend commerce could not refund).';
comment on column vending.alerts.message is 'What happened, for people.';
comment on column vending.alerts.details is 'Structured details (vend ids, counts).';
comment on column vending.alerts.raised_at is 'When the alert was raised.';
comment on column vending.alerts.acknowledged_at is 'When an operator acknowledged it.';
comment on column vending.alerts.acknowledged_by is 'Who acknowledged it.';
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
