-- Commerce: payments with one event ledger each, refunds, received webhook events, and fraud checks
-- as data (rules and one assessment per checkout).

create table commerce.payments (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references commerce.orders (id) on delete cascade,
  provider text not null check (provider in ('stripe', 'paystack')),
  -- Stripe: the PaymentIntent id (known once created); Paystack: the reference we choose.
  reference text,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null check (currency in ('USD', 'NGN')),
  -- Forward only (private.commerce_payment_rank): a late failure never undoes a success.
  status text not null default 'creating' check (status in ('creating', 'pending', 'failed', 'succeeded')),
  captured_minor bigint not null default 0 check (captured_minor >= 0),
  refunded_minor bigint not null default 0 check (refunded_minor >= 0),
  card_fingerprint text,
  -- Paystack sends no webhook for a failed or abandoned charge: the dispatcher asks
  -- GET /transaction/verify/:reference for a pending payment whose reservation is about to expire.
  checks int not null default 0,
  checked_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (provider, reference),
  check (refunded_minor <= captured_minor)
);
comment on table commerce.payments is 'Payments of orders at Stripe or Paystack; the status only moves forward.';
comment on column commerce.payments.id is 'Payment id.';
comment on column commerce.payments.order_id is 'The order paid.';
comment on column commerce.payments.provider is 'stripe or paystack.';
comment on column commerce.payments.reference is 'Stripe: the PaymentIntent id (known once created); Paystack: the reference we choose.';
comment on column commerce.payments.amount_minor is 'Amount asked for, in minor units.';
comment on column commerce.payments.currency is 'USD or NGN.';
comment on column commerce.payments.status is 'creating, pending, failed or succeeded; forward only, so a late failure never undoes a success.';
comment on column commerce.payments.captured_minor is 'Amount captured.';
comment on column commerce.payments.refunded_minor is 'Amount refunded so far, never more than captured.';
comment on column commerce.payments.card_fingerprint is 'The provider''s card fingerprint, for the velocity rule.';
comment on column commerce.payments.checks is 'How often the dispatcher asked the provider for the status of this pending payment (Paystack verify).';
comment on column commerce.payments.checked_at is 'When the dispatcher last claimed a status check of this payment.';
comment on column commerce.payments.created_at is 'When the payment was created.';
comment on column commerce.payments.updated_at is 'When it last changed.';
create unique index payments_order_idx on commerce.payments (order_id);
create index payments_unsettled_paystack_idx on commerce.payments (created_at) where provider = 'paystack' and status = 'pending';

create table commerce.payment_events (
  id bigint generated always as identity primary key,
  payment_id uuid not null references commerce.payments (id) on delete cascade,
  kind text not null,
  from_status text,
  to_status text,
  amount_minor bigint,
  webhook_event_id bigint,
  details jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now()
);
comment on table commerce.payment_events is 'History of a payment: status changes with the webhook event that caused them.';
comment on column commerce.payment_events.id is 'Event id.';
comment on column commerce.payment_events.payment_id is 'The payment.';
comment on column commerce.payment_events.kind is 'What happened.';
comment on column commerce.payment_events.from_status is 'Status before.';
comment on column commerce.payment_events.to_status is 'Status after.';
comment on column commerce.payment_events.amount_minor is 'Amount the event carried.';
comment on column commerce.payment_events.webhook_event_id is 'The webhook event applied (commerce.webhook_events).';
comment on column commerce.payment_events.details is 'Structured details.';
comment on column commerce.payment_events.occurred_at is 'When it happened.';
create index payment_events_payment_idx on commerce.payment_events (payment_id, id);

create table commerce.refunds (
  id uuid primary key default gen_random_uuid(),
  payment_id uuid not null references commerce.payments (id) on delete cascade,
  order_id uuid not null references commerce.orders (id) on delete cascade,
  amount_minor bigint not null check (amount_minor > 0),
  currency text not null,
  reason text not null check (length(reason) between 1 and 500),
  restock boolean not null default false,
  -- requested: not yet sent; pending: the provider accepted it; succeeded/failed: its webhook said so.
  status text not null default 'requested' check (status in ('requested', 'pending', 'succeeded', 'failed')),
  provider_reference text,
  attempts int not null default 0,
  last_error text,
  requested_by uuid,
  automatic boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table commerce.refunds is 'Refunds of payments, sent to the provider by the dispatcher and confirmed by its webhooks.';
comment on column commerce.refunds.id is 'Refund id.';
comment on column commerce.refunds.payment_id is 'The payment refunded.';
comment on column commerce.refunds.order_id is 'The order refunded.';
comment on column commerce.refunds.amount_minor is 'Amount refunded, in minor units.';
comment on column commerce.refunds.currency is 'Currency of the payment.';
comment on column commerce.refunds.reason is 'Why, as staff gave it.';
comment on column commerce.refunds.restock is 'Whether the sold units come back into stock.';
comment on column commerce.refunds.status is 'requested (not yet sent), pending (the provider accepted it), succeeded or failed (its webhook said so).';
comment on column commerce.refunds.provider_reference is 'The provider''s refund id.';
comment on column commerce.refunds.attempts is 'Send attempts made.';
comment on column commerce.refunds.last_error is 'The last send failure.';
comment on column commerce.refunds.requested_by is 'The staff member who asked (null for automatic refunds).';
comment on column commerce.refunds.automatic is 'Whether the system refunded by itself (a payment for an order that had lost its stock).';
comment on column commerce.refunds.created_at is 'When it was requested.';
comment on column commerce.refunds.updated_at is 'When it last changed.';
create index refunds_payment_idx on commerce.refunds (payment_id);
create index refunds_order_idx on commerce.refunds (order_id);
create index refunds_due_idx on commerce.refunds (created_at) where status = 'requested';
create unique index refunds_provider_reference_idx on commerce.refunds (provider_reference) where provider_reference is not null;

create table commerce.webhook_events (
  id bigint generated always as identity primary key,
  provider text not null check (provider in ('stripe', 'paystack')),
  -- Stripe: the event id; Paystack (no event id): event, data id or reference, and status.
  event_key text not null,
  event_type text not null,
  payload jsonb not null,
  outcome text not null default 'received' check (outcome in ('received', 'applied', 'ignored', 'rejected', 'failed')),
  outcome_detail text,
  attempts int not null default 0,
  received_at timestamptz not null default now(),
  processed_at timestamptz,
  unique (provider, event_key)
);
comment on table commerce.webhook_events is 'Every Stripe and Paystack webhook received, and every Paystack verify answer the dispatcher applied to a pending payment (event_type transaction.verify), deduplicated per provider and event, with its outcome.';
comment on column commerce.webhook_events.id is 'Event id.';
comment on column commerce.webhook_events.provider is 'stripe or paystack.';
comment on column commerce.webhook_events.event_key is 'Stripe: the event id; Paystack (no event id): event, data id or reference, and status.';
comment on column commerce.webhook_events.event_type is 'The provider''s event type (payment_intent.succeeded, charge.success, ...).';
comment on column commerce.webhook_events.payload is 'The verified event body.';
comment on column commerce.webhook_events.outcome is 'received, applied, ignored, rejected or failed.';
comment on column commerce.webhook_events.outcome_detail is 'Why it was ignored, rejected or failed.';
comment on column commerce.webhook_events.attempts is 'Processing attempts.';
comment on column commerce.webhook_events.received_at is 'When it arrived.';
comment on column commerce.webhook_events.processed_at is 'When it was settled.';
create index webhook_events_due_idx on commerce.webhook_events (received_at) where outcome = 'received';
alter table commerce.payment_events
  add constraint payment_events_webhook_event_fk foreign key (webhook_event_id) references commerce.webhook_events (id);
create index payment_events_webhook_event_idx on commerce.payment_events (webhook_event_id);

-- Fraud rules as data. kind decides how params are read:
--   velocity_email / velocity_ip / velocity_card: {"window_minutes": n, "max_orders": m}
--   amount_over_median: {"factor": k, "min_orders": n};  amount_over_cap: {"cap_minor": {"USD": n, "NGN": m}}
--   country_mismatch: {};  new_account_high_value: {"account_age_hours": h, "min_total_minor": {"USD": n, ...}}
create table commerce.fraud_rules (
  id text primary key check (id ~ '^[a-z0-9_]{2,60}$'),
  kind text not null check (kind in ('velocity_email', 'velocity_ip', 'velocity_card', 'amount_over_median',
                                     'amount_over_cap', 'country_mismatch', 'new_account_high_value')),
  params jsonb not null default '{}'::jsonb,
  points int not null check (points between 0 and 100),
  reason text not null,
  active boolean not null default true,
  updated_at timestamptz not null default now()
);
comment on table commerce.fraud_rules is 'Fraud rules checkout scores orders by: each adds points when it fires.';
comment on column commerce.fraud_rules.id is 'Rule id.';
comment on column commerce.fraud_rules.kind is 'What the rule looks at (velocity by e-mail, IP or card, amount, country mismatch, new account).';
comment on column commerce.fraud_rules.params is 'The rule''s parameters (window, limit, factor).';
comment on column commerce.fraud_rules.points is 'Points added when it fires.';
comment on column commerce.fraud_rules.reason is 'Why it fired, shown to reviewers.';
comment on column commerce.fraud_rules.active is 'Whether the rule is applied.';
comment on column commerce.fraud_rules.updated_at is 'When it last changed.';

create table commerce.fraud_thresholds (
  id boolean primary key default true check (id),
  review_at int not null default 40 check (review_at between 1 and 100),
  block_at int not null default 80 check (block_at between 1 and 100),
  check (review_at < block_at)
);
comment on table commerce.fraud_thresholds is 'Fraud score thresholds, one row: from review_at an order is held, from block_at refused.';
comment on column commerce.fraud_thresholds.id is 'Always true: the table has one row.';
comment on column commerce.fraud_thresholds.review_at is 'Score from which an order waits for staff review.';
comment on column commerce.fraud_thresholds.block_at is 'Score from which the checkout is refused.';
insert into commerce.fraud_thresholds default values;

create table commerce.fraud_assessments (
  id bigint generated always as identity primary key,
  -- A blocked checkout leaves no order behind, only its assessment.
  order_id uuid references commerce.orders (id) on delete cascade,
  customer_id uuid not null,
  email text not null,
  client_ip inet,
  card_fingerprint text,
  total_minor bigint not null,
  currency text not null,
  score int not null check (score between 0 and 100),
  decision text not null check (decision in ('allow', 'review', 'block')),
  rules_fired jsonb not null default '[]'::jsonb,
  ruleset_version int not null,
  reviewed_by uuid,
  reviewed_at timestamptz,
  assessed_at timestamptz not null default now()
);
comment on table commerce.fraud_assessments is 'Every checkout''s fraud assessment (a blocked checkout leaves only this, no order).';
comment on column commerce.fraud_assessments.id is 'Assessment id.';
comment on column commerce.fraud_assessments.order_id is 'The order (null for a blocked checkout).';
comment on column commerce.fraud_assessments.customer_id is 'The buyer.';
comment on column commerce.fraud_assessments.email is 'The buyer''s e-mail (masked in logs).';
comment on column commerce.fraud_assessments.client_ip is 'The buyer''s address.';
comment on column commerce.fraud_assessments.card_fingerprint is 'The card''s fingerprint, if known.';
comment on column commerce.fraud_assessments.total_minor is 'The order total scored.';
comment on column commerce.fraud_assessments.currency is 'Its currency.';
comment on column commerce.fraud_assessments.score is 'Total points, 0-100.';
comment on column commerce.fraud_assessments.decision is 'allow, review or block.';
comment on column commerce.fraud_assessments.rules_fired is 'The rules that fired, with their points.';
comment on column commerce.fraud_assessments.ruleset_version is 'Version of the rules applied.';
comment on column commerce.fraud_assessments.reviewed_by is 'The staff member who reviewed a held order.';
comment on column commerce.fraud_assessments.reviewed_at is 'When it was reviewed.';
comment on column commerce.fraud_assessments.assessed_at is 'When the checkout was scored.';
create index fraud_assessments_order_idx on commerce.fraud_assessments (order_id);
create index fraud_assessments_email_idx on commerce.fraud_assessments (lower(email), assessed_at desc);
create index fraud_assessments_ip_idx on commerce.fraud_assessments (client_ip, assessed_at desc);
create index fraud_assessments_card_idx on commerce.fraud_assessments (card_fingerprint, assessed_at desc)
  where card_fingerprint is not null;
create index fraud_assessments_customer_idx on commerce.fraud_assessments (customer_id, assessed_at desc);

insert into commerce.fraud_rules (id, kind, params, points, reason) values
  ('velocity_email_1h', 'velocity_email', '{"window_minutes": 60, "max_orders": 5}', 35, 'more than 5 checkouts from this e-mail in an hour'),
  ('velocity_ip_1h', 'velocity_ip', '{"window_minutes": 60, "max_orders": 10}', 35, 'more than 10 checkouts from this IP in an hour'),
  ('velocity_card_24h', 'velocity_card', '{"window_minutes": 1440, "max_orders": 5}', 30, 'more than 5 checkouts with this card in a day'),
  ('amount_over_median', 'amount_over_median', '{"factor": 5, "min_orders": 3}', 25, 'total above 5x the customer''s median order'),
  ('amount_over_cap', 'amount_over_cap', '{"cap_minor": {"USD": 1000000, "NGN": 500000000}}', 45, 'total above the single-order cap'),
  ('country_mismatch', 'country_mismatch', '{}', 20, 'billing country differs from the IP country'),
  ('new_account_high_value', 'new_account_high_value', '{"account_age_hours": 24, "min_total_minor": {"USD": 200000, "NGN": 100000000}}', 30, 'new account with a high-value order');

alter table commerce.payments enable row level security;

-- Payment outcomes reach staff dashboards on a private Realtime topic, so orders, revenue and the
-- success rate update live (RLS on realtime.messages: the staff who read orders).
create or replace function private.commerce_broadcast_payment() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform realtime.send(
    jsonb_build_object('paymentId', new.id, 'orderId', new.order_id, 'provider', new.provider,
                       'status', new.status, 'amountMinor', new.amount_minor, 'currency', new.currency),
    'payment_' || new.status, 'commerce:payments', true);
  return null;
end;
$$;
comment on function private.commerce_broadcast_payment() is
  'Trigger: broadcasts a payment reaching succeeded or failed on the private topic commerce:payments.';
create trigger payments_broadcast after update of status on commerce.payments
  for each row when (new.status in ('succeeded', 'failed') and new.status is distinct from old.status)
  execute function private.commerce_broadcast_payment();

create policy "staff receive commerce payment outcomes" on realtime.messages
  for select to authenticated
  using ((select realtime.topic()) = 'commerce:payments'
         and (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
alter table commerce.payment_events enable row level security;
alter table commerce.refunds enable row level security;
alter table commerce.webhook_events enable row level security;
alter table commerce.fraud_rules enable row level security;
alter table commerce.fraud_thresholds enable row level security;
alter table commerce.fraud_assessments enable row level security;

create policy "customers read their own payments, staff all" on commerce.payments
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales']))
         or exists (select 1 from commerce.orders o where o.id = order_id and o.customer_id = (select auth.uid())));
create policy "customers read their own payment events, staff all" on commerce.payment_events
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales']))
         or exists (select 1 from commerce.payments p join commerce.orders o on o.id = p.order_id
                    where p.id = payment_id and o.customer_id = (select auth.uid())));
create policy "customers read their own refunds, staff all" on commerce.refunds
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales']))
         or exists (select 1 from commerce.orders o where o.id = order_id and o.customer_id = (select auth.uid())));
create policy "admins and analysts read webhook events" on commerce.webhook_events
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins and analysts read fraud rules" on commerce.fraud_rules
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "admins change fraud rules" on commerce.fraud_rules
  for update to authenticated using ((select private.has_role('admin'))) with check ((select private.has_role('admin')));
create policy "admins and analysts read fraud thresholds" on commerce.fraud_thresholds
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "staff read fraud assessments" on commerce.fraud_assessments
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support'])));

grant select on commerce.payments, commerce.payment_events, commerce.refunds, commerce.webhook_events,
  commerce.fraud_rules, commerce.fraud_thresholds, commerce.fraud_assessments to authenticated;
grant update (params, points, reason, active) on commerce.fraud_rules to authenticated;
grant all on all tables in schema commerce to service_role;
