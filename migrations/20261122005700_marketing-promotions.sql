-- Marketing: promotions and coupon codes, priced and redeemed inside commerce's checkout transaction
-- through its two plug points (private.commerce_coupon_discounts, private.commerce_coupon_redeem), and
-- given back when an order is canceled or refunded: the coupons consumer of commerce.order_feed
-- (private.marketing_follow_orders, in 20261122005800_marketing-carts.sql with the cart attribution it
-- also does).

create table marketing.promotions (
  id uuid primary key default gen_random_uuid(),
  name text not null check (char_length(name) between 1 and 200),
  kind text not null check (kind in ('percentage', 'fixed_amount', 'free_shipping', 'buy_x_get_y')),
  percent_off numeric(5, 2) check (percent_off > 0 and percent_off <= 100),
  amount_off_minor bigint check (amount_off_minor > 0),
  buy_quantity int check (buy_quantity between 1 and 100),
  get_quantity int check (get_quantity between 1 and 100),
  -- Conditions: all that are set must hold.
  currency text check (currency in ('USD', 'NGN')),
  min_subtotal_minor bigint not null default 0 check (min_subtotal_minor >= 0),
  skus text[],
  categories text[],
  segment_id uuid references marketing.segments (id),
  first_order_only boolean not null default false,
  starts_at timestamptz not null default now(),
  ends_at timestamptz,
  -- The campaign budget: at most this many orders, at most this much discount in total.
  budget_uses int check (budget_uses > 0),
  budget_amount_minor bigint check (budget_amount_minor > 0),
  uses int not null default 0 check (uses >= 0),
  amount_used_minor bigint not null default 0 check (amount_used_minor >= 0),
  -- Higher priority is considered first; an exclusive promotion applies alone.
  priority int not null default 0 check (priority between -1000 and 1000),
  stacking text not null default 'exclusive' check (stacking in ('exclusive', 'combinable')),
  -- Automatic promotions apply without a code to every checkout that meets the conditions.
  automatic boolean not null default false,
  active boolean not null default true,
  created_by uuid references auth.users (id) on delete set null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (ends_at is null or ends_at > starts_at),
  check (budget_uses is null or uses <= budget_uses),
  check (budget_amount_minor is null or amount_used_minor <= budget_amount_minor),
  check (kind <> 'percentage' or percent_off is not null),
  check (kind <> 'fixed_amount' or (amount_off_minor is not null and currency is not null)),
  check (kind <> 'buy_x_get_y' or (buy_quantity is not null and get_quantity is not null)),
  check (min_subtotal_minor = 0 and budget_amount_minor is null or currency is not null)
);
create index promotions_automatic_idx on marketing.promotions (priority desc) where automatic and active;
create index promotions_segment_idx on marketing.promotions (segment_id);
create index promotions_created_by_idx on marketing.promotions (created_by);

create table marketing.coupons (
  id uuid primary key default gen_random_uuid(),
  promotion_id uuid not null references marketing.promotions (id) on delete cascade,
  code text not null check (code ~ '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$'),
  -- Global limit (null: unlimited) and per-customer limit (null: unlimited).
  usage_limit int check (usage_limit > 0),
  per_customer_limit int default 1 check (per_customer_limit > 0),
  uses int not null default 0 check (uses >= 0),
  -- Codes generated together (bulk single-use codes) share a batch label.
  batch text check (char_length(batch) <= 60),
  -- A code may end before its promotion does (a cart's recovery code).
  expires_at timestamptz,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  check (usage_limit is null or uses <= usage_limit)
);
-- Case-insensitive unique: SAVE10 and save10 are one code.
create unique index coupons_code_idx on marketing.coupons (lower(code));
create index coupons_promotion_idx on marketing.coupons (promotion_id, created_at);

-- Per customer and code: how often they used it (the guarded counter of the per-customer limit).
create table marketing.coupon_customer_uses (
  coupon_id uuid not null references marketing.coupons (id) on delete cascade,
  customer_id uuid not null references auth.users (id) on delete cascade,
  uses int not null default 0 check (uses >= 0),
  primary key (coupon_id, customer_id)
);
create index coupon_customer_uses_customer_idx on marketing.coupon_customer_uses (customer_id);

-- One row per (order, promotion): the unique redemption key.
create table marketing.promotion_redemptions (
  id uuid primary key default gen_random_uuid(),
  order_id uuid not null,
  promotion_id uuid not null references marketing.promotions (id) on delete cascade,
  coupon_id uuid references marketing.coupons (id) on delete cascade,
  customer_id uuid not null references auth.users (id) on delete cascade,
  currency text not null check (currency in ('USD', 'NGN')),
  amount_minor bigint not null check (amount_minor >= 0),
  status text not null default 'applied' check (status in ('applied', 'returned')),
  returned_at timestamptz,
  created_at timestamptz not null default now(),
  unique (order_id, promotion_id)
);
create index promotion_redemptions_promotion_idx on marketing.promotion_redemptions (promotion_id);
create index promotion_redemptions_coupon_idx on marketing.promotion_redemptions (coupon_id);
create index promotion_redemptions_customer_idx on marketing.promotion_redemptions (customer_id, created_at desc);

create trigger promotions_touch before update on marketing.promotions
  for each row execute function private.touch_updated_at();

-- RLS: marketing staff manage promotions and codes; analysts read them; a customer reads only their own
-- redemptions and per-code counters. Nobody writes uses, counters or redemptions but checkout and the job.
alter table marketing.promotions enable row level security;
alter table marketing.coupons enable row level security;
alter table marketing.coupon_customer_uses enable row level security;
alter table marketing.promotion_redemptions enable row level security;

create policy "staff and analysts read promotions" on marketing.promotions for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff add promotions" on marketing.promotions for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change promotions" on marketing.promotions for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));

create policy "staff and analysts read coupons" on marketing.coupons for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff add coupons" on marketing.coupons for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change coupons" on marketing.coupons for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));

create policy "staff and the customer read code uses" on marketing.coupon_customer_uses for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff and the customer read redemptions" on marketing.promotion_redemptions for select to authenticated
  using (customer_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));

grant select on marketing.promotions, marketing.coupons, marketing.coupon_customer_uses, marketing.promotion_redemptions
  to authenticated;
-- Staff write the definition columns only; uses and budgets move in checkout and the give-back job.
grant insert (name, kind, percent_off, amount_off_minor, buy_quantity, get_quantity, currency, min_subtotal_minor,
              skus, categories, segment_id, first_order_only, starts_at, ends_at, budget_uses, budget_amount_minor,
              priority, stacking, automatic, active, created_by),
      update (name, percent_off, amount_off_minor, buy_quantity, get_quantity, currency, min_subtotal_minor, skus,
              categories, segment_id, first_order_only, starts_at, ends_at, budget_uses, budget_amount_minor,
              priority, stacking, automatic, active)
  on marketing.promotions to authenticated;
grant insert (promotion_id, code, usage_limit, per_customer_limit, batch, expires_at, active),
      update (usage_limit, per_customer_limit, expires_at, active)
  on marketing.coupons to authenticated;
grant select, insert, update, delete on marketing.promotions, marketing.coupons, marketing.coupon_customer_uses,
  marketing.promotion_redemptions to service_role;

-- Pricing -------------------------------------------------------------------------------------------

-- Whether a line may be discounted by the promotion (its SKU and category lists).
create or replace function private.marketing_line_eligible(promotion marketing.promotions, line jsonb) returns boolean
language sql immutable set search_path = '' as $$
  select (promotion.skus is null or line ->> 'sku' = any (promotion.skus))
     and (promotion.categories is null or line ->> 'category' = any (promotion.categories))
$$;

-- Whether a promotion's conditions hold for this customer and basket (the lines it may discount are
-- chosen separately). Null answers mean "holds"; otherwise the machine code of the first that fails.
create or replace function private.marketing_promotion_refusal(promotion marketing.promotions, customer_id uuid,
                                                               currency text, lines jsonb)
returns text
language sql stable set search_path = '' as $$
  select case
    when not promotion.active or now() < promotion.starts_at then 'coupon_not_active'
    when promotion.ends_at is not null and now() >= promotion.ends_at then 'coupon_expired'
    when promotion.budget_uses is not null and promotion.uses >= promotion.budget_uses then 'promotion_exhausted'
    when promotion.budget_amount_minor is not null and promotion.amount_used_minor >= promotion.budget_amount_minor
      then 'promotion_exhausted'
    when promotion.currency is not null and promotion.currency <> marketing_promotion_refusal.currency
      then 'coupon_not_applicable'
    when (select coalesce(sum((l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int), 0)
          from jsonb_array_elements(lines) l) < promotion.min_subtotal_minor then 'minimum_not_met'
    when promotion.segment_id is not null and not exists (
      select 1 from marketing.segment_members m
      where m.segment_id = promotion.segment_id and m.user_id = marketing_promotion_refusal.customer_id)
      then 'not_in_segment'
    when promotion.first_order_only and exists (
      select 1 from marketing.customer_orders o
      where o.user_id = marketing_promotion_refusal.customer_id and o.status <> 'canceled')
      then 'not_first_order'
    when not exists (select 1 from jsonb_array_elements(lines) l where private.marketing_line_eligible(promotion, l))
      then 'coupon_not_applicable'
  end
$$;

-- One promotion's discount per line, on what earlier promotions left of each line: of its goods
-- (remaining_minor), or for free shipping of its shipping (shipping_remaining_minor).
create or replace function private.marketing_promotion_amounts(promotion marketing.promotions, lines jsonb)
returns table (line_number int, amount_minor bigint)
language sql stable set search_path = '' as $$
  with eligible as (
    select (l ->> 'line_number')::int as line_number, (l ->> 'unit_price_minor')::bigint as unit_price,
           (l ->> 'quantity')::int as quantity,
           case when promotion.kind = 'free_shipping' then (l ->> 'shipping_remaining_minor')::bigint
                else (l ->> 'remaining_minor')::bigint end as remaining
    from jsonb_array_elements(lines) l
    where private.marketing_line_eligible(promotion, l)
      and case when promotion.kind = 'free_shipping' then (l ->> 'shipping_remaining_minor')::bigint
               else (l ->> 'remaining_minor')::bigint end > 0
  ), budget as (
    -- What the amount budget still allows this order.
    select coalesce(promotion.budget_amount_minor - promotion.amount_used_minor, 9223372036854775807) as left_minor
  ), raw as (
    select e.line_number, e.remaining,
           case promotion.kind
             when 'percentage' then floor(e.remaining * promotion.percent_off / 100)::bigint
             when 'fixed_amount' then 0
             when 'free_shipping' then e.remaining
             when 'buy_x_get_y' then 0
           end as amount
    from eligible e
  ), fixed_share as (
    -- A fixed amount is spread over the eligible lines in proportion to what is left of them; the
    -- rounding remainder goes to the largest line, so the shares sum to the amount exactly.
    select e.line_number,
           floor(least(promotion.amount_off_minor, t.total) * e.remaining / t.total::numeric)::bigint
             + case when e.line_number = t.largest then
                 least(promotion.amount_off_minor, t.total)
                 - (select sum(floor(least(promotion.amount_off_minor, t.total) * x.remaining / t.total::numeric))::bigint from eligible x)
               else 0 end as amount
    from eligible e
    cross join (select sum(remaining) as total,
                       (select line_number from eligible order by remaining desc, line_number limit 1) as largest
                from eligible) t
    where promotion.kind = 'fixed_amount' and t.total > 0
  ), units as (
    -- Buy X get Y: of every X + Y eligible units, the Y cheapest are free.
    select e.line_number, e.unit_price, row_number() over (order by e.unit_price, e.line_number, u) as cheapest,
           count(*) over () as unit_count
    from eligible e cross join generate_series(1, e.quantity) u
    where promotion.kind = 'buy_x_get_y'
  ), free_units as (
    select u.line_number, sum(u.unit_price)::bigint as amount
    from units u
    where u.cheapest <= floor(u.unit_count / (promotion.buy_quantity + promotion.get_quantity)) * promotion.get_quantity
    group by u.line_number
  ), combined as (
    select r.line_number, least(r.remaining, case promotion.kind
             when 'percentage' then r.amount
             when 'fixed_amount' then coalesce((select f.amount from fixed_share f where f.line_number = r.line_number), 0)
             when 'buy_x_get_y' then coalesce((select f.amount from free_units f where f.line_number = r.line_number), 0)
             when 'free_shipping' then r.amount
             else 0 end) as amount
    from raw r
  )
  -- The amount budget caps the order's total, taken from the lines in order.
  select c.line_number,
         greatest(0, least(c.amount, b.left_minor - coalesce(sum(c.amount) over (order by c.line_number
                                                              rows between unbounded preceding and 1 preceding), 0)))::bigint
  from combined c cross join budget b
$$;

/*
  The promotion engine behind commerce's pricing plug point. The coupon's promotion (refused with the
  reason when it cannot apply: PT422 unknown_coupon, coupon_expired, minimum_not_met, ...; PT409
  coupon_exhausted, coupon_limit_reached) and every automatic promotion whose conditions hold are taken
  by priority (higher first, the coupon's first among equals): an exclusive one applies alone, combinable
  ones add up on what the earlier ones left. Read-only: redemption happens in marketing_redeem.
*/
create or replace function private.marketing_price(coupon_code text, customer_id uuid, currency text, lines jsonb)
returns table (line_number int, discount_minor bigint, discounts jsonb)
language plpgsql stable set search_path = '' as $$
#variable_conflict use_column
declare
  coupon marketing.coupons;
  promo marketing.promotions;
  refusal text;
  working jsonb := (select jsonb_agg(l || jsonb_build_object(
                       'remaining_minor', (l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int,
                       'shipping_remaining_minor', coalesce((l ->> 'shipping_minor')::bigint, 0),
                       'applied', '[]'::jsonb))
                     from jsonb_array_elements(lines) l);
  applied_any boolean := false;
  applied_exclusive boolean := false;
begin
  if coupon_code is not null then
    select * into coupon from marketing.coupons c where lower(c.code) = lower(btrim(coupon_code)) and c.active;
    if coupon.id is null then
      raise exception using errcode = 'PT422', hint = 'unknown_coupon',
        message = format('The coupon code %s is not known.', coupon_code);
    end if;
    if coupon.expires_at is not null and now() >= coupon.expires_at then
      raise exception using errcode = 'PT422', hint = 'coupon_expired',
        message = format('The coupon code %s has expired.', coupon_code);
    end if;
    if coupon.usage_limit is not null and coupon.uses >= coupon.usage_limit then
      raise exception using errcode = 'PT409', hint = 'coupon_exhausted',
        message = format('The coupon code %s has been used up.', coupon_code);
    end if;
    if coupon.per_customer_limit is not null and coalesce((
         select u.uses from marketing.coupon_customer_uses u
         where u.coupon_id = coupon.id and u.customer_id = marketing_price.customer_id), 0) >= coupon.per_customer_limit then
      raise exception using errcode = 'PT409', hint = 'coupon_limit_reached',
        message = format('You have used the coupon code %s as often as it allows.', coupon_code);
    end if;
    select * into promo from marketing.promotions p where p.id = coupon.promotion_id;
    refusal := private.marketing_promotion_refusal(promo, customer_id, currency, lines);
    if refusal is not null then
      raise exception using errcode = case when refusal = 'promotion_exhausted' then 'PT409' else 'PT422' end,
        hint = refusal, message = format('The coupon code %s does not apply to this order (%s).', coupon_code, refusal);
    end if;
  end if;

  for promo in
    select p.* from marketing.promotions p
    where p.id = coupon.promotion_id
       -- Qualified: with use_column, a bare `currency` here is the promotion's own column.
       or (p.automatic and p.active
           and private.marketing_promotion_refusal(p, marketing_price.customer_id, marketing_price.currency,
                                                   marketing_price.lines) is null)
    order by p.priority desc, coalesce(p.id = coupon.promotion_id, false) desc, p.created_at, p.id
  loop
    continue when applied_exclusive or (applied_any and promo.stacking = 'exclusive');
    with amounts as (
      select a.line_number, a.amount_minor from private.marketing_promotion_amounts(promo, working) a
    )
    select jsonb_agg(l || case when promo.kind = 'free_shipping'
               then jsonb_build_object('shipping_remaining_minor', (l ->> 'shipping_remaining_minor')::bigint - coalesce(a.amount_minor, 0))
               else jsonb_build_object('remaining_minor', (l ->> 'remaining_minor')::bigint - coalesce(a.amount_minor, 0)) end
           || jsonb_build_object(
             'applied', (l -> 'applied') || case when a.amount_minor > 0
               then jsonb_build_array(jsonb_build_object(
                      'promotionId', promo.id, 'name', promo.name, 'kind', promo.kind,
                      'code', case when promo.id = coupon.promotion_id then coupon.code end,
                      'couponId', case when promo.id = coupon.promotion_id then coupon.id end,
                      'amount', coalesce(a.amount_minor, 0)))
               else '[]'::jsonb end)
           order by (l ->> 'line_number')::int)
    into working
    from jsonb_array_elements(working) l
    left join amounts a on a.line_number = (l ->> 'line_number')::int;
    applied_any := true;
    applied_exclusive := promo.stacking = 'exclusive';
  end loop;

  -- The code must have given something (free shipping counts only where a line ships): otherwise its
  -- use would go unrecorded, and the customer should know the code did nothing.
  if coupon.id is not null and not exists (
       select 1 from jsonb_array_elements(working) l cross join jsonb_array_elements(l -> 'applied') d
       where (d ->> 'promotionId')::uuid = coupon.promotion_id) then
    raise exception using errcode = 'PT422', hint = 'coupon_not_combinable',
      message = format('The coupon code %s cannot be combined with a promotion already applied, or adds nothing.', coupon_code);
  end if;

  return query
  select (l ->> 'line_number')::int,
         (select coalesce(sum((d ->> 'amount')::bigint), 0) from jsonb_array_elements(l -> 'applied') d)::bigint,
         (select jsonb_agg(d - 'couponId') from jsonb_array_elements(l -> 'applied') d)
  from jsonb_array_elements(working) l
  where jsonb_array_length(l -> 'applied') > 0;
end;
$$;

/*
  Behind commerce's redemption plug point, in the order's transaction: one guarded update per counter
  (the code's global uses, the customer's uses of it, the promotion's budget) that matches no row once
  the limit is reached, and one redemption per (order, promotion). Concurrent checkouts queue on the
  code's row, so the last N uses go to exactly N orders; a loser's whole checkout rolls back (PT409).
*/
create or replace function private.marketing_redeem(order_id uuid, customer_id uuid, currency text, lines jsonb)
returns void
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  used record;
begin
  for used in
    select (d ->> 'promotionId')::uuid as promotion_id, c.id as coupon_id, c.code,
           sum((d ->> 'amount')::bigint)::bigint as amount
    from jsonb_array_elements(lines) l
    cross join jsonb_array_elements(l -> 'discounts') d
    left join marketing.coupons c on d ->> 'code' is not null and lower(c.code) = lower(d ->> 'code')
    group by 1, 2, 3
    -- The code's row first, then the promotion's: every checkout takes the locks in the same order.
    order by (c.id is null), 1
  loop
    if used.coupon_id is not null then
      update marketing.coupons c set uses = c.uses + 1
      where c.id = used.coupon_id and (c.usage_limit is null or c.uses < c.usage_limit);
      if not found then
        raise exception using errcode = 'PT409', hint = 'coupon_exhausted',
          message = format('The coupon code %s has been used up.', used.code);
      end if;
      insert into marketing.coupon_customer_uses as u (coupon_id, customer_id, uses)
      values (used.coupon_id, marketing_redeem.customer_id, 1)
      on conflict (coupon_id, customer_id) do update set uses = u.uses + 1
        where u.uses < coalesce((select c.per_customer_limit from marketing.coupons c where c.id = u.coupon_id), 2147483647);
      if not found then
        raise exception using errcode = 'PT409', hint = 'coupon_limit_reached',
          message = format('You have used the coupon code %s as often as it allows.', used.code);
      end if;
    end if;
    update marketing.promotions p set uses = p.uses + 1, amount_used_minor = p.amount_used_minor + used.amount
    where p.id = used.promotion_id
      and (p.budget_uses is null or p.uses < p.budget_uses)
      and (p.budget_amount_minor is null or p.amount_used_minor + used.amount <= p.budget_amount_minor);
    if not found then
      raise exception using errcode = 'PT409', hint = 'promotion_exhausted',
        message = 'A promotion of this order has run out of budget; check out again.';
    end if;
    insert into marketing.promotion_redemptions (order_id, promotion_id, coupon_id, customer_id, currency, amount_minor)
    values (marketing_redeem.order_id, used.promotion_id, used.coupon_id, marketing_redeem.customer_id,
            marketing_redeem.currency, used.amount);
  end loop;
end;
$$;

-- Commerce's plug points delegate here (commerce.checkout is a definer: these run with its rights).
create or replace function private.commerce_coupon_discounts(coupon_code text, customer_id uuid, currency text, lines jsonb)
returns table (line_number int, discount_minor bigint, discounts jsonb)
language sql stable set search_path = '' as $$
  select p.line_number, p.discount_minor, p.discounts
  from private.marketing_price(coupon_code, customer_id, currency, lines) p
$$;
create or replace function private.commerce_coupon_redeem(order_id uuid, customer_id uuid, currency text, lines jsonb)
returns void
language sql volatile set search_path = '' as $$
  select private.marketing_redeem(order_id, customer_id, currency, lines)
$$;
comment on function private.commerce_coupon_discounts(text, uuid, text, jsonb) is
  'Plug point of commerce.checkout: per-line discounts, priced by marketing''s promotions (private.marketing_price).';
comment on function private.commerce_coupon_redeem(uuid, uuid, text, jsonb) is
  'Plug point of commerce.checkout: enforces and records the order''s promotions (private.marketing_redeem).';

-- Staff RPCs ----------------------------------------------------------------------------------------

/*
  Bulk generation of single-use codes (marketing staff): count codes PREFIX-XXXXXXXXXX, each usable once
  in all (usage_limit 1, per-customer 1), under one batch label. Returns the codes created.
*/
create or replace function marketing.generate_coupons(promotion_id uuid, code_count int, prefix text default 'PB',
                                                      batch text default null)
returns table (code text)
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  batch_label text := coalesce(batch, 'batch-' || to_char(now(), 'YYYYMMDD-HH24MISS'));
  made text[] := '{}';
  fresh text[];
  attempt int := 0;
begin
  perform private.require_any_role(array['admin', 'marketing']);
  if code_count is null or code_count not between 1 and 10000 then
    raise exception using errcode = 'PT422', hint = 'invalid_count', message = 'code_count is between 1 and 10000.';
  end if;
  if prefix is null or prefix !~ '^[A-Za-z0-9]{1,12}$' then
    raise exception using errcode = 'PT422', hint = 'invalid_prefix', message = 'prefix is 1-12 letters or digits.';
  end if;
  if batch_label !~ '^[A-Za-z0-9][A-Za-z0-9_-]{0,59}$' then
    raise exception using errcode = 'PT422', hint = 'invalid_batch', message = 'batch is 1-60 letters, digits, _ or -.';
  end if;
  if not exists (select 1 from marketing.promotions p where p.id = generate_coupons.promotion_id) then
    raise exception using errcode = 'PT404', hint = 'promotion_not_found', message = 'No such promotion.';
  end if;
  -- 52 random bits a code (gen_random_uuid is v4, from the system's CSPRNG); a collision with an existing
  -- code is skipped and the next round makes up the count.
  loop
    with inserted as (
      insert into marketing.coupons as c (promotion_id, code, usage_limit, per_customer_limit, batch)
      select generate_coupons.promotion_id,
             upper(prefix) || '-' || upper(substr(replace(gen_random_uuid()::text, '-', ''), 1, 13)), 1, 1, batch_label
      from generate_series(1, code_count - cardinality(made))
      on conflict do nothing
      returning c.code
    )
    select array_agg(i.code) into fresh from inserted i;
    made := made || coalesce(fresh, '{}');
    attempt := attempt + 1;
    exit when cardinality(made) >= code_count or attempt >= 5;
  end loop;
  return query select unnest(made);
end;
$$;

-- Staff list of a promotion's codes with their usage.
create or replace function marketing.promotion_coupons(promotion_id uuid, max_rows int default 100, after_code text default null)
returns table (id uuid, code text, usage_limit int, per_customer_limit int, uses int, redemptions bigint,
               returned bigint, batch text, active boolean, created_at timestamptz)
language plpgsql stable set search_path = '' as $$
#variable_conflict use_column
begin
  perform private.require_any_role(array['admin', 'marketing', 'analyst']);
  if max_rows is null or max_rows not between 1 and 1000 then
    raise exception using errcode = 'PT422', hint = 'invalid_max_rows', message = 'max_rows is between 1 and 1000.';
  end if;
  return query
  select c.id, c.code, c.usage_limit, c.per_customer_limit, c.uses,
         count(r.id) filter (where r.status = 'applied'), count(r.id) filter (where r.status = 'returned'),
         c.batch, c.active, c.created_at
  from marketing.coupons c left join marketing.promotion_redemptions r on r.coupon_id = c.id
  where c.promotion_id = promotion_coupons.promotion_id and (after_code is null or lower(c.code) > lower(after_code))
  group by c.id
  order by lower(c.code)
  limit max_rows;
end;
$$;

revoke execute on function marketing.generate_coupons(uuid, int, text, text),
  marketing.promotion_coupons(uuid, int, text) from public;
grant execute on function marketing.generate_coupons(uuid, int, text, text),
  marketing.promotion_coupons(uuid, int, text) to authenticated, service_role;

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.promotions is 'A promotion: what it gives (percentage, fixed amount, free shipping, buy X get Y), when, to whom, within which budget.';
comment on column marketing.promotions.id is 'Primary key.';
comment on column marketing.promotions.name is 'Name shown on the checkout''s discount lines.';
comment on column marketing.promotions.kind is 'percentage, fixed_amount, free_shipping or buy_x_get_y.';
comment on column marketing.promotions.percent_off is 'percentage: percent off each eligible line.';
comment on column marketing.promotions.amount_off_minor is 'fixed_amount: amount off the eligible lines, in minor units of currency.';
comment on column marketing.promotions.buy_quantity is 'buy_x_get_y: X, the units paid for.';
comment on column marketing.promotions.get_quantity is 'buy_x_get_y: Y, the cheapest units of each X + Y that are free.';
comment on column marketing.promotions.currency is 'The only currency it applies to (required for amounts).';
comment on column marketing.promotions.min_subtotal_minor is 'Minimum order subtotal before discounts.';
comment on column marketing.promotions.skus is 'Only these SKUs are discounted (null: any).';
comment on column marketing.promotions.categories is 'Only products of these categories are discounted (null: any).';
comment on column marketing.promotions.segment_id is 'Only members of this segment qualify.';
comment on column marketing.promotions.first_order_only is 'Only customers without an earlier order qualify.';
comment on column marketing.promotions.starts_at is 'Start of the date window.';
comment on column marketing.promotions.ends_at is 'End of the date window (exclusive; null: open).';
comment on column marketing.promotions.budget_uses is 'At most this many orders (null: unlimited).';
comment on column marketing.promotions.budget_amount_minor is 'At most this much discount in total (null: unlimited).';
comment on column marketing.promotions.uses is 'Orders that used it (given back on cancel or refund).';
comment on column marketing.promotions.amount_used_minor is 'Discount given so far (given back on cancel or refund).';
comment on column marketing.promotions.priority is 'Higher is considered first.';
comment on column marketing.promotions.stacking is 'exclusive (applies alone) or combinable (adds to other combinable ones).';
comment on column marketing.promotions.automatic is 'Applies without a code to every checkout that qualifies.';
comment on column marketing.promotions.active is 'Inactive promotions apply nowhere.';
comment on column marketing.promotions.created_by is 'Staff user who created it.';
comment on column marketing.promotions.created_at is 'When the row was created.';
comment on column marketing.promotions.updated_at is 'Last change.';
comment on table marketing.coupons is 'A code that applies a promotion; case-insensitive unique, with a global and a per-customer limit.';
comment on column marketing.coupons.id is 'Primary key.';
comment on column marketing.coupons.promotion_id is 'The promotion it applies.';
comment on column marketing.coupons.code is 'The code customers type (matched case-insensitively).';
comment on column marketing.coupons.usage_limit is 'Orders it may be used on in all (null: unlimited).';
comment on column marketing.coupons.per_customer_limit is 'Orders each customer may use it on (null: unlimited).';
comment on column marketing.coupons.uses is 'Orders that used it (given back on cancel or refund).';
comment on column marketing.coupons.batch is 'Label of the bulk generation that made it.';
comment on column marketing.coupons.expires_at is 'When the code stops working (null: with its promotion).';
comment on column marketing.coupons.active is 'Inactive codes are unknown to checkout.';
comment on column marketing.coupons.created_at is 'When the row was created.';
comment on table marketing.coupon_customer_uses is 'How often each customer used each code (the per-customer limit''s counter).';
comment on column marketing.coupon_customer_uses.coupon_id is 'The code.';
comment on column marketing.coupon_customer_uses.customer_id is 'The customer.';
comment on column marketing.coupon_customer_uses.uses is 'Orders of this customer that used the code.';
comment on table marketing.promotion_redemptions is 'One promotion used by one order (unique together); returned when the order is canceled or refunded.';
comment on column marketing.promotion_redemptions.id is 'Primary key.';
comment on column marketing.promotion_redemptions.order_id is 'The commerce order (from checkout; followed through commerce.order_feed).';
comment on column marketing.promotion_redemptions.promotion_id is 'The promotion.';
comment on column marketing.promotion_redemptions.coupon_id is 'The code used, if any.';
comment on column marketing.promotion_redemptions.customer_id is 'The customer.';
comment on column marketing.promotion_redemptions.currency is 'The order''s currency.';
comment on column marketing.promotion_redemptions.amount_minor is 'Discount the promotion gave the order.';
comment on column marketing.promotion_redemptions.status is 'applied, or returned (the order was canceled or refunded).';
comment on column marketing.promotion_redemptions.returned_at is 'When the use was given back.';
comment on column marketing.promotion_redemptions.created_at is 'When the order was placed.';
comment on function marketing.generate_coupons(uuid, int, text, text) is 'Staff: bulk single-use codes for a promotion.';
comment on function marketing.promotion_coupons(uuid, int, text) is 'Staff: a promotion''s codes with their usage, by code.';
