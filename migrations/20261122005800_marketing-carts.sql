-- Marketing: persistent carts (a signed-in customer's, or anonymous ones opened with a cart id and a
-- secret token), abandoned-cart recovery (a consenting cart idle for N hours gets a single-use coupon and
-- the cart.abandoned automation), and the coupons consumer of commerce.order_feed: coupon uses given
-- back on cancel or refund, and a recovered order (one placed with the cart's recovery code) attributed
-- to its cart.

-- The promotion every recovery code applies (staff change its percentage or deactivate it).
insert into marketing.promotions (name, kind, percent_off, stacking, priority)
values ('Abandoned cart recovery', 'percentage', 10, 'exclusive', 100);

create table marketing.cart_settings (
  id boolean primary key default true check (id),
  idle_hours int not null default 4 check (idle_hours between 1 and 720),
  recovery_promotion_id uuid not null references marketing.promotions (id),
  recovery_code_days int not null default 7 check (recovery_code_days between 1 and 90)
);
create index cart_settings_promotion_idx on marketing.cart_settings (recovery_promotion_id);
insert into marketing.cart_settings (recovery_promotion_id)
select id from marketing.promotions where name = 'Abandoned cart recovery';

create table marketing.carts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid references auth.users (id) on delete cascade,
  -- Anonymous carts: SHA-256 of the secret token handed out once at creation (never stored in clear).
  token_hash bytea check (octet_length(token_hash) = 32),
  email text check (email = lower(email) and email ~ '^[^@\s]+@[^@\s]+\.[^@\s]+$' and char_length(email) <= 254),
  consent boolean not null default false,
  consent_at timestamptz,
  status text not null default 'open' check (status in ('open', 'abandoned', 'ordered', 'recovered')),
  last_activity_at timestamptz not null default now(),
  abandoned_at timestamptz,
  recovery_coupon_id uuid references marketing.coupons (id) on delete set null,
  order_id uuid,
  recovered_at timestamptz,
  created_at timestamptz not null default now(),
  check (user_id is not null or token_hash is not null),
  check (not consent or consent_at is not null)
);
create index carts_user_idx on marketing.carts (user_id, last_activity_at desc);
create index carts_idle_idx on marketing.carts (last_activity_at) where status = 'open' and consent;
create index carts_recovery_coupon_idx on marketing.carts (recovery_coupon_id);

create table marketing.cart_items (
  cart_id uuid not null references marketing.carts (id) on delete cascade,
  sku text not null check (sku ~ '^[A-Z0-9][A-Z0-9-]{1,40}$'),
  quantity int not null check (quantity between 1 and 100),
  added_at timestamptz not null default now(),
  primary key (cart_id, sku)
);

-- RLS: a customer reads only their own carts and items (through the Data API too); staff and analysts
-- read every cart; marketing staff change the recovery settings. Every write goes through the carts
-- function (the owner, or the anonymous cart's token, checked there).
alter table marketing.cart_settings enable row level security;
alter table marketing.carts enable row level security;
alter table marketing.cart_items enable row level security;

create policy "staff read cart settings" on marketing.cart_settings for select to authenticated
  using ((select private.marketing_is_staff()));
create policy "staff change cart settings" on marketing.cart_settings for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "owners and staff read carts" on marketing.carts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "owners and staff read cart items" on marketing.cart_items for select to authenticated
  using (exists (select 1 from marketing.carts c where c.id = cart_id and (c.user_id = (select auth.uid())
                 or (select private.has_any_role(array['admin', 'marketing', 'analyst'])))));

-- Writes go through the carts function only (items are checked against commerce's availability there).
grant select, update (idle_hours, recovery_promotion_id, recovery_code_days) on marketing.cart_settings to authenticated;
grant select on marketing.carts, marketing.cart_items to authenticated;
grant select, insert, update, delete on marketing.carts, marketing.cart_items, marketing.cart_settings to service_role;

-- Cart contents ----------------------------------------------------------------------------------------

/*
  Replaces the items of an open or abandoned cart (an ordered one is PT409 cart_closed), validated against
  commerce's published availability (an unknown SKU is PT422 unknown_sku; more than can be sold PT409
  out_of_stock, naming each). The caller has checked that the
  cart is theirs (the carts function: the signed-in owner or the cart's token). Returns the items.
*/
create or replace function marketing.set_cart_items(cart_id uuid, items jsonb) returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  unknown text;
  short text;
begin
  if jsonb_typeof(items) is distinct from 'array' or jsonb_array_length(items) > 50
     or exists (select 1 from jsonb_array_elements(items) x
                where jsonb_typeof(x -> 'sku') is distinct from 'string' or jsonb_typeof(x -> 'quantity') is distinct from 'number'
                   or (x ->> 'quantity')::numeric not between 1 and 100 or (x ->> 'quantity')::numeric % 1 <> 0)
     or (select count(distinct x ->> 'sku') <> count(*) from jsonb_array_elements(items) x) then
    raise exception using errcode = 'PT422', hint = 'invalid_items',
      message = 'items holds up to 50 distinct SKUs with quantities 1-100.';
  end if;
  -- An abandoned cart stays editable: its shopper comes back from the recovery mail and may change it
  -- before checking out with the code (it stays abandoned, so recovery does not start again).
  if not exists (select 1 from marketing.carts c where c.id = set_cart_items.cart_id and c.status in ('open', 'abandoned')) then
    raise exception using errcode = 'PT409', hint = 'cart_closed', message = 'The cart was ordered already.';
  end if;
  select string_agg(x ->> 'sku', ', ' order by x ->> 'sku'),
         string_agg(case when a.available < (x ->> 'quantity')::int then x ->> 'sku' end, ', ' order by x ->> 'sku')
    into unknown, short
  from jsonb_array_elements(items) x
  left join commerce.catalog_availability(array(select y ->> 'sku' from jsonb_array_elements(items) y)) a
    on a.sku = x ->> 'sku'
  where a.sku is null or a.available < (x ->> 'quantity')::int;
  if unknown is not null and short is distinct from unknown then
    raise exception using errcode = 'PT422', hint = 'unknown_sku',
      message = 'Unknown or unavailable SKU: ' || unknown;
  end if;
  if short is not null then
    raise exception using errcode = 'PT409', hint = 'out_of_stock', message = 'Not enough stock for: ' || short;
  end if;
  delete from marketing.cart_items i
  where i.cart_id = set_cart_items.cart_id and i.sku not in (select x ->> 'sku' from jsonb_array_elements(items) x);
  insert into marketing.cart_items as i (cart_id, sku, quantity)
  select set_cart_items.cart_id, x ->> 'sku', (x ->> 'quantity')::int from jsonb_array_elements(items) x
  on conflict (cart_id, sku) do update set quantity = excluded.quantity;
  update marketing.carts c set last_activity_at = now() where c.id = set_cart_items.cart_id;
  return coalesce((select jsonb_agg(jsonb_build_object('sku', i.sku, 'quantity', i.quantity) order by i.sku)
                   from marketing.cart_items i where i.cart_id = set_cart_items.cart_id), '[]'::jsonb);
end;
$$;

-- Recovery ----------------------------------------------------------------------------------------------

insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables) values
  ('cart-recovery', 'Abandoned cart recovery', 'transactional',
   'You left something in your cart: {{ percentOff }}% off with {{ couponCode }}',
   '<p>Your cart is still waiting:</p><ul>{% for item in items %}<li>{{ item.quantity }} x {{ item.sku }}</li>{% endfor %}</ul>'
   '<p>Check out within {{ validDays }} days with the code <strong>{{ couponCode }}</strong> for {{ percentOff }}% off.</p>',
   E'Your cart is still waiting:\n{% for item in items %}- {{ item.quantity }} x {{ item.sku }}\n{% endfor %}\nCheck out within {{ validDays }} days with the code {{ couponCode }} for {{ percentOff }}% off.',
   '{cartId,items,couponCode,percentOff,validDays}');
insert into marketing.automations (slug, name, trigger) values ('cart-recovery', 'Abandoned cart recovery', 'cart.abandoned');
insert into marketing.automation_steps (automation_id, position, delay, template_id)
select a.id, 0, '0 seconds', t.id from marketing.automations a, marketing.templates t
where a.slug = 'cart-recovery' and t.slug = 'cart-recovery';

/*
  The pg_cron side: every open cart with items, an e-mail and consent, idle for cart_settings.idle_hours,
  gets one single-use recovery code (its own promotion, valid recovery_code_days) and starts the
  cart.abandoned automation for its e-mail's subscriber (idempotent per automation, subscriber and
  'cart:<id>'). The cart turns abandoned in the same statement, so a rerun starts nothing twice.
  The mail is sent on the consent given with the cart (a transactional template: suppression of
  blocklisted and bounced addresses still applies at send time). Returns the carts handled.
*/
create or replace function private.marketing_recover_carts(max_carts int default 500) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  settings marketing.cart_settings := (select s from marketing.cart_settings s);
  percent numeric := (select p.percent_off from marketing.promotions p where p.id = settings.recovery_promotion_id);
  handled bigint;
begin
  with idle as (
    select c.id, c.email, c.user_id, 'CART-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 12)) as code,
           (select jsonb_agg(jsonb_build_object('sku', i.sku, 'quantity', i.quantity) order by i.sku)
            from marketing.cart_items i where i.cart_id = c.id) as items
    from marketing.carts c
    where c.status = 'open' and c.consent and c.email is not null
      and c.last_activity_at < now() - make_interval(hours => settings.idle_hours)
      and exists (select 1 from marketing.cart_items i where i.cart_id = c.id)
    order by c.last_activity_at
    limit max_carts
    for update of c skip locked
  ), codes as (
    insert into marketing.coupons (promotion_id, code, usage_limit, per_customer_limit, batch, expires_at)
    select settings.recovery_promotion_id, i.code, 1, 1, 'cart-recovery',
           now() + make_interval(days => settings.recovery_code_days)
    from idle i
    returning id, code
  ), abandoned as (
    update marketing.carts c set status = 'abandoned', abandoned_at = now(), recovery_coupon_id = x.id
    from idle i join codes x on x.code = i.code
    where c.id = i.id
    returning c.id
  ), subscribers as (
    insert into marketing.subscribers (email, user_id)
    select distinct on (i.email) i.email,
           case when not exists (select 1 from marketing.subscribers s where s.user_id = i.user_id) then i.user_id end
    from idle i
    on conflict (email) do nothing
    returning id, email
  )
  select count(*) into handled
  from (
    select marketing.trigger_automations('cart.abandoned', coalesce(n.id, s.id), 'cart:' || i.id,
             jsonb_build_object('cartId', i.id, 'items', i.items, 'couponCode', i.code, 'percentOff', percent,
                                'validDays', settings.recovery_code_days))
    from idle i
    left join subscribers n on n.email = i.email
    left join marketing.subscribers s on s.email = i.email
  ) started;
  return handled;
end;
$$;

select cron.schedule('marketing-recover-carts', '*/5 * * * *',
  $$select private.run_job('marketing-recover-carts', 'select private.marketing_recover_carts()')$$);

-- The coupons consumer of commerce.order_feed (its own cursor row, coupons) ------------------------------

/*
  Reads the order feed after the coupons cursor: a canceled or fully refunded order gives back its code
  uses, the customer's uses and the promotions' budgets (once: the redemption turns returned); an order
  placed with an abandoned cart's recovery code is attributed to that cart (recovered). The cursor moves
  in the same transaction. Returns the events read.
*/
create or replace function private.marketing_follow_orders(max_rows int default 1000) returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  cursor_row private.marketing_feed_cursors;
  read_count bigint;
begin
  insert into private.marketing_feed_cursors (consumer) values ('coupons') on conflict (consumer) do nothing;
  -- The row lock also keeps two runs of the job from applying one batch twice.
  select * into cursor_row from private.marketing_feed_cursors c where c.consumer = 'coupons' for update;

  with batch as materialized (
    select * from commerce.order_feed(cursor_row.tx, cursor_row.event_id, max_rows)
  ), given_back as (
    update marketing.promotion_redemptions r set status = 'returned', returned_at = now()
    where r.status = 'applied'
      and r.order_id in (select b.order_id from batch b where b.to_status in ('canceled', 'refunded'))
    returning r.*
  ), codes as (
    update marketing.coupons c set uses = greatest(c.uses - g.n, 0)
    from (select coupon_id, count(*)::int as n from given_back where coupon_id is not null group by coupon_id) g
    where c.id = g.coupon_id
    returning 1
  ), customers as (
    update marketing.coupon_customer_uses u set uses = greatest(u.uses - g.n, 0)
    from (select coupon_id, customer_id, count(*)::int as n from given_back where coupon_id is not null
          group by coupon_id, customer_id) g
    where u.coupon_id = g.coupon_id and u.customer_id = g.customer_id
    returning 1
  ), budgets as (
    update marketing.promotions p set uses = greatest(p.uses - g.n, 0),
                                      amount_used_minor = greatest(p.amount_used_minor - g.amount, 0)
    from (select promotion_id, count(*)::int as n, sum(amount_minor)::bigint as amount from given_back
          group by promotion_id) g
    where p.id = g.promotion_id
    returning 1
  ), recovered as (
    update marketing.carts k set status = 'recovered', order_id = b.order_id, recovered_at = now()
    from batch b join marketing.coupons c on lower(c.code) = lower(b.coupon_code)
    where k.recovery_coupon_id = c.id and k.status in ('abandoned', 'ordered') and b.status <> 'canceled'
    returning 1
  ), moved as (
    update private.marketing_feed_cursors c set tx = last.tx, event_id = last.event_id, updated_at = now()
    from (select b.tx, b.event_id from batch b order by b.tx desc, b.event_id desc limit 1) last
    where c.consumer = 'coupons'
    returning 1
  )
  select count(*) + 0 * (select count(*) from codes) + 0 * (select count(*) from customers)
         + 0 * (select count(*) from budgets) + 0 * (select count(*) from recovered) + 0 * (select count(*) from moved)
  into read_count from batch;
  return read_count;
end;
$$;

select cron.schedule('marketing-coupons', '* * * * *',
  $$select private.run_job('marketing-coupons', 'select private.marketing_follow_orders()')$$);


-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.cart_settings is 'Abandoned-cart recovery settings (one row).';
comment on column marketing.cart_settings.id is 'Always true: the single row.';
comment on column marketing.cart_settings.idle_hours is 'Hours without activity after which a consenting cart counts as abandoned.';
comment on column marketing.cart_settings.recovery_promotion_id is 'The promotion recovery codes apply.';
comment on column marketing.cart_settings.recovery_code_days is 'Days a recovery code stays valid.';
comment on table marketing.carts is 'A persistent cart: a signed-in customer''s or an anonymous one (id + secret token).';
comment on column marketing.carts.id is 'Primary key (the anonymous cart''s id).';
comment on column marketing.carts.user_id is 'The signed-in owner (null for anonymous carts).';
comment on column marketing.carts.token_hash is 'SHA-256 of an anonymous cart''s secret token.';
comment on column marketing.carts.email is 'Where the recovery e-mail goes (masked in logs).';
comment on column marketing.carts.consent is 'Whether the shopper agreed to a reminder e-mail about this cart.';
comment on column marketing.carts.consent_at is 'When that consent was given.';
comment on column marketing.carts.status is 'open, abandoned (recovery started), ordered (checked out) or recovered (ordered with its recovery code).';
comment on column marketing.carts.last_activity_at is 'Last change of items, e-mail or consent.';
comment on column marketing.carts.abandoned_at is 'When recovery started.';
comment on column marketing.carts.recovery_coupon_id is 'The single-use code issued for recovery.';
comment on column marketing.carts.order_id is 'The commerce order placed from or attributed to the cart.';
comment on column marketing.carts.recovered_at is 'When an order with the recovery code was seen in the order feed.';
comment on column marketing.carts.created_at is 'When the row was created.';
comment on table marketing.cart_items is 'A SKU and its quantity in a cart.';
comment on column marketing.cart_items.cart_id is 'The cart.';
comment on column marketing.cart_items.sku is 'The commerce SKU (validated with commerce.catalog_availability).';
comment on column marketing.cart_items.quantity is 'Units, 1-100.';
comment on column marketing.cart_items.added_at is 'When the SKU was first added.';
revoke execute on function marketing.set_cart_items(uuid, jsonb) from public;
grant execute on function marketing.set_cart_items(uuid, jsonb) to service_role;
comment on function marketing.set_cart_items(uuid, jsonb) is 'Replaces a cart''s items after checking them against commerce''s availability.';
