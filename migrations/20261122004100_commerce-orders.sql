-- Commerce: orders with their lines, the order state machine (enforced here, a wrong move is PT409),
-- the order-event history, reservations, the append-only stock-movement ledger and stock alerts.

create sequence commerce.order_number_seq start 100001;

create table commerce.orders (
  id uuid primary key default gen_random_uuid(),
  number text not null unique default ('PB-' || nextval('commerce.order_number_seq')::text),
  customer_id uuid not null references auth.users (id),
  customer_email text not null,
  status text not null default 'pending_payment' check (status in (
    'pending_payment', 'paid', 'partially_fulfilled', 'fulfilled', 'delivered', 'canceled',
    'partially_refunded', 'refunded')),
  -- Fraud review holds an order for staff without a state of its own: fulfilment waits for approval.
  review_status text not null default 'none' check (review_status in ('none', 'pending', 'approved', 'rejected')),
  currency text not null check (currency in ('USD', 'NGN')),
  subtotal_minor bigint not null check (subtotal_minor >= 0),
  discount_minor bigint not null default 0 check (discount_minor >= 0),
  tax_minor bigint not null default 0 check (tax_minor >= 0),
  -- Shipping of the lines, and the part of it a free-shipping promotion waived.
  shipping_minor bigint not null default 0 check (shipping_minor >= 0),
  shipping_discount_minor bigint not null default 0 check (shipping_discount_minor between 0 and shipping_minor),
  total_minor bigint not null check (total_minor >= 0),
  coupon_code text,
  provider text not null check (provider in ('stripe', 'paystack')),
  client_ip inet,
  billing_country text check (billing_country ~ '^[A-Z]{2}$'),
  ip_country text check (ip_country ~ '^[A-Z]{2}$'),
  -- The checkout's Idempotency-Key: a retry after a failed payment creation finds this order again.
  checkout_key text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (total_minor = subtotal_minor - discount_minor + tax_minor + shipping_minor - shipping_discount_minor)
);
comment on table commerce.orders is 'Orders: totals, payment provider, status through the state machine (commerce.order_transitions) and fraud review.';
comment on column commerce.orders.id is 'Order id.';
comment on column commerce.orders.number is 'Human order number (PB-...), shown to the customer.';
comment on column commerce.orders.customer_id is 'The customer who ordered.';
comment on column commerce.orders.customer_email is 'E-mail the order was placed with (masked in logs).';
comment on column commerce.orders.status is 'pending_payment, paid, partially_fulfilled, fulfilled, delivered, canceled, partially_refunded or refunded.';
comment on column commerce.orders.review_status is 'Fraud review: none, pending (fulfilment waits for staff), approved or rejected.';
comment on column commerce.orders.currency is 'USD or NGN.';
comment on column commerce.orders.subtotal_minor is 'Sum of the lines before discount and tax, in minor units.';
comment on column commerce.orders.discount_minor is 'Coupon discount, in minor units.';
comment on column commerce.orders.tax_minor is 'Tax, in minor units.';
comment on column commerce.orders.shipping_minor is 'Shipping of the lines (per-unit rates x quantities), in minor units.';
comment on column commerce.orders.shipping_discount_minor is 'Shipping waived by free-shipping promotions, in minor units.';
comment on column commerce.orders.total_minor is 'What the customer pays: subtotal - discount + tax + shipping - shipping discount.';
comment on column commerce.orders.coupon_code is 'The coupon applied, if any.';
comment on column commerce.orders.provider is 'The payment provider: stripe or paystack.';
comment on column commerce.orders.client_ip is 'The buyer''s address at checkout, for the fraud rules.';
comment on column commerce.orders.billing_country is 'Billing country the buyer gave.';
comment on column commerce.orders.ip_country is 'Country of the buyer''s address, for the mismatch rule.';
comment on column commerce.orders.checkout_key is 'The checkout''s Idempotency-Key: a retry after a failed payment creation finds this order again.';
comment on column commerce.orders.created_at is 'When the order was placed.';
comment on column commerce.orders.updated_at is 'When the order last changed.';
create unique index orders_checkout_key_idx on commerce.orders (customer_id, checkout_key) where checkout_key is not null;
create index orders_customer_idx on commerce.orders (customer_id, created_at desc);
create index orders_created_idx on commerce.orders (created_at desc);
create index orders_pending_idx on commerce.orders (created_at) where status = 'pending_payment';

create table commerce.order_lines (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references commerce.orders (id) on delete cascade,
  variant_id uuid not null references commerce.variants (id),
  -- Snapshots: a later price or name change never rewrites what the customer bought.
  sku text not null,
  name text not null,
  unit_price_minor bigint not null check (unit_price_minor > 0),
  quantity int not null check (quantity between 1 and 1000),
  discount_minor bigint not null default 0 check (discount_minor >= 0),
  tax_minor bigint not null default 0 check (tax_minor >= 0),
  shipping_minor bigint not null default 0 check (shipping_minor >= 0),
  shipping_discount_minor bigint not null default 0 check (shipping_discount_minor between 0 and shipping_minor),
  total_minor bigint not null,
  fulfilled_quantity int not null default 0 check (fulfilled_quantity between 0 and quantity),
  check (total_minor = unit_price_minor * quantity - discount_minor + tax_minor + shipping_minor - shipping_discount_minor)
);
comment on table commerce.order_lines is 'Lines of an order, with price and name snapshots: a later catalog change never rewrites what was bought.';
comment on column commerce.order_lines.id is 'Line id.';
comment on column commerce.order_lines.order_id is 'The order.';
comment on column commerce.order_lines.variant_id is 'The variant bought.';
comment on column commerce.order_lines.sku is 'SKU at the time of purchase.';
comment on column commerce.order_lines.name is 'Variant name at the time of purchase.';
comment on column commerce.order_lines.unit_price_minor is 'Unit price at the time of purchase.';
comment on column commerce.order_lines.quantity is 'Units ordered.';
comment on column commerce.order_lines.discount_minor is 'The line''s share of the discount.';
comment on column commerce.order_lines.tax_minor is 'The line''s tax.';
comment on column commerce.order_lines.shipping_minor is 'The line''s shipping: the variant''s per-unit rate x quantity, at the time of purchase.';
comment on column commerce.order_lines.shipping_discount_minor is 'Shipping of the line waived by a free-shipping promotion.';
comment on column commerce.order_lines.total_minor is 'unit price x quantity - discount + tax + shipping - shipping discount.';
comment on column commerce.order_lines.fulfilled_quantity is 'Units shipped so far.';
create index order_lines_order_idx on commerce.order_lines (order_id);
create index order_lines_variant_idx on commerce.order_lines (variant_id);

create table commerce.order_events (
  id bigint generated always as identity primary key,
  order_id uuid not null references commerce.orders (id) on delete cascade,
  kind text not null,
  from_status text,
  to_status text,
  actor uuid,
  details jsonb not null default '{}'::jsonb,
  occurred_at timestamptz not null default now(),
  -- The writing transaction: commerce.order_feed pages on (tx_id, id), so an event committed late by an
  -- older transaction is never skipped by a reader whose cursor already passed a higher id.
  tx_id xid8 not null default pg_current_xact_id()
);
comment on table commerce.order_events is 'History of an order: status changes and actions, with who did them.';
comment on column commerce.order_events.id is 'Event id.';
comment on column commerce.order_events.order_id is 'The order.';
comment on column commerce.order_events.kind is 'What happened (status, fulfilment, refund, review, ...).';
comment on column commerce.order_events.from_status is 'Status before a status change.';
comment on column commerce.order_events.to_status is 'Status after a status change.';
comment on column commerce.order_events.actor is 'The user who acted (null for the system and webhooks).';
comment on column commerce.order_events.details is 'Structured details of the event.';
comment on column commerce.order_events.occurred_at is 'When it happened.';
comment on column commerce.order_events.tx_id is 'Id of the transaction that wrote the event (the order feed''s cursor).';
create index order_events_order_idx on commerce.order_events (order_id, id);
create index order_events_feed_idx on commerce.order_events (tx_id, id);

-- The legal moves; anything else raises PT409 illegal_transition.
create table commerce.order_transitions (
  from_status text not null,
  to_status text not null,
  primary key (from_status, to_status)
);
comment on table commerce.order_transitions is 'The order state machine: the status changes an order may make.';
comment on column commerce.order_transitions.from_status is 'Status before.';
comment on column commerce.order_transitions.to_status is 'A status it may change to.';
insert into commerce.order_transitions (from_status, to_status) values
  ('pending_payment', 'paid'), ('pending_payment', 'canceled'),
  ('paid', 'partially_fulfilled'), ('paid', 'fulfilled'), ('paid', 'canceled'),
  ('paid', 'partially_refunded'), ('paid', 'refunded'),
  ('partially_fulfilled', 'partially_fulfilled'), ('partially_fulfilled', 'fulfilled'),
  ('partially_fulfilled', 'partially_refunded'), ('partially_fulfilled', 'refunded'),
  ('fulfilled', 'delivered'), ('fulfilled', 'partially_refunded'), ('fulfilled', 'refunded'),
  ('delivered', 'partially_refunded'), ('delivered', 'refunded'),
  ('partially_refunded', 'partially_refunded'), ('partially_refunded', 'refunded'),
  ('partially_refunded', 'fulfilled'), ('partially_refunded', 'delivered');

-- What a status change tells the order feed beyond the status: a refund's cumulative amount, so readers
-- (marketing's loyalty clawback, analytics) can take back the refunded share without reading payments.
-- (plpgsql: commerce.payments is created by a later migration.)
create or replace function private.commerce_status_details(order_id uuid, status text) returns jsonb
language plpgsql stable set search_path = '' as $$
begin
  if status not in ('partially_refunded', 'refunded') then
    return '{}'::jsonb;
  end if;
  return jsonb_build_object('refundedMinor', (select coalesce(sum(p.refunded_minor), 0) from commerce.payments p
                                              where p.order_id = commerce_status_details.order_id));
end;
$$;

create or replace function private.commerce_guard_order_transition() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.status is distinct from old.status then
    if not exists (select 1 from commerce.order_transitions t
                   where t.from_status = old.status and t.to_status = new.status) then
      raise exception using errcode = 'PT409', hint = 'illegal_transition',
        message = format('Order %s cannot move from %s to %s.', old.number, old.status, new.status),
        detail = jsonb_build_object('from', old.status, 'to', new.status)::text;
    end if;
    insert into commerce.order_events (order_id, kind, from_status, to_status, actor, details)
    values (new.id, 'status_changed', old.status, new.status, auth.uid(), private.commerce_status_details(new.id, new.status));
  end if;
  new.updated_at := now();
  return new;
end;
$$;
create trigger orders_guard_transition before update on commerce.orders
  for each row execute function private.commerce_guard_order_transition();

create or replace function private.commerce_record_order_created() returns trigger
language plpgsql set search_path = '' as $$
begin
  insert into commerce.order_events (order_id, kind, to_status, actor)
  values (new.id, 'created', new.status, auth.uid());
  return null;
end;
$$;
create trigger orders_record_created after insert on commerce.orders
  for each row execute function private.commerce_record_order_created();

create table commerce.reservations (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null references commerce.orders (id) on delete cascade,
  variant_id uuid not null,
  location_id uuid not null,
  quantity int not null check (quantity > 0),
  status text not null default 'active' check (status in ('active', 'allocated', 'released')),
  expires_at timestamptz not null,
  created_at timestamptz not null default now(),
  settled_at timestamptz,
  foreign key (variant_id, location_id) references commerce.inventory_levels (variant_id, location_id)
);
comment on table commerce.reservations is 'Stock a checkout holds for an order until payment (then allocated) or expiry (then released).';
comment on column commerce.reservations.id is 'Reservation id.';
comment on column commerce.reservations.order_id is 'The order holding the stock.';
comment on column commerce.reservations.variant_id is 'The variant reserved.';
comment on column commerce.reservations.location_id is 'The location the units are held at.';
comment on column commerce.reservations.quantity is 'Units held.';
comment on column commerce.reservations.status is 'active, allocated (payment arrived) or released.';
comment on column commerce.reservations.expires_at is 'When the hold lapses unless paid.';
comment on column commerce.reservations.created_at is 'When the stock was reserved.';
comment on column commerce.reservations.settled_at is 'When it was allocated or released.';
create index reservations_order_idx on commerce.reservations (order_id);
-- Availability adds back the expired-but-unreleased reservations of one level: a short range scan.
create index reservations_active_level_idx on commerce.reservations (variant_id, location_id, expires_at)
  include (quantity) where status = 'active';
create index reservations_active_expiry_idx on commerce.reservations (expires_at) where status = 'active';
create index reservations_location_idx on commerce.reservations (location_id);

-- One append-only ledger from which every level is recomputed: on_hand = sum(on_hand_delta),
-- allocated = sum(allocated_delta), live reservations = sum(reserved_delta) (private.commerce_ledger_drift).
create table commerce.stock_movements (
  id bigint generated always as identity primary key,
  variant_id uuid not null,
  location_id uuid not null,
  lot_id uuid references commerce.lots (id),
  kind text not null check (kind in ('adjustment', 'receipt', 'reservation', 'release', 'allocation', 'sale',
                                     'cancellation', 'return')),
  quantity int not null,
  on_hand_delta int not null default 0,
  allocated_delta int not null default 0,
  reserved_delta int not null default 0,
  order_id uuid references commerce.orders (id),
  reservation_id uuid references commerce.reservations (id),
  reason text,
  actor uuid,
  created_at timestamptz not null default now(),
  foreign key (variant_id, location_id) references commerce.inventory_levels (variant_id, location_id)
);
comment on table commerce.stock_movements is 'The stock ledger: every change of on hand, allocated and reserved units, with its reason; levels are its sums.';
comment on column commerce.stock_movements.id is 'Movement id.';
comment on column commerce.stock_movements.variant_id is 'The variant.';
comment on column commerce.stock_movements.location_id is 'The location.';
comment on column commerce.stock_movements.lot_id is 'The lot, where the movement has one.';
comment on column commerce.stock_movements.kind is 'adjustment, receipt, reservation, release, allocation, sale, cancellation or return.';
comment on column commerce.stock_movements.quantity is 'Units moved (unsigned).';
comment on column commerce.stock_movements.on_hand_delta is 'Signed change of on hand.';
comment on column commerce.stock_movements.allocated_delta is 'Signed change of allocated.';
comment on column commerce.stock_movements.reserved_delta is 'Signed change of reserved.';
comment on column commerce.stock_movements.order_id is 'The order the movement is for.';
comment on column commerce.stock_movements.reservation_id is 'The reservation the movement settles.';
comment on column commerce.stock_movements.reason is 'Why (an adjustment''s reason, a cancellation''s).';
comment on column commerce.stock_movements.actor is 'The user who caused it (null for the system).';
comment on column commerce.stock_movements.created_at is 'When the movement was recorded.';
create index stock_movements_level_idx on commerce.stock_movements (variant_id, location_id);
create index stock_movements_location_idx on commerce.stock_movements (location_id);
create index stock_movements_lot_idx on commerce.stock_movements (lot_id);
create index stock_movements_order_idx on commerce.stock_movements (order_id);
create index stock_movements_reservation_idx on commerce.stock_movements (reservation_id);
create index stock_movements_created_idx on commerce.stock_movements (created_at);

create or replace function private.commerce_ledger_is_append_only() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = 'PT409', hint = 'ledger_append_only',
    message = 'Stock movements are append-only; record a correcting movement instead.';
end;
$$;
create trigger stock_movements_append_only before update or delete on commerce.stock_movements
  for each row execute function private.commerce_ledger_is_append_only();

create table commerce.stock_alerts (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('low_stock', 'lot_expiring')),
  variant_id uuid not null references commerce.variants (id) on delete cascade,
  lot_id uuid references commerce.lots (id) on delete cascade,
  details jsonb not null default '{}'::jsonb,
  raised_at timestamptz not null default now(),
  resolved_at timestamptz
);
comment on table commerce.stock_alerts is 'Open and resolved stock alerts: low stock of a variant, lots close to expiry.';
comment on column commerce.stock_alerts.id is 'Alert id.';
comment on column commerce.stock_alerts.kind is 'low_stock or lot_expiring.';
comment on column commerce.stock_alerts.variant_id is 'The variant.';
comment on column commerce.stock_alerts.lot_id is 'The lot of an expiry alert.';
comment on column commerce.stock_alerts.details is 'Figures behind the alert (available units, threshold, expiry).';
comment on column commerce.stock_alerts.raised_at is 'When it was raised.';
comment on column commerce.stock_alerts.resolved_at is 'When stock recovered or the lot left (null while open).';
-- Raised once: at most one open alert per variant (low stock) or lot (expiring).
create unique index stock_alerts_open_low_idx on commerce.stock_alerts (variant_id) where kind = 'low_stock' and resolved_at is null;
create unique index stock_alerts_open_lot_idx on commerce.stock_alerts (lot_id) where kind = 'lot_expiring' and resolved_at is null;
create index stock_alerts_lot_idx on commerce.stock_alerts (lot_id);
create index stock_alerts_variant_idx on commerce.stock_alerts (variant_id);

alter table commerce.orders enable row level security;
alter table commerce.order_lines enable row level security;
alter table commerce.order_events enable row level security;
alter table commerce.order_transitions enable row level security;
alter table commerce.reservations enable row level security;
alter table commerce.stock_movements enable row level security;
alter table commerce.stock_alerts enable row level security;

-- All orders are read by support (to help), analysts (read everything), admins and sales.
create policy "customers read their own orders, staff all" on commerce.orders
  for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "customers read their own order lines, staff all" on commerce.order_lines
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales']))
         or exists (select 1 from commerce.orders o where o.id = order_id and o.customer_id = (select auth.uid())));
create policy "customers read their own order events, staff all" on commerce.order_events
  for select to authenticated
  using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales']))
         or exists (select 1 from commerce.orders o where o.id = order_id and o.customer_id = (select auth.uid())));
create policy "everyone signed in reads the transitions" on commerce.order_transitions
  for select to authenticated using (true);
create policy "staff read reservations" on commerce.reservations
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));
create policy "admins and analysts read the ledger" on commerce.stock_movements
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst'])));
create policy "staff read stock alerts" on commerce.stock_alerts
  for select to authenticated using ((select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));

grant select on commerce.orders, commerce.order_lines, commerce.order_events, commerce.order_transitions,
  commerce.reservations, commerce.stock_movements, commerce.stock_alerts to authenticated;
grant all on all tables in schema commerce to service_role;
grant usage on all sequences in schema commerce to service_role;

-- Stock alerts reach staff dashboards on a private Realtime broadcast topic (RLS on
-- realtime.messages decides who may subscribe: staff only).
create or replace function private.commerce_broadcast_alert() returns trigger
language plpgsql set search_path = '' as $$
begin
  perform realtime.send(
    jsonb_build_object('id', new.id, 'kind', new.kind, 'variantId', new.variant_id, 'lotId', new.lot_id,
                       'details', new.details, 'raisedAt', new.raised_at, 'resolvedAt', new.resolved_at),
    case when new.resolved_at is null then 'alert_raised' else 'alert_resolved' end,
    'commerce:stock-alerts', true);
  return null;
end;
$$;
create trigger stock_alerts_broadcast after insert or update of resolved_at on commerce.stock_alerts
  for each row execute function private.commerce_broadcast_alert();

create policy "staff receive commerce stock alerts" on realtime.messages
  for select to authenticated
  using ((select realtime.topic()) = 'commerce:stock-alerts' and (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])));

-- Order status changes reach staff dashboards on the private topic commerce:orders, and the customer
-- who placed an order on commerce:order:<id>. realtime.send inserts into realtime.messages in the
-- transaction that changes the status, so a change that rolls back is never broadcast.
create or replace function private.commerce_broadcast_order_status() returns trigger
language plpgsql set search_path = '' as $$
declare
  change jsonb := jsonb_build_object('orderId', new.id, 'number', new.number, 'status', new.status,
                                     'previousStatus', old.status, 'totalMinor', new.total_minor,
                                     'currency', new.currency, 'provider', new.provider, 'changedAt', now());
begin
  perform realtime.send(change, 'order_status_changed', 'commerce:orders', true);
  perform realtime.send(change, 'order_status_changed', 'commerce:order:' || new.id, true);
  return null;
end;
$$;
comment on function private.commerce_broadcast_order_status() is
  'Trigger: broadcasts an order''s status change on the private topics commerce:orders (staff) and commerce:order:<id> (its customer).';
create trigger orders_broadcast_status after update of status on commerce.orders
  for each row when (new.status is distinct from old.status)
  execute function private.commerce_broadcast_order_status();

create policy "staff receive order status changes, customers their own order's" on realtime.messages
  for select to authenticated
  using (((select realtime.topic()) = 'commerce:orders'
          and (select private.has_any_role(array['admin', 'analyst', 'support', 'sales'])))
         or ((select realtime.topic()) like 'commerce:order:%'
             and exists (select 1 from commerce.orders o
                         where o.customer_id = (select auth.uid())
                           and 'commerce:order:' || o.id = (select realtime.topic()))));
