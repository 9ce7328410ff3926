-- Commerce analytics for analysts and admins, each over a [window_from, window_to) window
-- (private.require_window; the HTTP side parses it with shared/window.ts). Invoker rights: the
-- callers' own RLS (they read all commerce rows) applies. Money stays per currency, never summed across.

create or replace function commerce.revenue_by_day(window_from timestamptz, window_to timestamptz)
returns table (day date, currency text, orders bigint, revenue_minor bigint, refunded_minor bigint)
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  select (o.created_at at time zone 'UTC')::date, o.currency, count(*), sum(p.captured_minor)::bigint, sum(p.refunded_minor)::bigint
  from commerce.orders o join commerce.payments p on p.order_id = o.id
  where o.created_at >= window_from and o.created_at < window_to and p.status = 'succeeded'
  group by 1, 2 order by 1, 2;
end;
$$;
comment on function commerce.revenue_by_day is
  'Analysts: orders, captured and refunded amounts per day and currency over a window.';

create or replace function commerce.average_order_value(window_from timestamptz, window_to timestamptz)
returns table (currency text, orders bigint, average_minor numeric)
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  select o.currency, count(*), round(avg(o.total_minor), 2)
  from commerce.orders o join commerce.payments p on p.order_id = o.id
  where o.created_at >= window_from and o.created_at < window_to and p.status = 'succeeded'
  group by 1 order by 1;
end;
$$;
comment on function commerce.average_order_value is
  'Analysts: average order value per currency over a window.';

-- Of the payments that reached the provider (a reference exists), how many succeeded.
create or replace function commerce.payment_success_rate(window_from timestamptz, window_to timestamptz)
returns table (provider text, attempts bigint, succeeded bigint, failed bigint, success_rate numeric)
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  select p.provider, count(*), count(*) filter (where p.status = 'succeeded'), count(*) filter (where p.status = 'failed'),
         round(count(*) filter (where p.status = 'succeeded')::numeric / nullif(count(*), 0), 4)
  from commerce.payments p
  where p.created_at >= window_from and p.created_at < window_to and p.reference is not null
  group by 1 order by 1;
end;
$$;
comment on function commerce.payment_success_rate is
  'Analysts: of the payments that reached the provider, how many succeeded and failed, per provider, over a window.';

create or replace function commerce.refund_rate(window_from timestamptz, window_to timestamptz)
returns table (currency text, paid_orders bigint, refunded_orders bigint, captured_minor bigint, refunded_minor bigint, refund_rate numeric)
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  select p.currency, count(*), count(*) filter (where p.refunded_minor > 0), sum(p.captured_minor)::bigint,
         sum(p.refunded_minor)::bigint, round(sum(p.refunded_minor)::numeric / nullif(sum(p.captured_minor), 0), 4)
  from commerce.payments p
  where p.created_at >= window_from and p.created_at < window_to and p.status = 'succeeded'
  group by 1 order by 1;
end;
$$;
comment on function commerce.refund_rate is
  'Analysts: refunded payments and the refunded share of captured amounts per currency over a window.';

-- Stock value at cost and days of cover: on hand divided by the daily sales rate over the window.
create or replace function commerce.stock_value(window_from timestamptz, window_to timestamptz)
returns table (sku text, currency text, on_hand bigint, unit_cost_minor bigint, stock_value_minor bigint, units_sold bigint,
               days_of_cover numeric)
language plpgsql stable set search_path = '' as $$
declare
  window_days numeric := extract(epoch from window_to - window_from) / 86400;
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  with stock as (
    select l.variant_id, sum(l.on_hand)::bigint as on_hand from commerce.inventory_levels l group by 1
  ), sold as (
    select m.variant_id, sum(-m.on_hand_delta)::bigint as units from commerce.stock_movements m
    where m.kind = 'sale' and m.created_at >= window_from and m.created_at < window_to group by 1
  )
  select v.sku, v.currency, coalesce(s.on_hand, 0), c.unit_cost_minor, coalesce(s.on_hand, 0) * coalesce(c.unit_cost_minor, 0),
         coalesce(x.units, 0),
         case when coalesce(x.units, 0) = 0 then null else round(coalesce(s.on_hand, 0) / (x.units / window_days), 1) end
  from commerce.variants v
  left join stock s on s.variant_id = v.id
  left join sold x on x.variant_id = v.id
  left join commerce.variant_costs c on c.variant_id = v.id
  order by 5 desc, 1;
end;
$$;
comment on function commerce.stock_value is
  'Analysts: per SKU on hand, value at cost and days of cover at the window''s daily sales rate.';

create or replace function commerce.top_products(window_from timestamptz, window_to timestamptz, max_rows int default 10)
returns table (sku text, name text, currency text, units bigint, revenue_minor bigint)
language plpgsql stable set search_path = '' as $$
begin
  perform private.require_any_role(array['analyst', 'admin']);
  perform private.require_window(window_from, window_to);
  return query
  select l.sku, min(l.name), o.currency, sum(l.quantity)::bigint, sum(l.total_minor)::bigint
  from commerce.order_lines l join commerce.orders o on o.id = l.order_id join commerce.payments p on p.order_id = o.id
  where o.created_at >= window_from and o.created_at < window_to and p.status = 'succeeded'
  group by l.sku, o.currency
  order by 5 desc, 1
  limit least(greatest(coalesce(max_rows, 10), 1), 100);
end;
$$;
comment on function commerce.top_products is
  'Analysts: best-selling SKUs (units and revenue per currency) over a window.';

revoke execute on function commerce.revenue_by_day(timestamptz, timestamptz), commerce.average_order_value(timestamptz, timestamptz),
  commerce.payment_success_rate(timestamptz, timestamptz), commerce.refund_rate(timestamptz, timestamptz),
  commerce.stock_value(timestamptz, timestamptz), commerce.top_products(timestamptz, timestamptz, int) from public;
grant execute on function commerce.revenue_by_day(timestamptz, timestamptz), commerce.average_order_value(timestamptz, timestamptz),
  commerce.payment_success_rate(timestamptz, timestamptz), commerce.refund_rate(timestamptz, timestamptz),
  commerce.stock_value(timestamptz, timestamptz), commerce.top_products(timestamptz, timestamptz, int)
  to authenticated, service_role;
