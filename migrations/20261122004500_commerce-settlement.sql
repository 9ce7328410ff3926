-- Commerce settlement: provider webhooks applied once and forward only, payment success turning
-- reservations into allocations (or cancel and refund when stock is gone), cancellation, fulfilment,
-- delivery, refunds, fraud review, the refund/verification work queue and the published contract
-- commerce.payment_by_reference for the vending module.
--
-- Orders are locked FOR NO KEY UPDATE: settling changes an order's status, never its key, and the
-- foreign keys of order_events and reservations take KEY SHARE on it. With FOR UPDATE a webhook holding
-- the order and waiting for inventory levels deadlocked against the expiry job, which holds the levels
-- and logs an order event.

create or replace function private.commerce_payment_rank(status text) returns int
language sql immutable set search_path = '' as $$
  select case status when 'creating' then 0 when 'pending' then 1 when 'failed' then 2 when 'succeeded' then 3 end
$$;

create or replace function private.commerce_refund_rank(status text) returns int
language sql immutable set search_path = '' as $$
  select case status when 'requested' then 0 when 'pending' then 1 else 2 end
$$;

-- Provider work (refund calls, Paystack verification) runs after commit: pg_net calls the dispatcher
-- once this transaction commits; the every-minute cron job catches anything a lost call left behind.
create or replace function private.commerce_wake_dispatcher() returns void
language plpgsql volatile set search_path = '' as $$
begin
  perform private.invoke_function('payments-webhook/dispatch', '{}'::jsonb, 10000);
exception when others then
  raise warning 'commerce dispatcher not woken (the cron job will pick the work up): %', sqlerrm;
end;
$$;

create or replace function private.commerce_request_refund(
  order_id uuid, amount_minor bigint, reason text, restock boolean, automatic boolean
) returns uuid
language plpgsql volatile set search_path = '' as $$
declare
  paid commerce.payments;
  refundable bigint;
  new_refund uuid;
begin
  select * into paid from commerce.payments p where p.order_id = commerce_request_refund.order_id for update;
  if paid.id is null or paid.status <> 'succeeded' then
    raise exception using errcode = 'PT409', hint = 'nothing_to_refund', message = 'This order has no captured payment.';
  end if;
  refundable := paid.captured_minor - coalesce((select sum(r.amount_minor) from commerce.refunds r
                                                where r.payment_id = paid.id and r.status <> 'failed'), 0);
  if amount_minor is null or amount_minor < 1 or amount_minor > refundable then
    raise exception using errcode = 'PT422', hint = 'refund_exceeds_refundable',
      message = format('The refund must be between 1 and %s (captured minus refunded).', refundable),
      detail = jsonb_build_object('refundable', refundable)::text;
  end if;
  insert into commerce.refunds (payment_id, order_id, amount_minor, currency, reason, restock, requested_by, automatic)
  values (paid.id, commerce_request_refund.order_id, amount_minor, paid.currency, reason, restock, auth.uid(), automatic)
  returning id into new_refund;
  insert into commerce.payment_events (payment_id, kind, amount_minor, details)
  values (paid.id, 'refund_requested', amount_minor, jsonb_build_object('refundId', new_refund, 'automatic', automatic));
  perform private.commerce_wake_dispatcher();
  return new_refund;
end;
$$;

-- Cancels an order: reservations released, allocations returned to stock, what was paid refunded.
create or replace function private.commerce_cancel(order_id uuid, reason text, automatic boolean) returns uuid
language plpgsql volatile set search_path = '' as $$
declare
  target commerce.orders;
  paid commerce.payments;
  refundable bigint;
  refund_id uuid;
begin
  select * into target from commerce.orders o where o.id = commerce_cancel.order_id for no key update;
  perform private.commerce_release(target.id, reason);
  perform private.commerce_settle_allocations(target.id, 'cancellation');
  update commerce.orders o set status = 'canceled' where o.id = target.id;
  insert into commerce.order_events (order_id, kind, actor, details)
  values (target.id, 'canceled', auth.uid(), jsonb_build_object('reason', reason, 'automatic', automatic));
  select * into paid from commerce.payments p where p.order_id = target.id;
  if paid.status = 'succeeded' then
    refundable := paid.captured_minor - coalesce((select sum(r.amount_minor) from commerce.refunds r
                                                  where r.payment_id = paid.id and r.status <> 'failed'), 0);
    if refundable > 0 then
      refund_id := private.commerce_request_refund(target.id, refundable, reason, false, automatic);
    end if;
  end if;
  perform private.commerce_refresh_alerts(array(select ol.variant_id from commerce.order_lines ol where ol.order_id = target.id));
  return refund_id;
end;
$$;

create or replace function commerce.payment_created(payment_id uuid, reference text) returns void
language plpgsql volatile security definer set search_path = '' as $$
begin
  update commerce.payments p
  set reference = payment_created.reference, updated_at = now(),
      status = case when p.status = 'creating' then 'pending' else p.status end
  where p.id = payment_created.payment_id;
  insert into commerce.payment_events (payment_id, kind, from_status, to_status, details)
  values (payment_created.payment_id, 'provider_payment_created', 'creating', 'pending',
          jsonb_build_object('reference', reference));
end;
$$;
comment on function commerce.payment_created is
  'Service role: record the provider reference of a payment once the provider created it.';

create or replace function commerce.record_webhook_event(provider text, event_key text, event_type text, payload jsonb)
returns table (webhook_event_id bigint, duplicate boolean)
language plpgsql volatile security definer set search_path = '' as $$
declare
  new_id bigint;
begin
  insert into commerce.webhook_events (provider, event_key, event_type, payload)
  values (provider, event_key, event_type, payload)
  on conflict on constraint webhook_events_provider_event_key_key do nothing
  returning id into new_id;
  -- Paystack charges are verified with Paystack before they count: after commit, by the dispatcher.
  if new_id is not null and provider = 'paystack' and event_type = 'charge.success' then
    perform private.commerce_wake_dispatcher();
  end if;
  if new_id is null then
    return query select w.id, true from commerce.webhook_events w
                 where w.provider = record_webhook_event.provider and w.event_key = record_webhook_event.event_key;
  else
    return query select new_id, false;
  end if;
end;
$$;
comment on function commerce.record_webhook_event is
  'Service role (payments webhook): store a verified event once per provider and key; a duplicate is reported.';

create or replace function private.commerce_settle_event(webhook_event_id bigint, outcome text, detail text) returns text
language sql volatile set search_path = '' as $$
  update commerce.webhook_events w
  set outcome = commerce_settle_event.outcome, outcome_detail = detail, processed_at = now(), attempts = w.attempts + 1
  where w.id = webhook_event_id;
  select outcome;
$$;

-- Applies a payment status the provider reported (Stripe directly; Paystack once verified). Once per
-- event (the event row is locked and must still be 'received'), forward only per payment.
create or replace function commerce.apply_payment_update(
  webhook_event_id bigint, provider text, reference text, payment_id uuid, new_status text,
  amount_minor bigint, currency text, card_fingerprint text default null
) returns text
language plpgsql volatile security definer set search_path = '' as $$
declare
  event commerce.webhook_events;
  paid commerce.payments;
  target commerce.orders;
begin
  select * into event from commerce.webhook_events w where w.id = webhook_event_id for update;
  if event.outcome <> 'received' then
    return 'duplicate';
  end if;
  select * into paid from commerce.payments p
  where p.provider = apply_payment_update.provider
    and (p.reference = apply_payment_update.reference or p.id = apply_payment_update.payment_id)
  order by p.reference = apply_payment_update.reference desc nulls last limit 1
  for update;
  if paid.id is null then
    return private.commerce_settle_event(webhook_event_id, 'ignored', 'no such payment');
  end if;
  if private.commerce_payment_rank(new_status) <= private.commerce_payment_rank(paid.status) then
    insert into commerce.payment_events (payment_id, kind, from_status, to_status, webhook_event_id)
    values (paid.id, 'stale_event_ignored', paid.status, new_status, webhook_event_id);
    return private.commerce_settle_event(webhook_event_id, 'ignored', format('payment already %s', paid.status));
  end if;

  if new_status = 'succeeded' and (amount_minor is distinct from paid.amount_minor or currency is distinct from paid.currency) then
    insert into commerce.payment_events (payment_id, kind, amount_minor, webhook_event_id, details)
    values (paid.id, 'amount_mismatch', amount_minor, webhook_event_id,
            jsonb_build_object('expected', paid.amount_minor, 'expectedCurrency', paid.currency, 'currency', currency));
    return private.commerce_settle_event(webhook_event_id, 'rejected', 'amount or currency does not match the payment');
  end if;

  update commerce.payments p
  set status = new_status, updated_at = now(), reference = coalesce(p.reference, apply_payment_update.reference),
      captured_minor = case when new_status = 'succeeded' then apply_payment_update.amount_minor else p.captured_minor end,
      card_fingerprint = coalesce(apply_payment_update.card_fingerprint, p.card_fingerprint)
  where p.id = paid.id;
  insert into commerce.payment_events (payment_id, kind, from_status, to_status, amount_minor, webhook_event_id)
  values (paid.id, 'status_changed', paid.status, new_status, amount_minor, webhook_event_id);

  select * into target from commerce.orders o where o.id = paid.order_id for no key update;
  if new_status = 'succeeded' then
    if target.status = 'pending_payment' then
      if private.commerce_allocate(target.id) then
        update commerce.orders o set status = 'paid' where o.id = target.id;
      else
        -- Never an order paid without stock: cancel and give the money back.
        perform private.commerce_cancel(target.id, 'out of stock when the payment arrived', true);
      end if;
    elsif target.status = 'canceled' then
      perform private.commerce_request_refund(target.id, amount_minor, 'payment arrived for a canceled order', false, true);
    end if;
    perform private.commerce_refresh_alerts(array(select ol.variant_id from commerce.order_lines ol where ol.order_id = target.id));
  elsif new_status = 'failed' then
    perform private.commerce_release(target.id, 'payment failed');
    insert into commerce.order_events (order_id, kind, details)
    values (target.id, 'payment_failed', jsonb_build_object('webhookEventId', webhook_event_id));
    perform private.commerce_refresh_alerts(array(select ol.variant_id from commerce.order_lines ol where ol.order_id = target.id));
  end if;
  return private.commerce_settle_event(webhook_event_id, 'applied', new_status);
end;
$$;
comment on function commerce.apply_payment_update is
  'Service role (payments webhook): apply a verified provider status to a payment, forward only, and pay or refund its order.';

-- Applies a refund status the provider reported; forward only; success counts the money refunded and
-- moves the order to partially_refunded or refunded (a canceled order stays canceled).
create or replace function commerce.apply_refund_update(
  webhook_event_id bigint, provider text, refund_reference text, refund_id uuid, new_status text, amount_minor bigint
) returns text
language plpgsql volatile security definer set search_path = '' as $$
declare
  event commerce.webhook_events;
  refund commerce.refunds;
  paid commerce.payments;
  target commerce.orders;
begin
  select * into event from commerce.webhook_events w where w.id = webhook_event_id for update;
  if event.outcome <> 'received' then
    return 'duplicate';
  end if;
  select r.* into refund from commerce.refunds r join commerce.payments p on p.id = r.payment_id
  where p.provider = apply_refund_update.provider
    and (r.provider_reference = apply_refund_update.refund_reference or r.id = apply_refund_update.refund_id)
  limit 1 for update of r;
  if refund.id is null then
    return private.commerce_settle_event(webhook_event_id, 'ignored', 'no such refund');
  end if;
  if private.commerce_refund_rank(new_status) <= private.commerce_refund_rank(refund.status) then
    return private.commerce_settle_event(webhook_event_id, 'ignored', format('refund already %s', refund.status));
  end if;
  update commerce.refunds r
  set status = new_status, updated_at = now(), provider_reference = coalesce(r.provider_reference, refund_reference)
  where r.id = refund.id;
  select * into paid from commerce.payments p where p.id = refund.payment_id for update;
  insert into commerce.payment_events (payment_id, kind, to_status, amount_minor, webhook_event_id, details)
  values (paid.id, 'refund_' || new_status, new_status, refund.amount_minor, webhook_event_id,
          jsonb_build_object('refundId', refund.id));
  if new_status = 'succeeded' then
    update commerce.payments p set refunded_minor = p.refunded_minor + refund.amount_minor, updated_at = now()
    where p.id = paid.id;
    select * into target from commerce.orders o where o.id = refund.order_id for no key update;
    if target.status in ('paid', 'partially_fulfilled', 'fulfilled', 'delivered', 'partially_refunded') then
      update commerce.orders o
      set status = case when paid.refunded_minor + refund.amount_minor >= paid.captured_minor then 'refunded'
                        else 'partially_refunded' end
      where o.id = target.id;
      -- A second partial refund keeps the status, so the transition trigger logs nothing; the feed still
      -- needs the new cumulative amount.
      if target.status = 'partially_refunded' and paid.refunded_minor + refund.amount_minor < paid.captured_minor then
        insert into commerce.order_events (order_id, kind, from_status, to_status, details)
        values (target.id, 'status_changed', 'partially_refunded', 'partially_refunded',
                private.commerce_status_details(target.id, 'partially_refunded'));
      end if;
    end if;
  end if;
  return private.commerce_settle_event(webhook_event_id, 'applied', new_status);
end;
$$;
comment on function commerce.apply_refund_update is
  'Service role (payments webhook): apply a verified provider status to a refund.';

-- Settles an event without applying it: 'ignored' (a type we do not act on) or 'rejected' (Paystack's
-- verification disagreed); a settled event is never retried.
create or replace function commerce.settle_webhook_event(webhook_event_id bigint, outcome text, detail text) returns text
language plpgsql volatile security definer set search_path = '' as $$
begin
  if outcome not in ('ignored', 'rejected') then
    raise exception using errcode = 'PT422', hint = 'invalid_outcome', message = 'outcome must be ignored or rejected.';
  end if;
  return private.commerce_settle_event(webhook_event_id, outcome, detail);
end;
$$;
comment on function commerce.settle_webhook_event is
  'Service role: record a webhook event''s outcome (applied, ignored, rejected, failed).';

-- Pending Paystack payments due for a status check: Paystack sends no webhook for a failed or
-- abandoned charge, so a payment whose order's reservation expires within paystack_check_minutes (or
-- has expired) is verified with Paystack, then again with a growing pause (30 s x checks) while it stays
-- in flight, at most 12 times.
create or replace function private.commerce_due_payment_checks(max_items int) returns setof uuid
language sql stable set search_path = '' as $$
  select p.id from commerce.payments p
  join commerce.orders o on o.id = p.order_id
  where p.provider = 'paystack' and p.status = 'pending' and p.reference is not null
    and o.status = 'pending_payment' and p.checks < 12
    and (p.checked_at is null or p.checked_at < now() - interval '30 seconds' * p.checks)
    and coalesce((select min(r.expires_at) from commerce.reservations r
                  where r.order_id = o.id and r.status = 'active'), '-infinity')
        <= now() + make_interval(mins => (select s.paystack_check_minutes from commerce.settings s))
  order by p.created_at
  limit max_items
$$;

-- Work queue for the dispatcher: claims due refunds, unverified Paystack charges and due Paystack
-- status checks, skipping rows another dispatcher holds; a claimed row waits before it is claimed again.
create or replace function commerce.claim_provider_work(max_items int default 20)
returns table (kind text, id text, provider text, reference text, amount_minor bigint, currency text, attempts int)
language plpgsql volatile security definer set search_path = '' as $$
begin
  return query
  with due_refunds as (
    select r.id from commerce.refunds r
    where r.status = 'requested' and (r.attempts = 0 or r.updated_at < now() - interval '30 seconds')
    order by r.created_at limit max_items for update skip locked
  ), claimed_refunds as (
    update commerce.refunds r set attempts = r.attempts + 1, updated_at = now()
    from due_refunds d where r.id = d.id
    returning r.id, r.payment_id, r.amount_minor, r.currency, r.attempts
  ), due_events as (
    select w.id from commerce.webhook_events w
    where w.outcome = 'received' and w.provider = 'paystack' and w.event_type = 'charge.success'
      and (w.attempts = 0 or w.processed_at is null and w.received_at < now() - interval '30 seconds' * w.attempts)
    order by w.received_at limit max_items for update skip locked
  ), claimed_events as (
    update commerce.webhook_events w set attempts = w.attempts + 1
    from due_events d where w.id = d.id
    returning w.id, w.payload, w.attempts
  ), due_checks as (
    select p.id from commerce.payments p
    where p.id in (select private.commerce_due_payment_checks(max_items))
    for update skip locked
  ), claimed_checks as (
    update commerce.payments p set checks = p.checks + 1, checked_at = now()
    from due_checks d where p.id = d.id
    returning p.id, p.reference, p.amount_minor, p.currency, p.checks
  )
  select 'refund'::text, c.id::text, p.provider, p.reference, c.amount_minor, c.currency, c.attempts
  from claimed_refunds c join commerce.payments p on p.id = c.payment_id
  union all
  select 'verify'::text, e.id::text, 'paystack'::text, e.payload -> 'data' ->> 'reference',
         (e.payload -> 'data' ->> 'amount')::bigint, e.payload -> 'data' ->> 'currency', e.attempts
  from claimed_events e
  union all
  select 'check'::text, k.id::text, 'paystack'::text, k.reference, k.amount_minor, k.currency, k.checks
  from claimed_checks k;
end;
$$;
comment on function commerce.claim_provider_work is
  'Service role (dispatcher): claim due refunds, unverified Paystack charges and due Paystack status checks, skipping rows another dispatcher holds.';

-- What Paystack's verify said about a pending payment the dispatcher checked. The answer is recorded as
-- a provider event (event_type transaction.verify, keyed by reference and status, so it is applied
-- once) and applied like a webhook: success pays the order (re-reserving if the reservation lapsed);
-- failed, abandoned or reversed, once the reservation has expired, fails the payment, releases stock
-- and cancels the order (before expiry the customer may still be paying: the next check decides); any
-- other status is still in flight and only noted.
create or replace function commerce.apply_payment_check(
  payment_id uuid, provider_status text, reference text, amount_minor bigint, currency text,
  card_fingerprint text default null
) returns text
language plpgsql volatile security definer set search_path = '' as $$
declare
  paid commerce.payments;
  event_id bigint;
  new_status text;
  outcome text;
begin
  select * into paid from commerce.payments p where p.id = apply_payment_check.payment_id;
  if paid.id is null or paid.status <> 'pending' then
    return 'settled';
  end if;
  new_status := case when provider_status = 'success' then 'succeeded'
                     when provider_status in ('failed', 'abandoned', 'reversed') then 'failed' end;
  if new_status = 'failed' and exists (select 1 from commerce.reservations r where r.order_id = paid.order_id
                                       and r.status = 'active' and r.expires_at > now()) then
    new_status := null;
  end if;
  if new_status is null then
    insert into commerce.payment_events (payment_id, kind, details)
    values (paid.id, 'provider_checked', jsonb_build_object('providerStatus', provider_status));
    return 'in_flight';
  end if;
  insert into commerce.webhook_events (provider, event_key, event_type, payload)
  values (paid.provider, format('transaction.verify:%s:%s', apply_payment_check.reference, provider_status),
          'transaction.verify',
          jsonb_build_object('data', jsonb_build_object('reference', apply_payment_check.reference,
            'status', provider_status, 'amount', apply_payment_check.amount_minor, 'currency', apply_payment_check.currency)))
  on conflict on constraint webhook_events_provider_event_key_key do nothing
  returning id into event_id;
  if event_id is null then
    return 'duplicate';
  end if;
  outcome := commerce.apply_payment_update(event_id, paid.provider, apply_payment_check.reference, paid.id, new_status,
                                           apply_payment_check.amount_minor, apply_payment_check.currency,
                                           apply_payment_check.card_fingerprint);
  if new_status = 'failed' and outcome = 'applied'
     and exists (select 1 from commerce.orders o where o.id = paid.order_id and o.status = 'pending_payment') then
    perform private.commerce_cancel(paid.order_id, format('Paystack charge %s', provider_status), true);
  end if;
  return outcome;
end;
$$;
comment on function commerce.apply_payment_check is
  'Service role (dispatcher): apply what Paystack''s verify says about a pending payment: success pays, failed/abandoned/reversed after expiry fails it and cancels the order.';

create or replace function commerce.refund_sent(refund_id uuid, provider_reference text, provider_status text) returns void
language plpgsql volatile security definer set search_path = '' as $$
begin
  update commerce.refunds r
  set provider_reference = coalesce(r.provider_reference, refund_sent.provider_reference), updated_at = now(),
      status = case when r.status = 'requested' then 'pending' else r.status end, last_error = null
  where r.id = refund_id;
end;
$$;
comment on function commerce.refund_sent is
  'Service role (dispatcher): record that the provider accepted a refund, with its reference.';

create or replace function commerce.refund_send_failed(refund_id uuid, error text) returns void
language plpgsql volatile security definer set search_path = '' as $$
begin
  update commerce.refunds r set last_error = left(error, 500), updated_at = now() where r.id = refund_id;
end;
$$;
comment on function commerce.refund_send_failed is
  'Service role (dispatcher): record a failed refund send for a retry.';

-- Staff and customer actions --------------------------------------------------------------------------

create or replace function private.commerce_cancel_order(order_id uuid, reason text default 'canceled by request') returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  target commerce.orders;
  staff boolean := auth.role() = 'service_role' or private.has_any_role(array['admin', 'support']);
  refund_id uuid;
begin
  select * into target from commerce.orders o where o.id = commerce_cancel_order.order_id for no key update;
  if target.id is null or not (staff or target.customer_id = auth.uid()) then
    raise exception using errcode = 'PT404', hint = 'not_found', message = 'No such order.';
  end if;
  if not staff and target.status <> 'pending_payment' then
    raise exception using errcode = 'PT409', hint = 'cannot_cancel',
      message = 'An order can be canceled by its customer only before payment; contact support.';
  end if;
  if target.status not in ('pending_payment', 'paid') then
    raise exception using errcode = 'PT409', hint = 'cannot_cancel',
      message = format('An order that is %s can no longer be canceled.', target.status);
  end if;
  refund_id := private.commerce_cancel(target.id, coalesce(reason, 'canceled by request'), false);
  return jsonb_build_object('orderId', target.id, 'status', 'canceled', 'refundId', refund_id);
end;
$$;
comment on function private.commerce_cancel_order(uuid, text) is
  'Definer behind commerce.cancel_order (checks the caller itself): Cancel an order: its customer before payment, support/admin before fulfilment (a paid order gets a refund).';
grant execute on function private.commerce_cancel_order(uuid, text) to authenticated, service_role;

create or replace function commerce.cancel_order(order_id uuid, reason text default 'canceled by request') returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_cancel_order(cancel_order.order_id, cancel_order.reason)
$$;
comment on function commerce.cancel_order(uuid, text) is
  'Cancel an order: its customer before payment, support/admin before fulfilment (a paid order gets a refund).';

-- Admin: ship the order, or part of it (lines [{sku, quantity}]): the shipped units' allocations become
-- sales, lots first-expiry-first-out; the order is fulfilled when every line is, partially_fulfilled before.
create or replace function private.commerce_fulfil_order(order_id uuid, lines jsonb default null) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  target commerce.orders;
  requested jsonb;
  invalid text;
  moves jsonb;
  next_status text;
begin
  perform private.require_any_role(array['admin']);
  select * into target from commerce.orders o where o.id = commerce_fulfil_order.order_id for no key update;
  if target.id is null then
    raise exception using errcode = 'PT404', hint = 'not_found', message = 'No such order.';
  end if;
  if target.review_status = 'pending' then
    raise exception using errcode = 'PT409', hint = 'review_pending', message = 'The order waits for fraud review.';
  end if;
  if target.status not in ('paid', 'partially_fulfilled') then
    raise exception using errcode = 'PT409', hint = 'illegal_transition',
      message = format('Order %s cannot be fulfilled while %s.', target.number, target.status);
  end if;

  -- What to ship per SKU: everything left, or the requested quantities (each at most what is left).
  with remaining as (
    select ol.sku, ol.variant_id, sum(ol.quantity - ol.fulfilled_quantity)::int as quantity
    from commerce.order_lines ol where ol.order_id = target.id group by ol.sku, ol.variant_id
  ), asked as (
    select x ->> 'sku' as sku, sum((x ->> 'quantity')::int)::int as quantity
    from jsonb_array_elements(coalesce(lines, '[]')) x group by 1
  )
  select string_agg(a.sku, ', ' order by a.sku) filter (where r.sku is null or a.quantity < 1 or a.quantity > r.quantity),
         coalesce(jsonb_agg(jsonb_build_object('variant_id', r.variant_id, 'sku', r.sku,
                  'quantity', coalesce(a.quantity, r.quantity)))
                  filter (where r.sku is not null and coalesce(a.quantity, r.quantity) > 0
                          and (lines is null or a.sku is not null)), '[]')
  into invalid, requested
  from remaining r full join asked a on a.sku = r.sku;
  if invalid is not null or jsonb_array_length(requested) = 0 then
    raise exception using errcode = 'PT422', hint = 'invalid_fulfilment',
      message = coalesce('Nothing left to ship for: ' || invalid, 'Nothing left to ship.');
  end if;

  -- Take the order's allocations of each SKU, first-expiry-first-out (unlotted last).
  with wanted as (
    select (r ->> 'variant_id')::uuid as variant_id, (r ->> 'quantity')::int as quantity from jsonb_array_elements(requested) r
  ), held as (
    select a.variant_id, a.location_id, a.lot_id, a.quantity as held, w.quantity as wanted, t.expires_on
    from private.commerce_order_allocations(target.id) a
    join wanted w on w.variant_id = a.variant_id
    left join commerce.lots t on t.id = a.lot_id
  ), running as (
    select h.*, sum(h.held) over (partition by h.variant_id order by h.expires_on nulls last, h.location_id, h.lot_id) - h.held as before
    from held h
  )
  select jsonb_agg(jsonb_build_object('variant_id', variant_id, 'location_id', location_id, 'lot_id', lot_id,
           'kind', 'sale', 'quantity', least(held, wanted - before), 'allocated_delta', -least(held, wanted - before),
           'on_hand_delta', -least(held, wanted - before), 'order_id', target.id))
  into moves
  from running where before < wanted;
  perform private.commerce_apply_movements(coalesce(moves, '[]'));

  -- Lines sharing a SKU are filled in line order.
  with shipped as (
    select r ->> 'sku' as sku, (r ->> 'quantity')::int as quantity from jsonb_array_elements(requested) r
  ), open_lines as (
    select ol.id, ol.sku, ol.quantity - ol.fulfilled_quantity as open,
           sum(ol.quantity - ol.fulfilled_quantity) over (partition by ol.sku order by ol.id) - (ol.quantity - ol.fulfilled_quantity) as before
    from commerce.order_lines ol where ol.order_id = target.id
  )
  update commerce.order_lines ol
  set fulfilled_quantity = ol.fulfilled_quantity + least(o.open, s.quantity - o.before)
  from open_lines o join shipped s on s.sku = o.sku
  where ol.id = o.id and o.before < s.quantity;

  next_status := case when exists (select 1 from commerce.order_lines ol where ol.order_id = target.id
                                   and ol.fulfilled_quantity < ol.quantity)
                      then 'partially_fulfilled' else 'fulfilled' end;
  update commerce.orders o set status = next_status where o.id = target.id;
  return jsonb_build_object('orderId', target.id, 'status', next_status, 'shipped', requested);
end;
$$;
comment on function private.commerce_fulfil_order(uuid, jsonb) is
  'Definer behind commerce.fulfil_order (checks the caller itself): ship the order or some of its lines; allocations become sales, lots first-expiry-first-out.';
grant execute on function private.commerce_fulfil_order(uuid, jsonb) to authenticated, service_role;

create or replace function commerce.fulfil_order(order_id uuid, lines jsonb default null) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_fulfil_order(fulfil_order.order_id, fulfil_order.lines)
$$;
comment on function commerce.fulfil_order(uuid, jsonb) is
  'Admin: ship the order or some of its lines; allocations become sales, lots first-expiry-first-out.';

create or replace function private.commerce_mark_delivered(order_id uuid) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
begin
  perform private.require_any_role(array['admin']);
  if not exists (select 1 from commerce.orders o where o.id = commerce_mark_delivered.order_id) then
    raise exception using errcode = 'PT404', hint = 'not_found', message = 'No such order.';
  end if;
  update commerce.orders o set status = 'delivered' where o.id = commerce_mark_delivered.order_id;
  return jsonb_build_object('orderId', order_id, 'status', 'delivered');
end;
$$;
comment on function private.commerce_mark_delivered(uuid) is
  'Definer behind commerce.mark_delivered (checks the caller itself): mark a shipped order delivered.';
grant execute on function private.commerce_mark_delivered(uuid) to authenticated, service_role;

create or replace function commerce.mark_delivered(order_id uuid) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_mark_delivered(mark_delivered.order_id)
$$;
comment on function commerce.mark_delivered(uuid) is
  'Admin: mark a shipped order delivered.';

-- Support/admin: a partial or full refund, up to captured minus refunded. With restock, sold units of
-- a fulfilled order come back into stock (once per order).
create or replace function private.commerce_refund_order(order_id uuid, amount_minor bigint, reason text, restock boolean default false)
returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  target commerce.orders;
  refund_id uuid;
  moves jsonb;
begin
  perform private.require_any_role(array['admin', 'support']);
  select * into target from commerce.orders o where o.id = commerce_refund_order.order_id for no key update;
  if target.id is null then
    raise exception using errcode = 'PT404', hint = 'not_found', message = 'No such order.';
  end if;
  if reason is null or length(trim(reason)) = 0 then
    raise exception using errcode = 'PT422', hint = 'reason_required', message = 'A refund needs a reason.';
  end if;
  if target.status not in ('paid', 'partially_fulfilled', 'fulfilled', 'delivered', 'partially_refunded') then
    raise exception using errcode = 'PT409', hint = 'nothing_to_refund',
      message = format('An order that is %s cannot be refunded.', target.status);
  end if;
  refund_id := private.commerce_request_refund(target.id, amount_minor, reason, coalesce(restock, false), false);
  if restock then
    if not exists (select 1 from commerce.stock_movements m where m.order_id = target.id and m.kind = 'sale') then
      raise exception using errcode = 'PT409', hint = 'nothing_to_restock', message = 'Only sold (fulfilled) units can be restocked.';
    end if;
    if not exists (select 1 from commerce.stock_movements m where m.order_id = target.id and m.kind = 'return') then
      select jsonb_agg(jsonb_build_object('variant_id', m.variant_id, 'location_id', m.location_id, 'lot_id', m.lot_id,
               'kind', 'return', 'quantity', -m.on_hand_delta, 'on_hand_delta', -m.on_hand_delta,
               'order_id', target.id, 'reason', commerce_refund_order.reason))
      into moves from commerce.stock_movements m where m.order_id = target.id and m.kind = 'sale';
      perform private.commerce_apply_movements(moves);
      perform private.commerce_refresh_alerts(array(select ol.variant_id from commerce.order_lines ol where ol.order_id = target.id));
    end if;
  end if;
  return jsonb_build_object('refundId', refund_id, 'orderId', target.id, 'amount', amount_minor, 'status', 'requested');
end;
$$;
comment on function private.commerce_refund_order(uuid, bigint, text, boolean) is
  'Definer behind commerce.refund_order (checks the caller itself): request a partial or full refund up to captured minus refunded, optionally restocking sold units.';
grant execute on function private.commerce_refund_order(uuid, bigint, text, boolean) to authenticated, service_role;

create or replace function commerce.refund_order(order_id uuid, amount_minor bigint, reason text, restock boolean default false) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_refund_order(refund_order.order_id, refund_order.amount_minor, refund_order.reason, refund_order.restock)
$$;
comment on function commerce.refund_order(uuid, bigint, text, boolean) is
  'Support/admin: request a partial or full refund up to captured minus refunded, optionally restocking sold units.';

create or replace function private.commerce_review_order(order_id uuid, approve boolean, note text default null) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  target commerce.orders;
begin
  perform private.require_any_role(array['admin', 'support']);
  select * into target from commerce.orders o where o.id = commerce_review_order.order_id for no key update;
  if target.id is null then
    raise exception using errcode = 'PT404', hint = 'not_found', message = 'No such order.';
  end if;
  if target.review_status <> 'pending' then
    raise exception using errcode = 'PT409', hint = 'not_in_review', message = 'This order is not waiting for review.';
  end if;
  update commerce.orders o set review_status = case when approve then 'approved' else 'rejected' end
  where o.id = target.id;
  update commerce.fraud_assessments a set reviewed_by = auth.uid(), reviewed_at = now() where a.order_id = target.id;
  insert into commerce.order_events (order_id, kind, actor, details)
  values (target.id, case when approve then 'review_approved' else 'review_rejected' end, auth.uid(),
          jsonb_build_object('note', note));
  if not approve and target.status in ('pending_payment', 'paid') then
    perform private.commerce_cancel(target.id, 'rejected in fraud review', false);
  end if;
  return jsonb_build_object('orderId', target.id, 'reviewStatus', case when approve then 'approved' else 'rejected' end);
end;
$$;
comment on function private.commerce_review_order(uuid, boolean, text) is
  'Definer behind commerce.review_order (checks the caller itself): approve or reject an order the fraud rules held for review.';
grant execute on function private.commerce_review_order(uuid, boolean, text) to authenticated, service_role;

create or replace function commerce.review_order(order_id uuid, approve boolean, note text default null) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_review_order(review_order.order_id, review_order.approve, review_order.note)
$$;
comment on function commerce.review_order(uuid, boolean, text) is
  'Support/admin: approve or reject an order the fraud rules held for review.';

-- Published contract (vending funds vends by Paystack payments): one payment by provider reference.
-- Service role only (execute is granted to nobody else); documented in docs/api/commerce.md.
create or replace function commerce.payment_by_reference(provider text, reference text)
returns table (payment_id uuid, order_id uuid, customer_id uuid, status text, amount_minor bigint, currency text)
language plpgsql stable security definer set search_path = '' as $$
begin
  return query
  select p.id, p.order_id, o.customer_id, p.status, p.amount_minor, p.currency
  from commerce.payments p join commerce.orders o on o.id = p.order_id
  where p.provider = payment_by_reference.provider and p.reference = payment_by_reference.reference;
end;
$$;
comment on function commerce.payment_by_reference is
  'Service role: the payment and order a provider reference belongs to.';

create or replace function private.commerce_wake_dispatcher_if_due() returns bigint
language plpgsql volatile set search_path = '' as $$
begin
  if exists (select 1 from commerce.refunds r where r.status = 'requested')
     or exists (select 1 from commerce.webhook_events w where w.outcome = 'received')
     or exists (select private.commerce_due_payment_checks(1)) then
    perform private.commerce_wake_dispatcher();
    return 1;
  end if;
  return 0;
end;
$$;

select cron.schedule('commerce-dispatch-provider-work', '* * * * *',
  $$select private.run_job('commerce-dispatch-provider-work', 'select private.commerce_wake_dispatcher_if_due()')$$);

revoke execute on function commerce.payment_created(uuid, text), commerce.record_webhook_event(text, text, text, jsonb),
  commerce.apply_payment_update(bigint, text, text, uuid, text, bigint, text, text),
  commerce.apply_refund_update(bigint, text, text, uuid, text, bigint), commerce.settle_webhook_event(bigint, text, text),
  commerce.claim_provider_work(int), commerce.refund_sent(uuid, text, text), commerce.refund_send_failed(uuid, text),
  commerce.apply_payment_check(uuid, text, text, bigint, text, text),
  commerce.cancel_order(uuid, text), commerce.fulfil_order(uuid, jsonb), commerce.mark_delivered(uuid),
  commerce.refund_order(uuid, bigint, text, boolean), commerce.review_order(uuid, boolean, text),
  commerce.payment_by_reference(text, text) from public;
grant execute on function commerce.payment_created(uuid, text), commerce.record_webhook_event(text, text, text, jsonb),
  commerce.apply_payment_update(bigint, text, text, uuid, text, bigint, text, text),
  commerce.apply_refund_update(bigint, text, text, uuid, text, bigint), commerce.settle_webhook_event(bigint, text, text),
  commerce.claim_provider_work(int), commerce.refund_sent(uuid, text, text), commerce.refund_send_failed(uuid, text),
  commerce.apply_payment_check(uuid, text, text, bigint, text, text), commerce.payment_by_reference(text, text) to service_role;
grant execute on function commerce.cancel_order(uuid, text), commerce.fulfil_order(uuid, jsonb), commerce.mark_delivered(uuid),
  commerce.refund_order(uuid, bigint, text, boolean), commerce.review_order(uuid, boolean, text)
  to authenticated, service_role;
