-- Commerce: the order feed, the published contract through which other modules (marketing: analytics,
-- automations, loyalty, coupons, recommendations) follow orders without reading commerce's tables.
--
-- Readers keep their own cursor (tx, eventId) and ask for what follows it. Only events of transactions
-- older than every transaction still running are served (tx_id < xmin of the current snapshot): those
-- are final, and any event committed later carries a higher tx_id than everything already served, so a
-- reader never skips an event that an older, slower transaction commits after a newer one.

create or replace function commerce.order_feed(after_tx bigint default 0, after_event bigint default 0,
                                               max_rows int default 500)
returns table (
  tx bigint, event_id bigint, kind text, from_status text, to_status text, occurred_at timestamptz,
  details jsonb, order_id uuid, order_number text, customer_id uuid, customer_email text, status text,
  currency text, subtotal_minor bigint, discount_minor bigint, total_minor bigint, coupon_code text,
  placed_at timestamptz, lines jsonb
)
language plpgsql stable set search_path = '' as $$
begin
  if max_rows is null or max_rows not between 1 and 5000 then
    raise exception using errcode = 'PT422', hint = 'invalid_max_rows', message = 'max_rows is between 1 and 5000.';
  end if;
  return query
  select (e.tx_id::text)::bigint, e.id, e.kind, e.from_status, e.to_status, e.occurred_at, e.details,
         o.id, o.number, o.customer_id, o.customer_email, o.status, o.currency, o.subtotal_minor,
         o.discount_minor, o.total_minor, o.coupon_code, o.created_at, l.lines
  from commerce.order_events e
  join commerce.orders o on o.id = e.order_id
  cross join lateral (
    select coalesce(jsonb_agg(jsonb_build_object(
             'sku', ol.sku, 'variantId', ol.variant_id, 'productId', v.product_id, 'quantity', ol.quantity,
             'unitPriceMinor', ol.unit_price_minor, 'discountMinor', ol.discount_minor,
             'totalMinor', ol.total_minor, 'fulfilledQuantity', ol.fulfilled_quantity) order by ol.sku), '[]'::jsonb)
    from commerce.order_lines ol join commerce.variants v on v.id = ol.variant_id
    where ol.order_id = o.id
  ) l(lines)
  where e.tx_id < pg_snapshot_xmin(pg_current_snapshot())
    and (e.tx_id, e.id) > ((coalesce(after_tx, 0)::text)::xid8, coalesce(after_event, 0))
  order by e.tx_id, e.id
  limit max_rows;
end;
$$;
comment on function commerce.order_feed is
  'Service role: order events after the cursor (tx, eventId), oldest first, each with its order and lines as they are now. Only final events are served, so a cursor never skips a late commit.';
revoke execute on function commerce.order_feed(bigint, bigint, int) from public, anon, authenticated;
grant execute on function commerce.order_feed(bigint, bigint, int) to service_role;
