-- Commerce checkout: one transaction that prices the lines (snapshots, coupon discounts, tax), scores
-- the checkout against the fraud rules, creates the order and its payment row, and reserves every
-- line or none. The provider call happens after commit (shared/commerce/checkout.ts).

-- How each line's discount was made up (shown on the checkout answer and the order): one entry per
-- promotion applied, {promotionId, name, kind, code, amount}. Written by checkout from the plug point below.
alter table commerce.order_lines add column discounts jsonb not null default '[]'::jsonb
  check (jsonb_typeof(discounts) = 'array');
comment on column commerce.order_lines.discounts is
  'Every discount applied to the line, [{promotionId, name, kind, code, amount}]; their amounts sum to discount_minor.';

-- The two places a promotion engine plugs in (the marketing module replaces both bodies; commerce keeps
-- no knowledge of promotions). Both run inside the checkout's transaction.
--
-- 1. Pricing: the discount a coupon and any automatic promotions give each line. lines are the priced
--    lines [{line_number, sku, product_slug, category, unit_price_minor, quantity, shipping_minor}]; the
--    answer is one row per discounted line with its total and its breakdown. An entry of kind
--    free_shipping waives that much of the line's shipping (shipping_discount_minor); every other entry
--    discounts its goods (discount_minor). Without a promotion engine no code is known
--    (PT422 unknown_coupon) and no line is discounted.
create or replace function private.commerce_coupon_discounts(coupon_code text, customer_id uuid, currency text, lines jsonb)
returns table (line_number int, discount_minor bigint, discounts jsonb)
language plpgsql stable set search_path = '' as $$
begin
  if coupon_code is not null then
    raise exception using errcode = 'PT422', hint = 'unknown_coupon',
      message = format('The coupon code %s is not known.', coupon_code);
  end if;
end;
$$;
comment on function private.commerce_coupon_discounts(text, uuid, text, jsonb) is
  'Plug point: per-line discounts of a coupon and automatic promotions (replaced by marketing''s promotions).';

-- 2. Redemption: called once the order and its lines exist, with the lines as priced (each with its
--    discount_minor and discounts). The engine enforces its limits here (a refusal rolls the whole
--    checkout back). Without a promotion engine no line carries a discount, so nothing is recorded.
create or replace function private.commerce_coupon_redeem(order_id uuid, customer_id uuid, currency text, lines jsonb)
returns void
language plpgsql volatile set search_path = '' as $$
begin
  return;
end;
$$;
comment on function private.commerce_coupon_redeem(uuid, uuid, text, jsonb) is
  'Plug point: records the promotions an order used, in its transaction (replaced by marketing''s promotions).';

-- Scores one checkout against the active rules; every rule that fires adds its points and reason.
create or replace function private.commerce_fraud_score(
  customer_id uuid, email text, client_ip inet, card_fingerprint text, total_minor bigint, currency text,
  billing_country text, ip_country text
) returns table (score int, decision text, rules_fired jsonb, ruleset_version int)
language sql stable set search_path = '' as $$
  with fired as (
    select r.id, r.points, r.reason
    from commerce.fraud_rules r
    where r.active and case r.kind
      when 'velocity_email' then (
        select count(*) from commerce.fraud_assessments a
        where lower(a.email) = lower(commerce_fraud_score.email)
          and a.assessed_at > now() - make_interval(mins => (r.params ->> 'window_minutes')::int)
      ) >= (r.params ->> 'max_orders')::int
      when 'velocity_ip' then client_ip is not null and (
        select count(*) from commerce.fraud_assessments a
        where a.client_ip = commerce_fraud_score.client_ip
          and a.assessed_at > now() - make_interval(mins => (r.params ->> 'window_minutes')::int)
      ) >= (r.params ->> 'max_orders')::int
      when 'velocity_card' then card_fingerprint is not null and (
        select count(*) from commerce.fraud_assessments a
        where a.card_fingerprint = commerce_fraud_score.card_fingerprint
          and a.assessed_at > now() - make_interval(mins => (r.params ->> 'window_minutes')::int)
      ) >= (r.params ->> 'max_orders')::int
      when 'amount_over_median' then coalesce((
        select count(*) >= (r.params ->> 'min_orders')::int
               and commerce_fraud_score.total_minor > (r.params ->> 'factor')::numeric
                   * percentile_cont(0.5) within group (order by o.total_minor)
        from commerce.orders o
        where o.customer_id = commerce_fraud_score.customer_id and o.currency = commerce_fraud_score.currency
          and o.status <> 'canceled'
      ), false)
      when 'amount_over_cap' then total_minor > coalesce((r.params -> 'cap_minor' ->> currency)::bigint, 9223372036854775807)
      when 'country_mismatch' then billing_country is not null and ip_country is not null and billing_country <> ip_country
      when 'new_account_high_value' then total_minor >= coalesce((r.params -> 'min_total_minor' ->> currency)::bigint, 9223372036854775807)
        and exists (select 1 from auth.users u where u.id = commerce_fraud_score.customer_id
                    and u.created_at > now() - make_interval(hours => (r.params ->> 'account_age_hours')::int))
      else false
    end
  ), total as (
    select least(100, coalesce(sum(points), 0))::int as score,
           coalesce(jsonb_agg(jsonb_build_object('rule', id, 'points', points, 'reason', reason) order by id), '[]') as rules
    from fired
  )
  select t.score,
         case when t.score >= th.block_at then 'block' when t.score >= th.review_at then 'review' else 'allow' end,
         t.rules, (select s.ruleset_version from commerce.settings s)
  from total t cross join commerce.fraud_thresholds th
$$;

-- What checkout answers (and a retried checkout answers again): the order, its totals and its payment.
create or replace function private.commerce_checkout_result(order_id uuid, decision text, continued boolean) returns jsonb
language sql stable set search_path = '' as $$
  select jsonb_build_object(
    'orderId', o.id, 'number', o.number, 'status', o.status, 'reviewStatus', o.review_status,
    'subtotal', o.subtotal_minor, 'discount', o.discount_minor, 'tax', o.tax_minor, 'shipping', o.shipping_minor,
    'shippingDiscount', o.shipping_discount_minor, 'total', o.total_minor,
    'currency', o.currency, 'email', o.customer_email, 'decision', coalesce(decision, a.decision),
    'continued', continued,
    'lines', (select jsonb_agg(jsonb_build_object('sku', ol.sku, 'name', ol.name, 'quantity', ol.quantity,
                                                  'unitPrice', ol.unit_price_minor, 'discount', ol.discount_minor,
                                                  'discounts', ol.discounts, 'tax', ol.tax_minor,
                                                  'shipping', ol.shipping_minor, 'shippingDiscount', ol.shipping_discount_minor,
                                                  'total', ol.total_minor)
                               order by ol.sku, ol.id)
              from commerce.order_lines ol where ol.order_id = o.id),
    'payment', jsonb_build_object('id', p.id, 'provider', p.provider, 'status', p.status, 'reference', p.reference))
  from commerce.orders o
  join commerce.payments p on p.order_id = o.id
  left join lateral (select f.decision from commerce.fraud_assessments f where f.order_id = o.id
                     order by f.id desc limit 1) a on true
  where o.id = commerce_checkout_result.order_id
$$;

create or replace function commerce.checkout(
  items jsonb, provider text, coupon_code text default null, checkout_key text default null,
  client_ip inet default null, billing_country text default null, ip_country text default null,
  card_fingerprint text default null
) returns jsonb
-- jit off: the planner's default row estimates for the JSON and rule functions put these small OLTP
-- statements past jit_above_cost, and compiling them took 2-3 s of a 20 ms checkout (the benchmark's
-- full checkouts timed out under load).
language plpgsql volatile security definer set search_path = '' set jit = off as $$
declare
  buyer uuid := auth.uid();
  buyer_email text;
  confirmed boolean;
  order_currency text;
  existing commerce.orders;
  unknown text;
  priced jsonb;
  subtotal bigint;
  discount bigint;
  tax bigint;
  shipping bigint;
  shipping_discount bigint;
  total bigint;
  assessment record;
  new_order commerce.orders;
  new_payment commerce.payments;
  reservation_minutes int := (select s.reservation_minutes from commerce.settings s);
begin
  if buyer is null then
    raise exception using errcode = 'PT401', hint = 'unauthorized', message = 'Sign in to check out.';
  end if;
  select u.email, u.email_confirmed_at is not null into buyer_email, confirmed from auth.users u where u.id = buyer;
  if not coalesce(confirmed, false) then
    raise exception using errcode = 'PT403', hint = 'email_unconfirmed', message = 'Confirm your e-mail address before checking out.';
  end if;
  if provider is null or provider not in ('stripe', 'paystack') then
    raise exception using errcode = 'PT422', hint = 'unknown_provider', message = 'provider must be stripe or paystack.';
  end if;
  if jsonb_typeof(items) is distinct from 'array' or jsonb_array_length(items) not between 1 and 50
     or exists (select 1 from jsonb_array_elements(items) x
                where jsonb_typeof(x -> 'quantity') is distinct from 'number'
                   or (x ->> 'quantity')::numeric not between 1 and 100 or (x ->> 'quantity')::numeric % 1 <> 0
                   or jsonb_typeof(x -> 'sku') is distinct from 'string') then
    raise exception using errcode = 'PT422', hint = 'invalid_items',
      message = 'items must hold 1-50 lines of {sku, quantity 1-100}.';
  end if;

  -- A retry of a checkout whose order exists (its payment creation failed) continues that order.
  if checkout_key is not null then
    select * into existing from commerce.orders o where o.customer_id = buyer and o.checkout_key = checkout.checkout_key;
  end if;
  if existing.id is not null then
    return private.commerce_checkout_result(existing.id, null, true);
  end if;

  select string_agg(distinct x ->> 'sku', ', ') into unknown
  from jsonb_array_elements(items) x
  where not exists (select 1 from commerce.variants v join commerce.products p on p.id = v.product_id
                    where v.sku = x ->> 'sku' and v.active and p.active);
  if unknown is not null then
    raise exception using errcode = 'PT422', hint = 'unknown_sku', message = 'Unknown or unavailable SKU: ' || unknown;
  end if;

  select min(v.currency) into order_currency
  from jsonb_array_elements(items) x join commerce.variants v on v.sku = x ->> 'sku';
  if exists (select 1 from jsonb_array_elements(items) x join commerce.variants v on v.sku = x ->> 'sku'
             where v.currency <> order_currency) then
    raise exception using errcode = 'PT422', hint = 'mixed_currency', message = 'All items of one order must share a currency.';
  end if;
  if (provider = 'stripe') <> (order_currency = 'USD') then
    raise exception using errcode = 'PT422', hint = 'currency_not_supported',
      message = format('%s does not take %s here: Stripe takes USD, Paystack NGN.', provider, order_currency);
  end if;

  select jsonb_agg(jsonb_build_object('line_number', n, 'variant_id', v.id, 'sku', v.sku, 'name', p.name || ' - ' || v.name,
                                      'product_slug', p.slug, 'category', p.category,
                                      'unit_price_minor', v.price_minor, 'quantity', (x ->> 'quantity')::int,
                                      'shipping_minor', v.shipping_minor * (x ->> 'quantity')::int) order by n)
  into priced
  from jsonb_array_elements(items) with ordinality as i (x, n)
  join commerce.variants v on v.sku = x ->> 'sku' join commerce.products p on p.id = v.product_id;

  -- Automatic promotions apply without a code, so the plug point prices every checkout. Free-shipping
  -- entries waive shipping; the others discount the goods (each capped at what the line has).
  select jsonb_agg(l || jsonb_build_object(
           'discount_minor', least(coalesce(split.goods, 0), (l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int),
           'shipping_discount_minor', least(coalesce(split.shipping, 0), (l ->> 'shipping_minor')::bigint),
           'discounts', coalesce(d.discounts, '[]'::jsonb)) order by (l ->> 'line_number')::int)
  into priced
  from jsonb_array_elements(priced) l
  left join private.commerce_coupon_discounts(coupon_code, buyer, order_currency, priced) d
    on d.line_number = (l ->> 'line_number')::int
  left join lateral (
    select sum((e ->> 'amount')::bigint) filter (where e ->> 'kind' is distinct from 'free_shipping') as goods,
           sum((e ->> 'amount')::bigint) filter (where e ->> 'kind' = 'free_shipping') as shipping
    from jsonb_array_elements(coalesce(d.discounts, '[]'::jsonb)) e
  ) split on true;

  select jsonb_agg(l || jsonb_build_object('tax_minor', round(
           ((l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int - coalesce((l ->> 'discount_minor')::bigint, 0))
           * coalesce((s.tax_bps ->> order_currency)::int, 0) / 10000.0)::bigint))
  into priced
  from jsonb_array_elements(priced) l cross join commerce.settings s;

  -- Tax is on the goods after discount; shipping is charged untaxed.
  select sum((l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int),
         sum(coalesce((l ->> 'discount_minor')::bigint, 0)), sum((l ->> 'tax_minor')::bigint),
         sum((l ->> 'shipping_minor')::bigint), sum((l ->> 'shipping_discount_minor')::bigint)
  into subtotal, discount, tax, shipping, shipping_discount
  from jsonb_array_elements(priced) l;
  total := subtotal - discount + tax + shipping - shipping_discount;

  -- The client address is the kernel's trusted hop (never a header the client writes); its country
  -- comes from commerce.ip_country_ranges unless the caller knows it already.
  ip_country := coalesce(ip_country, private.commerce_ip_country(client_ip));
  select * into assessment
  from private.commerce_fraud_score(buyer, buyer_email, client_ip, card_fingerprint, total,
                                    order_currency, billing_country, ip_country);

  if assessment.decision = 'block' then
    insert into commerce.fraud_assessments (customer_id, email, client_ip, card_fingerprint, total_minor, currency,
                                            score, decision, rules_fired, ruleset_version)
    values (buyer, buyer_email, client_ip, card_fingerprint, total, order_currency,
            assessment.score, 'block', assessment.rules_fired, assessment.ruleset_version);
    return jsonb_build_object('blocked', true, 'score', assessment.score, 'rulesFired', assessment.rules_fired);
  end if;

  insert into commerce.orders (customer_id, customer_email, currency, subtotal_minor, discount_minor, tax_minor,
                               shipping_minor, shipping_discount_minor, total_minor, coupon_code, provider, client_ip,
                               billing_country, ip_country, review_status, checkout_key)
  values (buyer, buyer_email, order_currency, subtotal, discount, tax, shipping, shipping_discount, total, coupon_code,
          provider, client_ip, billing_country, ip_country,
          case when assessment.decision = 'review' then 'pending' else 'none' end, checkout_key)
  returning * into new_order;

  insert into commerce.order_lines (order_id, variant_id, sku, name, unit_price_minor, quantity, discount_minor,
                                    discounts, tax_minor, shipping_minor, shipping_discount_minor, total_minor)
  select new_order.id, (l ->> 'variant_id')::uuid, l ->> 'sku', l ->> 'name', (l ->> 'unit_price_minor')::bigint,
         (l ->> 'quantity')::int, coalesce((l ->> 'discount_minor')::bigint, 0), l -> 'discounts', (l ->> 'tax_minor')::bigint,
         (l ->> 'shipping_minor')::bigint, (l ->> 'shipping_discount_minor')::bigint,
         (l ->> 'unit_price_minor')::bigint * (l ->> 'quantity')::int - coalesce((l ->> 'discount_minor')::bigint, 0)
           + (l ->> 'tax_minor')::bigint + (l ->> 'shipping_minor')::bigint - (l ->> 'shipping_discount_minor')::bigint
  from jsonb_array_elements(priced) l;
  perform private.commerce_coupon_redeem(new_order.id, buyer, order_currency, priced);

  insert into commerce.fraud_assessments (order_id, customer_id, email, client_ip, card_fingerprint, total_minor,
                                          currency, score, decision, rules_fired, ruleset_version)
  values (new_order.id, buyer, buyer_email, client_ip, card_fingerprint, new_order.total_minor, order_currency,
          assessment.score, assessment.decision, assessment.rules_fired, assessment.ruleset_version);

  insert into commerce.payments (order_id, provider, amount_minor, currency, card_fingerprint)
  values (new_order.id, provider, new_order.total_minor, order_currency, card_fingerprint)
  returning * into new_payment;

  -- Last, so the level locks are held for the shortest time before commit.
  perform private.commerce_reserve(new_order.id, priced, now() + make_interval(mins => reservation_minutes));
  perform private.commerce_refresh_alerts(array(select (l ->> 'variant_id')::uuid from jsonb_array_elements(priced) l));

  return private.commerce_checkout_result(new_order.id, assessment.decision, false);
end;
$$;
comment on function commerce.checkout is
  'Service role (commerce function): score, reserve and create an order and its payment, once per Idempotency-Key.';


revoke execute on function commerce.checkout(jsonb, text, text, text, inet, text, text, text) from public;
-- Only the checkout function calls it (as the service role, with the verified user's claims): through the
-- Data API a customer would skip the rate limit and the Idempotency-Key and could spoof the fraud inputs.
grant execute on function commerce.checkout(jsonb, text, text, text, inet, text, text, text) to service_role;
