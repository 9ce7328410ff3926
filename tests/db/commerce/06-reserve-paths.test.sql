-- private.commerce_reserve's two paths: the fast one (plan without a lock, reservations and ledger rows
-- first, one guarded level update last) and the locked one (stock that expired reservations still hold,
-- which the strict guard leaves alone). All or none either way, locations in order, the ledger recomputes
-- every level after each.
begin;
select plan(12);

select tests.create_supabase_user('rp_buyer');
insert into commerce.products (slug, name, category) values ('rp-test', 'Reserve paths test', 'accessory');
insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
select id, 'RP-TEST', 'Test', 1000, 'USD', 0 from commerce.products where slug = 'rp-test';
insert into commerce.inventory_levels (variant_id, location_id)
select v.id, l.id from commerce.variants v cross join commerce.locations l where v.sku = 'RP-TEST';
select private.commerce_apply_movements(jsonb_agg(jsonb_build_object('variant_id', v.id, 'location_id', l.id,
         'kind', 'receipt', 'quantity', q.n, 'on_hand_delta', q.n, 'reason', 'test')))
from commerce.variants v
join (values ('HOU-1', 2), ('LOS-1', 1)) as q (code, n) on true
join commerce.locations l on l.code = q.code
where v.sku = 'RP-TEST';

create temporary table rp_orders (name text primary key, id uuid);
insert into rp_orders
select name, gen_random_uuid() from unnest(array['a', 'b', 'c']) name;
insert into commerce.orders (id, customer_id, customer_email, currency, subtotal_minor, total_minor, provider)
select o.id, tests.get_supabase_uid('rp_buyer'), 'rp@test.local', 'USD', 3000, 3000, 'stripe' from rp_orders o;

create function pg_temp.reserve(order_name text, quantity int) returns int language sql as $$
  select private.commerce_reserve((select id from rp_orders where name = order_name),
                                  (select jsonb_build_array(jsonb_build_object('variant_id', v.id, 'quantity', quantity))
                                   from commerce.variants v where v.sku = 'RP-TEST'),
                                  now() + interval '15 minutes')
$$;
create function pg_temp.held(order_name text) returns text language sql as $$
  select string_agg(l.code || ':' || r.quantity, ' ' order by l.code)
  from commerce.reservations r join commerce.locations l on l.id = r.location_id
  where r.order_id = (select id from rp_orders where name = order_name) and r.status = 'active'
$$;

-- Fast path: three units over two locations, taken in location order.
select is(pg_temp.reserve('a', 3), 2, 'the fast path reserves across both levels');
select is(pg_temp.held('a'), 'HOU-1:2 LOS-1:1', 'each location gives what it has, in order');
select is((select sum(l.reserved)::int from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id
           where v.sku = 'RP-TEST'), 3, 'the levels hold the three units');
select is_empty($$select * from private.commerce_ledger_drift()$$, 'the ledger recomputes every level after the fast path');

-- Nothing is free now: the strict guard refuses, the locked path finds no expired stock either.
select throws_ok($$select pg_temp.reserve('b', 1)$$, 'PT409', 'Not enough stock for: RP-TEST', 'a shortage is PT409');
select is(pg_temp.held('b'), null, 'a refused reservation leaves no reservation behind');
select is((select count(*)::int from commerce.stock_movements m where m.order_id = (select id from rp_orders where name = 'b')), 0,
  'and no ledger row (the fast path''s writes rolled back with it)');

-- a's hold lapses but the job has not run: only the locked path may count those units.
update commerce.reservations set expires_at = now() - interval '1 second'
where order_id = (select id from rp_orders where name = 'a');
select is(pg_temp.reserve('b', 3), 2, 'the locked path reserves stock that expired reservations still hold');
select is(pg_temp.held('b'), 'HOU-1:2 LOS-1:1', 'in location order too');
select is_empty($$select * from private.commerce_ledger_drift()$$, 'the ledger recomputes every level after the locked path');
select throws_ok($$select pg_temp.reserve('c', 1)$$, 'PT409', 'Not enough stock for: RP-TEST',
  'the same units are never promised twice');
select private.commerce_release_expired_reservations();
select is((select sum(l.reserved)::int from commerce.inventory_levels l join commerce.variants v on v.id = l.variant_id
           where v.sku = 'RP-TEST'), 3, 'after the job only b''s units are held');

select * from finish();
rollback;
