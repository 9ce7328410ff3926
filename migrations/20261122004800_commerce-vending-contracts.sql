-- Commerce: contracts published for the vending module (docs/api/commerce.md), next to
-- commerce.payment_by_reference. Vending funds a vend with a Paystack payment; it needs to know how
-- much of that payment is still unrefunded, and it refunds a vend that finally failed through
-- commerce's own refund path (a commerce.refunds row the dispatcher sends to the provider), so the
-- money goes back exactly as commerce refunds anything else. Service role only.

create or replace function commerce.payment_refundable_minor(payment_id uuid) returns bigint
language sql stable security definer set search_path = '' as $$
  select p.captured_minor - coalesce((select sum(r.amount_minor) from commerce.refunds r
                                      where r.payment_id = p.id and r.status <> 'failed'), 0)
  from commerce.payments p
  where p.id = payment_refundable_minor.payment_id and p.status = 'succeeded'
$$;
comment on function commerce.payment_refundable_minor(uuid) is
  'Service role: captured minus refunded or requested refunds of a succeeded payment, in minor units (null when not succeeded).';

create or replace function commerce.refund_payment(payment_id uuid, amount_minor bigint, reason text) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
declare
  paid_order uuid;
begin
  select p.order_id into paid_order from commerce.payments p where p.id = refund_payment.payment_id;
  if paid_order is null then
    raise exception using errcode = 'PT404', hint = 'payment_not_found', message = 'No such payment.';
  end if;
  if reason is null or length(trim(reason)) = 0 then
    raise exception using errcode = 'PT422', hint = 'reason_required', message = 'A refund needs a reason.';
  end if;
  -- Automatic (no person asked for it); no restock: a vend funded by a payment moved no stock.
  return private.commerce_request_refund(paid_order, amount_minor, reason, false, true);
end;
$$;
comment on function commerce.refund_payment(uuid, bigint, text) is
  'Service role: request an automatic refund of part or all of a succeeded payment (at most captured minus refunded); returns the refund id.';

revoke execute on function commerce.payment_refundable_minor(uuid), commerce.refund_payment(uuid, bigint, text)
  from public, anon, authenticated;
grant execute on function commerce.payment_refundable_minor(uuid), commerce.refund_payment(uuid, bigint, text)
  to service_role;
