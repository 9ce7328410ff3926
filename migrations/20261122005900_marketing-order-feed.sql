-- Marketing follows orders through commerce's published feed (commerce.order_feed), never its tables
-- and never a trigger on them. A pg_cron job pages the feed from this consumer's cursor (consumer
-- `orders` in private.marketing_feed_cursors, shared with the coupon consumer) and, in the same
-- transaction as the cursor move, applies each page set-based:
--   * order facts (placed once paid, refunded, canceled) to marketing.record_orders, which keeps customer
--     analytics and segments current, and the order's products to marketing.order_baskets
--     (recommendations);
--   * loyalty: points on payment by the purchase rule of the order's currency, pending until the refund
--     window (marketing.order_settings) passes, clawed back on refund (partial refunds by their share)
--     and cancellation;
--   * the order confirmation (order.placed on payment) and shipping notice (order.shipped on fulfilment)
--     automations, to the order's e-mail, transactional (no list subscription needed; the send job still
--     suppresses blocklisted and hard-bounced addresses).
-- A second pg_cron job recomputes "frequently bought together" (support, confidence, lift) from the
-- baskets; marketing.frequently_bought_together serves it.

create table marketing.order_settings (
  id boolean primary key default true check (id),
  -- Points of a paid order stay pending this long (refunds inside it claw them back before they count).
  refund_window interval not null default '30 days' check (refund_window >= '0 seconds'),
  -- A product pair is recommended only when at least this many orders hold both (no single buyer shows).
  min_pair_orders int not null default 2 check (min_pair_orders >= 1),
  updated_at timestamptz not null default now()
);
insert into marketing.order_settings default values;

create table marketing.order_baskets (
  order_id text not null references marketing.customer_orders (order_id) on delete cascade,
  product_id uuid not null,
  quantity int not null check (quantity > 0),
  primary key (order_id, product_id)
);
create index order_baskets_product_idx on marketing.order_baskets (product_id);

create table marketing.product_pairs (
  product_id uuid not null,
  related_product_id uuid not null,
  orders_together int not null check (orders_together > 0),
  support numeric(8, 6) not null,
  confidence numeric(8, 6) not null,
  lift numeric(12, 4) not null,
  computed_at timestamptz not null default now(),
  primary key (product_id, related_product_id),
  check (product_id <> related_product_id)
);

-- Purchases earn per unit of the order's currency: 1 point per US dollar (the existing `purchase` rule),
-- 1 point per 1,000 naira.
insert into marketing.earning_rules (code, kind, points_per_unit) values ('purchase-ngn', 'purchase', 0.001);

-- Transactional order notices: order number, lines and totals (all HTML-escaped by the renderer).
insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables) values
  ('order-confirmation', 'Order confirmation', 'transactional',
   'Your order {{ orderNumber }} is confirmed',
   '<p>Thank you for your order <strong>{{ orderNumber }}</strong>. We received your payment.</p>'
   '<table><tr><th>Item</th><th>Qty</th><th>Price</th><th>Total</th></tr>{% for line in lines %}'
   '<tr><td>{{ line.sku }}</td><td>{{ line.quantity }}</td><td>{{ line.unitPrice }} {{ currency }}</td><td>{{ line.total }} {{ currency }}</td></tr>{% endfor %}</table>'
   '<p>Subtotal: {{ totals.subtotal }} {{ currency }}<br>Discount: {{ totals.discount }} {{ currency }}<br>'
   '<strong>Total: {{ totals.total }} {{ currency }}</strong></p>',
   E'Thank you for your order {{ orderNumber }}. We received your payment.\n\n{% for line in lines %}{{ line.quantity }} x {{ line.sku }} at {{ line.unitPrice }} {{ currency }}: {{ line.total }} {{ currency }}\n{% endfor %}\nSubtotal: {{ totals.subtotal }} {{ currency }}\nDiscount: {{ totals.discount }} {{ currency }}\nTotal: {{ totals.total }} {{ currency }}',
   '{orderNumber,currency,lines,totals}'),
  ('order-shipped', 'Shipping notice', 'transactional',
   'Your order {{ orderNumber }} is on its way',
   '<p>Good news: {% if complete %}your order <strong>{{ orderNumber }}</strong> has shipped{% else %}part of your order <strong>{{ orderNumber }}</strong> has shipped{% endif %}.</p>'
   '<table><tr><th>Item</th><th>Shipped</th><th>Ordered</th></tr>{% for line in lines %}'
   '<tr><td>{{ line.sku }}</td><td>{{ line.shipped }}</td><td>{{ line.quantity }}</td></tr>{% endfor %}</table>'
   '<p>Order total: {{ totals.total }} {{ currency }}</p>',
   E'{% if complete %}Your order {{ orderNumber }} has shipped.{% else %}Part of your order {{ orderNumber }} has shipped.{% endif %}\n\n{% for line in lines %}{{ line.shipped }} of {{ line.quantity }} x {{ line.sku }}\n{% endfor %}\nOrder total: {{ totals.total }} {{ currency }}',
   '{orderNumber,currency,lines,totals,complete}');

insert into marketing.automations (slug, name, trigger) values
  ('order-confirmation', 'Order confirmation', 'order.placed'),
  ('order-shipped', 'Shipping notice', 'order.shipped');
insert into marketing.automation_steps (automation_id, position, delay, template_id)
select a.id, 0, '0 seconds', t.id
from (values ('order-confirmation', 'order-confirmation'), ('order-shipped', 'order-shipped')) s(automation, template)
join marketing.automations a on a.slug = s.automation
join marketing.templates t on t.slug = s.template;

insert into private.marketing_feed_cursors (consumer) values ('orders') on conflict (consumer) do nothing;

alter table marketing.order_settings enable row level security;
alter table marketing.order_baskets enable row level security;
alter table marketing.product_pairs enable row level security;

create policy "staff and analysts read order settings" on marketing.order_settings for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff change order settings" on marketing.order_settings for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
-- Baskets are purchase history: analysts and marketing staff only.
create policy "analysts and staff read baskets" on marketing.order_baskets for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
-- Pairs are aggregates over at least min_pair_orders orders, shown next to products in the shop.
create policy "everyone reads product pairs" on marketing.product_pairs for select to anon, authenticated
  using (true);

grant select on marketing.order_settings, marketing.order_baskets to authenticated;
grant update (refund_window, min_pair_orders) on marketing.order_settings to authenticated;
grant select on marketing.product_pairs to anon, authenticated;
grant all on marketing.order_settings, marketing.order_baskets, marketing.product_pairs to service_role;

create trigger order_settings_touch before update on marketing.order_settings
  for each row execute function private.touch_updated_at();

-- The consumer --------------------------------------------------------------------------------------

/* A currency amount in minor units as the text notices show (2 decimals: USD cents, NGN kobo). */
create or replace function private.marketing_money(minor bigint) returns text
language sql immutable set search_path = '' as $$
  select to_char(coalesce(minor, 0) / 100.0, 'FM999999999990.00')
$$;

/*
  Applies one page of the order feed (in pg_temp.marketing_order_page) to order facts, baskets,
  loyalty and automations. Set-based per concern; loyalty goes through loyalty_earn / loyalty_clawback
  (per order, each under its customer's account lock).
*/
create or replace function private.marketing_apply_order_page() returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  window_length interval := (select s.refund_window from marketing.order_settings s);
  facts int := 0;
  earned int;
  clawed int;
  notices int;
begin
  -- Facts: one per order that has been paid (in this page, or known from an earlier one), from the
  -- order as it is now. Pending-payment orders are no fact; one canceled before payment never counts.
  create temporary table if not exists pg_temp.marketing_order_facts (
    order_id uuid primary key, customer_id uuid, status text, total_minor bigint, spent_minor bigint,
    currency text, placed_at timestamptz, lines jsonb
  ) on commit drop;
  truncate pg_temp.marketing_order_facts;
  insert into pg_temp.marketing_order_facts
  select distinct on (p.order_id) p.order_id, p.customer_id,
         case when p.status = 'canceled' then 'canceled' when p.status = 'refunded' then 'refunded' else 'placed' end,
         -- A partial refund lowers what the order is worth to analytics (its amount, when the event carries it).
         greatest(p.total_minor - coalesce(r.refunded_minor, 0), 0), p.subtotal_minor - p.discount_minor,
         p.currency, p.placed_at, p.lines
  from pg_temp.marketing_order_page p
  left join lateral (
    select max((q.details ->> 'refundedMinor')::bigint) as refunded_minor from pg_temp.marketing_order_page q
    where q.order_id = p.order_id and q.to_status = 'partially_refunded' and q.details ? 'refundedMinor'
  ) r on true
  where p.kind in ('status_changed', 'canceled')
    and (exists (select 1 from pg_temp.marketing_order_page q where q.order_id = p.order_id and q.to_status = 'paid')
         or exists (select 1 from marketing.customer_orders o where o.order_id = p.order_id::text))
  order by p.order_id, p.tx desc, p.event_id desc;

  if exists (select 1 from pg_temp.marketing_order_facts) then
    facts := marketing.record_orders((
      select jsonb_agg(jsonb_build_object('orderId', f.order_id, 'userId', f.customer_id,
                                          'total', f.total_minor / 100.0, 'placedAt', f.placed_at, 'status', f.status))
      from pg_temp.marketing_order_facts f));
    insert into marketing.order_baskets (order_id, product_id, quantity)
    select f.order_id::text, (l ->> 'productId')::uuid, sum((l ->> 'quantity')::int)
    from pg_temp.marketing_order_facts f cross join jsonb_array_elements(f.lines) l
    where l ->> 'productId' is not null
    group by 1, 2
    on conflict (order_id, product_id) do nothing;
  end if;

  -- Loyalty: payment earns (pending until the refund window passes), refund and cancellation claw back.
  select count(*) filter (where (e.earned ->> 'points')::int > 0) into earned
  from (
    select marketing.loyalty_earn(f.customer_id, case f.currency when 'NGN' then 'purchase-ngn' else 'purchase' end,
                                  'order:' || f.order_id, f.spent_minor / 100.0, p.occurred_at + window_length) as earned
    from pg_temp.marketing_order_facts f
    join pg_temp.marketing_order_page p on p.order_id = f.order_id and p.to_status = 'paid'
    -- A purchase rule staff switched off earns nothing (loyalty_earn would refuse it and stall the feed).
    join marketing.earning_rules r on r.code = case f.currency when 'NGN' then 'purchase-ngn' else 'purchase' end and r.active
    where f.status = 'placed' and f.spent_minor > 0
    order by f.customer_id, f.order_id
  ) e;
  select count(*) filter (where c.points > 0) into clawed
  from (
    select marketing.loyalty_clawback('order:' || f.order_id,
             case when f.status in ('refunded', 'canceled') then 1
                  else (f.total_minor_refunded)::numeric / nullif(f.paid_minor, 0) end) as points
    from (
      select f.order_id, f.status, f.customer_id,
             coalesce((select max((q.details ->> 'refundedMinor')::bigint) from pg_temp.marketing_order_page q
                       where q.order_id = f.order_id and q.to_status = 'partially_refunded' and q.details ? 'refundedMinor'), 0)
               as total_minor_refunded,
             (select max(q.total_minor) from pg_temp.marketing_order_page q where q.order_id = f.order_id) as paid_minor
      from pg_temp.marketing_order_facts f
      where f.status in ('refunded', 'canceled')
         or exists (select 1 from pg_temp.marketing_order_page q where q.order_id = f.order_id
                    and q.to_status = 'partially_refunded' and q.details ? 'refundedMinor')
      order by f.customer_id, f.order_id
    ) f
  ) c;

  -- Notices go to the order's e-mail: a subscriber row for it (no list subscription: the mail is
  -- transactional), linked to the customer's account when they have no subscriber yet.
  insert into marketing.subscribers (email, user_id)
  select a.email, case when a.first_of_customer and not exists (
                    select 1 from marketing.subscribers s where s.user_id = a.customer_id) then a.customer_id end
  from (
    select e.email, e.customer_id, row_number() over (partition by e.customer_id order by e.email) = 1 as first_of_customer
    from (select distinct lower(p.customer_email) as email, p.customer_id from pg_temp.marketing_order_page p
          where p.to_status in ('paid', 'fulfilled', 'partially_fulfilled')) e
    where e.email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(e.email) <= 254
  ) a
  on conflict do nothing;

  select coalesce(sum(marketing.trigger_automations(
           case when p.to_status = 'paid' then 'order.placed' else 'order.shipped' end, s.id,
           case when p.to_status = 'paid' then 'order:' || p.order_id || ':paid'
                else 'order:' || p.order_id || ':shipped:' || p.event_id end,
           jsonb_build_object(
             'orderNumber', p.order_number, 'currency', p.currency,
             'lines', (select coalesce(jsonb_agg(jsonb_build_object(
                                'sku', l ->> 'sku', 'quantity', (l ->> 'quantity')::int,
                                'shipped', coalesce((l ->> 'fulfilledQuantity')::int, 0),
                                'unitPrice', private.marketing_money((l ->> 'unitPriceMinor')::bigint),
                                'total', private.marketing_money((l ->> 'totalMinor')::bigint))), '[]'::jsonb)
                       from jsonb_array_elements(p.lines) l),
             'totals', jsonb_build_object('subtotal', private.marketing_money(p.subtotal_minor),
                                          'discount', private.marketing_money(p.discount_minor),
                                          'total', private.marketing_money(p.total_minor)))
           || case when p.to_status = 'paid' then '{}'::jsonb
                   else jsonb_build_object('complete', p.to_status = 'fulfilled') end)), 0)
  into notices
  from pg_temp.marketing_order_page p
  join marketing.subscribers s on s.email = lower(p.customer_email)
  where p.kind = 'status_changed'
    and ((p.to_status = 'paid' and p.status not in ('canceled', 'refunded'))
         or p.to_status in ('fulfilled', 'partially_fulfilled'));

  return jsonb_build_object('facts', facts, 'earned', earned, 'clawedBack', clawed, 'notices', notices);
end;
$$;

/*
  The order-feed consumer (pg_cron, every minute): reads up to max_pages pages of commerce.order_feed
  after the `orders` cursor and applies each, moving the cursor in the same transaction. The cursor row
  is locked first, so two runs never apply one page twice. Then releases pending points whose refund
  window passed. Returns what it did.
*/
create or replace function private.marketing_consume_orders(page_size int default 500, max_pages int default 20)
returns jsonb
language plpgsql volatile set search_path = '' as $$
declare
  cursor_at private.marketing_feed_cursors;
  pages int := 0;
  events bigint := 0;
  step jsonb;
  totals jsonb := '{"facts": 0, "earned": 0, "clawedBack": 0, "notices": 0}'::jsonb;
  page_rows int;
begin
  insert into private.marketing_feed_cursors (consumer) values ('orders') on conflict (consumer) do nothing;
  select * into cursor_at from private.marketing_feed_cursors c where c.consumer = 'orders' for update;
  create temporary table if not exists pg_temp.marketing_order_page (
    tx bigint, event_id bigint, kind text, from_status text, to_status text, occurred_at timestamptz,
    details jsonb, order_id uuid, order_number text, customer_id uuid, customer_email text, status text,
    currency text, subtotal_minor bigint, discount_minor bigint, total_minor bigint, coupon_code text,
    placed_at timestamptz, lines jsonb
  ) on commit drop;
  loop
    exit when pages >= max_pages;
    truncate pg_temp.marketing_order_page;
    insert into pg_temp.marketing_order_page
    select * from commerce.order_feed(cursor_at.tx, cursor_at.event_id, page_size);
    get diagnostics page_rows = row_count;
    exit when page_rows = 0;
    step := private.marketing_apply_order_page();
    select (jsonb_object_agg(k, (totals ->> k)::int + (step ->> k)::int)) into totals from jsonb_object_keys(totals) k;
    select p.tx, p.event_id into cursor_at.tx, cursor_at.event_id
    from pg_temp.marketing_order_page p order by p.tx desc, p.event_id desc limit 1;
    update private.marketing_feed_cursors c set tx = cursor_at.tx, event_id = cursor_at.event_id, updated_at = now()
    where c.consumer = 'orders';
    pages := pages + 1;
    events := events + page_rows;
    exit when page_rows < page_size;
  end loop;
  return totals || jsonb_build_object('rows', events, 'events', events, 'pages', pages, 'released', marketing.loyalty_release_due());
end;
$$;

-- Recommendations -------------------------------------------------------------------------------------

/*
  Recomputes "frequently bought together" from the baskets of placed orders, set-based: for each ordered
  pair (A, B) of products in one order, support = orders with both / all orders, confidence = orders with
  both / orders with A, lift = confidence / (orders with B / all orders). Pairs seen in fewer than
  min_pair_orders orders are dropped. Replaces the table in one transaction. Returns the pairs stored.
*/
create or replace function marketing.refresh_product_pairs() returns int
language plpgsql volatile set search_path = '' as $$
declare
  minimum int := (select s.min_pair_orders from marketing.order_settings s);
  stored int;
begin
  create temporary table if not exists pg_temp.marketing_baskets (order_id text, product_id uuid) on commit drop;
  truncate pg_temp.marketing_baskets;
  insert into pg_temp.marketing_baskets
  select b.order_id, b.product_id from marketing.order_baskets b
  join marketing.customer_orders o on o.order_id = b.order_id
  where o.status = 'placed';
  delete from marketing.product_pairs;
  with orders_total as (
    select count(distinct order_id)::numeric as n from pg_temp.marketing_baskets
  ), per_product as (
    select product_id, count(*)::numeric as orders from pg_temp.marketing_baskets group by product_id
  ), pairs as (
    select a.product_id, b.product_id as related_product_id, count(*) as together
    from pg_temp.marketing_baskets a
    join pg_temp.marketing_baskets b on b.order_id = a.order_id and b.product_id <> a.product_id
    group by a.product_id, b.product_id
    having count(*) >= minimum
  )
  insert into marketing.product_pairs (product_id, related_product_id, orders_together, support, confidence, lift)
  select p.product_id, p.related_product_id, p.together, round(p.together / t.n, 6),
         round(p.together / pa.orders, 6), round((p.together / pa.orders) / (pb.orders / t.n), 4)
  from pairs p cross join orders_total t
  join per_product pa on pa.product_id = p.product_id
  join per_product pb on pb.product_id = p.related_product_id;
  get diagnostics stored = row_count;
  return stored;
end;
$$;

/* Products most often bought together with this one, best first (confidence, then lift). */
create or replace function marketing.frequently_bought_together(product_id uuid, max_rows int default 5)
returns table (related_product_id uuid, orders_together int, support numeric, confidence numeric, lift numeric)
language plpgsql stable set search_path = '' as $$
#variable_conflict use_column
begin
  if max_rows is null or max_rows not between 1 and 50 then
    raise exception using errcode = 'PT422', hint = 'invalid_max_rows', message = 'max_rows is between 1 and 50.';
  end if;
  return query
  select p.related_product_id, p.orders_together, p.support, p.confidence, p.lift
  from marketing.product_pairs p
  where p.product_id = frequently_bought_together.product_id
  order by p.confidence desc, p.lift desc, p.related_product_id
  limit max_rows;
end;
$$;

grant execute on function marketing.frequently_bought_together(uuid, int) to anon, authenticated, service_role;
grant execute on function marketing.refresh_product_pairs() to service_role;
revoke execute on function private.marketing_consume_orders(int, int), private.marketing_apply_order_page(),
  private.marketing_money(bigint) from public;

select cron.schedule('marketing-order-feed', '* * * * *',
  $$select private.run_job('marketing-order-feed', 'select private.marketing_consume_orders()')$$);
select cron.schedule('marketing-product-pairs', '17 * * * *',
  $$select private.run_job('marketing-product-pairs', 'select marketing.refresh_product_pairs()')$$);

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.order_settings is 'How marketing treats orders: refund window of order points, minimum orders of a recommended pair.';
comment on column marketing.order_settings.id is 'Always true: one row.';
comment on column marketing.order_settings.refund_window is 'How long a paid order''s points stay pending.';
comment on column marketing.order_settings.min_pair_orders is 'Orders a product pair needs before it is recommended.';
comment on column marketing.order_settings.updated_at is 'When the settings last changed.';
comment on table marketing.order_baskets is 'The products of each order fact (from the order feed''s lines), for recommendations.';
comment on column marketing.order_baskets.order_id is 'The order fact.';
comment on column marketing.order_baskets.product_id is 'A product of the order (commerce product id).';
comment on column marketing.order_baskets.quantity is 'Units of it in the order.';
comment on table marketing.product_pairs is 'Frequently bought together: product pairs with support, confidence and lift (pg_cron).';
comment on column marketing.product_pairs.product_id is 'The product shown.';
comment on column marketing.product_pairs.related_product_id is 'A product bought with it.';
comment on column marketing.product_pairs.orders_together is 'Placed orders holding both.';
comment on column marketing.product_pairs.support is 'Orders with both / all orders.';
comment on column marketing.product_pairs.confidence is 'Orders with both / orders with product_id.';
comment on column marketing.product_pairs.lift is 'Confidence / share of orders with related_product_id.';
comment on column marketing.product_pairs.computed_at is 'When the pair was computed.';
comment on function marketing.refresh_product_pairs() is 'Recomputes frequently-bought-together pairs from the baskets of placed orders.';
comment on function marketing.frequently_bought_together(uuid, int) is 'Products most often bought together with one, best first.';
