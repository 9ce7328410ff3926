-- Commerce inventory: every stock change is a set of ledger rows applied by one helper that locks the
-- touched levels in (variant_id, location_id) order, writes the ledger and moves levels and lots by
-- the ledger's own deltas, so the ledger recomputes every level by construction. Reservations,
-- allocations (first-expiry-first-out lots), sales, cancellations, returns, adjustments, receipts,
-- stock alerts, the reservation expiry job and the ledger invariant check live here.

-- Applies movements given as a JSON array of {variant_id, location_id, lot_id?, kind, quantity,
-- on_hand_delta?, allocated_delta?, reserved_delta?, order_id?, reservation_id?, reason?}.
-- levels_locked: the caller already holds the locks of every touched level (in the same order).
create or replace function private.commerce_apply_movements(moves jsonb, levels_locked boolean default false) returns int
language plpgsql volatile set search_path = '' as $$
declare
  applied int;
begin
  -- Fixed lock order: two transactions touching the same levels never wait on each other in a cycle.
  if not levels_locked then
    perform 1 from commerce.inventory_levels l
    where (l.variant_id, l.location_id) in (
      select m.variant_id, m.location_id from jsonb_to_recordset(moves) as m (variant_id uuid, location_id uuid))
    order by l.variant_id, l.location_id
    for no key update;
  end if;

  with incoming as (
    select m.variant_id, m.location_id, m.lot_id, m.kind, m.quantity,
           coalesce(m.on_hand_delta, 0) as on_hand_delta, coalesce(m.allocated_delta, 0) as allocated_delta,
           coalesce(m.reserved_delta, 0) as reserved_delta, m.order_id, m.reservation_id, m.reason
    from jsonb_to_recordset(moves) as m (variant_id uuid, location_id uuid, lot_id uuid, kind text, quantity int,
         on_hand_delta int, allocated_delta int, reserved_delta int, order_id uuid, reservation_id uuid, reason text)
  ), ledger as (
    insert into commerce.stock_movements (variant_id, location_id, lot_id, kind, quantity, on_hand_delta,
                                          allocated_delta, reserved_delta, order_id, reservation_id, reason, actor)
    select variant_id, location_id, lot_id, kind, quantity, on_hand_delta, allocated_delta, reserved_delta,
           order_id, reservation_id, reason, auth.uid()
    from incoming
    returning variant_id, location_id, lot_id, on_hand_delta, allocated_delta, reserved_delta
  ), levels as (
    update commerce.inventory_levels l
    set on_hand = l.on_hand + d.on_hand_delta, allocated = l.allocated + d.allocated_delta,
        reserved = l.reserved + d.reserved_delta, updated_at = now()
    from (select variant_id, location_id, sum(on_hand_delta)::int as on_hand_delta,
                 sum(allocated_delta)::int as allocated_delta, sum(reserved_delta)::int as reserved_delta
          from ledger group by variant_id, location_id) d
    where l.variant_id = d.variant_id and l.location_id = d.location_id
      and (d.on_hand_delta <> 0 or d.allocated_delta <> 0 or d.reserved_delta <> 0)
    returning 1
  ), lot_levels as (
    update commerce.lots t
    set on_hand = t.on_hand + d.on_hand_delta, allocated = t.allocated + d.allocated_delta
    from (select lot_id, sum(on_hand_delta)::int as on_hand_delta, sum(allocated_delta)::int as allocated_delta
          from ledger where lot_id is not null group by lot_id) d
    where t.id = d.lot_id
    returning 1
  )
  select count(*) into applied from ledger;
  return applied;
end;
$$;

-- What a level can still promise: on hand, minus allocated, minus live (unexpired) reservations. The
-- level keeps the total of active reservations; the expired ones the release job has not reached yet
-- are added back (a range scan over the few past expires_at, not a sum over every reservation).
create or replace function private.commerce_level_available(variant_id uuid, location_id uuid) returns int
language sql stable set search_path = '' as $$
  select l.on_hand - l.allocated - l.reserved + coalesce((
    select sum(r.quantity) from commerce.reservations r
    where r.variant_id = l.variant_id and r.location_id = l.location_id
      and r.status = 'active' and r.expires_at <= now()), 0)::int
  from commerce.inventory_levels l
  where l.variant_id = commerce_level_available.variant_id and l.location_id = commerce_level_available.location_id
$$;

-- Reserves lines [{variant_id, quantity}] for an order, all or none. Lines sharing a variant are summed
-- first. A shortage raises PT409 out_of_stock naming every short SKU.
--
-- Fast path (a hot SKU with stock): the plan is made from the committed levels without a lock, the
-- reservations and their ledger rows are written, and the level rows are taken last by one guarded
-- update (the benchmark's anchor: `reserved = reserved + n where on_hand - allocated - reserved >= n`,
-- re-checked by PostgreSQL on the newest row version after a wait), then the caller commits. The hot
-- row is held for that update and the commit only. The guard is strict, so stock that expired
-- reservations still hold (not yet released by the job) is left to the locked path, as is any plan a
-- concurrent change defeated: its subtransaction rolls back (reservations and ledger rows with it).
-- Their foreign keys take KEY SHARE on the levels, which no level lock (FOR NO KEY UPDATE) waits for.
create or replace function private.commerce_reserve(order_id uuid, lines jsonb, expires_at timestamptz) returns int
language plpgsql volatile set search_path = '' as $$
declare
  planned jsonb;
  planned_levels int;
  taken_levels int;
  shortages jsonb;
  moves jsonb;
begin
  begin
    with wanted as (
      select (x ->> 'variant_id')::uuid as variant_id, sum((x ->> 'quantity')::int)::int as quantity
      from jsonb_array_elements(lines) x group by 1
    ), supply as (
      select w.variant_id, l.location_id, w.quantity, greatest(l.on_hand - l.allocated - l.reserved, 0)::int as available
      from wanted w join commerce.inventory_levels l on l.variant_id = w.variant_id
    ), running as (
      select s.*, sum(s.available) over (partition by s.variant_id order by s.location_id) - s.available as before
      from supply s
    ), taken as (
      select variant_id, location_id, least(available, quantity - before)::int as quantity
      from running where before < quantity and available > 0
    )
    select jsonb_agg(jsonb_build_object('variant_id', t.variant_id, 'location_id', t.location_id, 'quantity', t.quantity)
                     order by t.variant_id, t.location_id)
    into planned
    from taken t
    where not exists (select 1 from wanted w
                      where w.quantity > (select coalesce(sum(s.available), 0) from supply s where s.variant_id = w.variant_id));

    if planned is not null then
      planned_levels := jsonb_array_length(planned);
      -- First the level rows (in the fixed order when there are several; one row needs no order), then
      -- the rows that reference them. Locking a level first means the foreign-key checks of the inserts
      -- below find it already locked by this transaction and add nothing. In the other order every
      -- reservation of a hot SKU took a KEY SHARE lock on a level row that other reservations were
      -- updating, each such lock a new MultiXact, and every later read of the row's versions looked
      -- those up: under 50 concurrent buyers of one SKU, reservations fell from about 1,100 to 200/s.
      if planned_levels > 1 then
        perform 1 from commerce.inventory_levels l
        where (l.variant_id, l.location_id) in (
          select p.variant_id, p.location_id from jsonb_to_recordset(planned) as p (variant_id uuid, location_id uuid))
        order by l.variant_id, l.location_id
        for no key update;
      end if;
      update commerce.inventory_levels l
      set reserved = l.reserved + p.quantity, updated_at = now()
      from jsonb_to_recordset(planned) as p (variant_id uuid, location_id uuid, quantity int)
      where l.variant_id = p.variant_id and l.location_id = p.location_id
        and l.on_hand - l.allocated - l.reserved >= p.quantity;
      get diagnostics taken_levels = row_count;
      if taken_levels = planned_levels then
        with held as (
          insert into commerce.reservations (order_id, variant_id, location_id, quantity, expires_at)
          select commerce_reserve.order_id, p.variant_id, p.location_id, p.quantity, commerce_reserve.expires_at
          from jsonb_to_recordset(planned) as p (variant_id uuid, location_id uuid, quantity int)
          order by p.variant_id, p.location_id
          returning id, variant_id, location_id, quantity
        )
        select jsonb_agg(jsonb_build_object('id', h.id, 'variant_id', h.variant_id, 'location_id', h.location_id,
                                            'quantity', h.quantity) order by h.variant_id, h.location_id)
        into moves from held h;
        insert into commerce.stock_movements (variant_id, location_id, kind, quantity, reserved_delta, order_id,
                                              reservation_id, actor)
        select m.variant_id, m.location_id, 'reservation', m.quantity, m.quantity, commerce_reserve.order_id, m.id, auth.uid()
        from jsonb_to_recordset(moves) as m (id uuid, variant_id uuid, location_id uuid, quantity int)
        order by m.variant_id, m.location_id;
        return planned_levels;
      end if;
      raise exception using errcode = 'PBRSV', message = 'the reservation plan lost a race; taking the locked path';
    end if;
  exception when sqlstate 'PBRSV' then
    null;
  end;

  -- Locked path: each variant's levels are locked in (variant_id, location_id) order and taken in that
  -- order, counting stock whose reservations expired but were not released yet.
  perform 1 from commerce.inventory_levels l
  where l.variant_id in (select (x ->> 'variant_id')::uuid from jsonb_array_elements(lines) x)
  order by l.variant_id, l.location_id
  for no key update;

  -- One statement after the lock (its snapshot sees every committed change to the locked levels): the
  -- shortages, and the reservations, inserted only when there is none.
  with wanted as (
    select (x ->> 'variant_id')::uuid as variant_id, sum((x ->> 'quantity')::int)::int as quantity
    from jsonb_array_elements(lines) x group by 1
  ), supply as (
    select w.variant_id, l.location_id, w.quantity,
           greatest(l.on_hand - l.allocated - l.reserved + coalesce((
             select sum(r.quantity) from commerce.reservations r
             where r.variant_id = l.variant_id and r.location_id = l.location_id
               and r.status = 'active' and r.expires_at <= now()), 0), 0)::int as available
    from wanted w join commerce.inventory_levels l on l.variant_id = w.variant_id
  ), short as (
    select w.variant_id, w.quantity, coalesce(sum(s.available), 0)::int as available
    from wanted w left join supply s on s.variant_id = w.variant_id
    group by w.variant_id, w.quantity
    having coalesce(sum(s.available), 0) < w.quantity
  ), running as (
    select s.*, sum(s.available) over (partition by s.variant_id order by s.location_id) - s.available as before
    from supply s
  ), taken as (
    select variant_id, location_id, least(available, quantity - before)::int as quantity
    from running where before < quantity and available > 0
  ), held as (
    insert into commerce.reservations (order_id, variant_id, location_id, quantity, expires_at)
    select commerce_reserve.order_id, variant_id, location_id, quantity, commerce_reserve.expires_at from taken
    where not exists (select 1 from short)
    returning id, variant_id, location_id, quantity
  )
  select (select jsonb_agg(jsonb_build_object('sku', v.sku, 'requested', t.quantity, 'available', t.available) order by v.sku)
          from short t join commerce.variants v on v.id = t.variant_id),
         (select jsonb_agg(jsonb_build_object('variant_id', h.variant_id, 'location_id', h.location_id, 'kind', 'reservation',
                   'quantity', h.quantity, 'reserved_delta', h.quantity, 'order_id', commerce_reserve.order_id,
                   'reservation_id', h.id)) from held h)
  into shortages, moves;

  if shortages is not null then
    raise exception using errcode = 'PT409', hint = 'out_of_stock',
      message = 'Not enough stock for: ' || (select string_agg(s ->> 'sku', ', ') from jsonb_array_elements(shortages) s),
      detail = shortages::text;
  end if;

  return private.commerce_apply_movements(moves, true);
end;
$$;

-- Releases an order's active reservations (payment failed, expired, canceled).
create or replace function private.commerce_release(order_id uuid, reason text) returns int
language plpgsql volatile set search_path = '' as $$
declare
  moves jsonb;
begin
  perform 1 from commerce.inventory_levels l
  where (l.variant_id, l.location_id) in (select r.variant_id, r.location_id from commerce.reservations r
                                          where r.order_id = commerce_release.order_id and r.status = 'active')
  order by l.variant_id, l.location_id for no key update;
  with released as (
    update commerce.reservations r set status = 'released', settled_at = now()
    where r.order_id = commerce_release.order_id and r.status = 'active'
    returning r.id, r.variant_id, r.location_id, r.quantity
  )
  select jsonb_agg(jsonb_build_object('variant_id', variant_id, 'location_id', location_id, 'kind', 'release',
           'quantity', quantity, 'reserved_delta', -quantity, 'order_id', commerce_release.order_id,
           'reservation_id', id, 'reason', reason))
  into moves from released;
  return coalesce(private.commerce_apply_movements(coalesce(moves, '[]')), 0);
end;
$$;

-- Turns an order's reservations into allocations, taking each level's lots first-expiry-first-out
-- (unlotted stock last). When a reservation has expired or was released (late payment), the order's
-- lines are reserved again if stock allows. Returns false when it does not: the caller cancels.
create or replace function private.commerce_allocate(order_id uuid) returns boolean
language plpgsql volatile set search_path = '' as $$
declare
  lines jsonb;
  moves jsonb;
begin
  select jsonb_agg(jsonb_build_object('variant_id', ol.variant_id, 'quantity', ol.quantity)) into lines
  from commerce.order_lines ol where ol.order_id = commerce_allocate.order_id;

  perform 1 from commerce.inventory_levels l
  where l.variant_id in (select (x ->> 'variant_id')::uuid from jsonb_array_elements(lines) x)
  order by l.variant_id, l.location_id for no key update;

  if exists (select 1 from commerce.reservations r where r.order_id = commerce_allocate.order_id
             and (r.status <> 'active' or r.expires_at <= now()) and r.status <> 'allocated')
     or not exists (select 1 from commerce.reservations r where r.order_id = commerce_allocate.order_id
                    and r.status = 'active') then
    perform private.commerce_release(commerce_allocate.order_id, 'reservation expired before payment');
    begin
      perform private.commerce_reserve(commerce_allocate.order_id, lines, now() + interval '5 minutes');
    exception when sqlstate 'PT409' then
      return false;
    end;
  end if;

  with settled as (
    update commerce.reservations r set status = 'allocated', settled_at = now()
    where r.order_id = commerce_allocate.order_id and r.status = 'active'
    returning r.id, r.variant_id, r.location_id, r.quantity
  ), lot_supply as (
    select s.id as reservation_id, s.variant_id, s.location_id, s.quantity, t.id as lot_id,
           t.on_hand - t.allocated as free, t.expires_on
    from settled s join commerce.lots t on t.variant_id = s.variant_id and t.location_id = s.location_id
    where t.on_hand > t.allocated
  ), lot_running as (
    select ls.*, sum(free) over (partition by reservation_id order by expires_on nulls last, lot_id) - free as before
    from lot_supply ls
  ), lot_taken as (
    select reservation_id, variant_id, location_id, lot_id, least(free, quantity - before)::int as quantity
    from lot_running where before < quantity
  ), unlotted as (
    select s.id as reservation_id, s.variant_id, s.location_id, null::uuid as lot_id,
           (s.quantity - coalesce((select sum(lt.quantity) from lot_taken lt where lt.reservation_id = s.id), 0))::int as quantity
    from settled s
  ), picks as (
    select * from lot_taken union all select * from unlotted where quantity > 0
  )
  select jsonb_agg(move) into moves from (
    select jsonb_build_object('variant_id', variant_id, 'location_id', location_id, 'kind', 'reservation',
             'quantity', quantity, 'reserved_delta', -quantity, 'order_id', commerce_allocate.order_id,
             'reservation_id', id, 'reason', 'allocated') as move
    from (select s.id, s.variant_id, s.location_id, s.quantity from settled s) s
    union all
    select jsonb_build_object('variant_id', variant_id, 'location_id', location_id, 'lot_id', lot_id,
             'kind', 'allocation', 'quantity', quantity, 'allocated_delta', quantity,
             'order_id', commerce_allocate.order_id, 'reservation_id', reservation_id)
    from picks
  ) m;
  perform private.commerce_apply_movements(moves);
  return true;
end;
$$;

-- What an order holds allocated, per level and lot, read back from the ledger.
create or replace function private.commerce_order_allocations(order_id uuid)
returns table (variant_id uuid, location_id uuid, lot_id uuid, quantity int)
language sql stable set search_path = '' as $$
  select m.variant_id, m.location_id, m.lot_id, sum(m.allocated_delta)::int
  from commerce.stock_movements m
  where m.order_id = commerce_order_allocations.order_id
  group by m.variant_id, m.location_id, m.lot_id
  having sum(m.allocated_delta) > 0
$$;

-- Allocations leave the building (sale) or go back to free stock (cancellation).
create or replace function private.commerce_settle_allocations(order_id uuid, kind text) returns int
language plpgsql volatile set search_path = '' as $$
declare
  moves jsonb;
begin
  select jsonb_agg(jsonb_build_object('variant_id', a.variant_id, 'location_id', a.location_id, 'lot_id', a.lot_id,
           'kind', kind, 'quantity', a.quantity, 'allocated_delta', -a.quantity,
           'on_hand_delta', case when kind = 'sale' then -a.quantity else 0 end,
           'order_id', commerce_settle_allocations.order_id))
  into moves
  from private.commerce_order_allocations(commerce_settle_allocations.order_id) a;
  return coalesce(private.commerce_apply_movements(coalesce(moves, '[]')), 0);
end;
$$;

-- Raises each alert once and resolves it when stock returns; run after every stock change.
create or replace function private.commerce_refresh_alerts(variant_ids uuid[]) returns void
language plpgsql volatile set search_path = '' as $$
declare
  expiry_days int := (select lot_expiry_alert_days from commerce.settings);
begin
  with stock as (
    select v.id as variant_id, v.low_stock_threshold,
           coalesce(sum(private.commerce_level_available(l.variant_id, l.location_id)), 0)::int as available
    from commerce.variants v left join commerce.inventory_levels l on l.variant_id = v.id
    where v.id = any (variant_ids) and v.active
    group by v.id, v.low_stock_threshold
  ), raised as (
    insert into commerce.stock_alerts (kind, variant_id, details)
    select 'low_stock', s.variant_id, jsonb_build_object('available', s.available, 'threshold', s.low_stock_threshold)
    from stock s where s.available < s.low_stock_threshold
    on conflict (variant_id) where kind = 'low_stock' and resolved_at is null do nothing
    returning 1
  )
  update commerce.stock_alerts a set resolved_at = now(), details = a.details || jsonb_build_object('available', s.available)
  from stock s
  where a.variant_id = s.variant_id and a.kind = 'low_stock' and a.resolved_at is null
    and s.available >= s.low_stock_threshold;

  insert into commerce.stock_alerts (kind, variant_id, lot_id, details)
  select 'lot_expiring', t.variant_id, t.id,
         jsonb_build_object('batchNumber', t.batch_number, 'expiresOn', t.expires_on, 'onHand', t.on_hand)
  from commerce.lots t
  where t.variant_id = any (variant_ids) and t.on_hand > 0 and t.expires_on <= current_date + expiry_days
  on conflict (lot_id) where kind = 'lot_expiring' and resolved_at is null do nothing;

  update commerce.stock_alerts a set resolved_at = now()
  from commerce.lots t
  where a.lot_id = t.id and a.kind = 'lot_expiring' and a.resolved_at is null and t.variant_id = any (variant_ids)
    and t.on_hand = 0;
end;
$$;

-- The ledger invariant: every level, lot and live-reservation total recomputed from stock_movements.
-- Returns one row per disagreement; none means the ledger and the levels agree.
create or replace function private.commerce_ledger_drift()
returns table (variant_id uuid, location_id uuid, lot_id uuid, what text, stored bigint, recomputed bigint)
language sql stable set search_path = '' as $$
  with sums as (
    select m.variant_id, m.location_id, sum(m.on_hand_delta) as on_hand, sum(m.allocated_delta) as allocated,
           sum(m.reserved_delta) as reserved
    from commerce.stock_movements m group by m.variant_id, m.location_id
  ), live as (
    select r.variant_id, r.location_id, sum(r.quantity) as reserved
    from commerce.reservations r where r.status = 'active' group by r.variant_id, r.location_id
  ), lot_sums as (
    select m.lot_id, sum(m.on_hand_delta) as on_hand, sum(m.allocated_delta) as allocated
    from commerce.stock_movements m where m.lot_id is not null group by m.lot_id
  )
  select l.variant_id, l.location_id, null::uuid, x.what, x.stored, x.recomputed
  from commerce.inventory_levels l
  left join sums s on s.variant_id = l.variant_id and s.location_id = l.location_id
  left join live r on r.variant_id = l.variant_id and r.location_id = l.location_id
  cross join lateral (values ('on_hand', l.on_hand::bigint, coalesce(s.on_hand, 0)::bigint),
                             ('allocated', l.allocated::bigint, coalesce(s.allocated, 0)::bigint),
                             ('reserved', l.reserved::bigint, coalesce(s.reserved, 0)::bigint),
                             ('live_reservations', coalesce(r.reserved, 0)::bigint, coalesce(s.reserved, 0)::bigint)) as x (what, stored, recomputed)
  where x.stored <> x.recomputed
  union all
  select t.variant_id, t.location_id, t.id, x.what, x.stored, x.recomputed
  from commerce.lots t left join lot_sums s on s.lot_id = t.id
  cross join lateral (values ('lot_on_hand', t.on_hand::bigint, coalesce(s.on_hand, 0)::bigint),
                             ('lot_allocated', t.allocated::bigint, coalesce(s.allocated, 0)::bigint)) as x (what, stored, recomputed)
  where x.stored <> x.recomputed
$$;

-- The pg_cron job: expired reservations are released exactly once (the status predicate under the
-- row lock lets one run win per reservation); their orders stay pending until paid or canceled.
create or replace function private.commerce_release_expired_reservations() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  cutoff timestamptz := now();
  moves jsonb;
  affected uuid[];
begin
  perform 1 from commerce.inventory_levels l
  where (l.variant_id, l.location_id) in (select r.variant_id, r.location_id from commerce.reservations r
                                          where r.status = 'active' and r.expires_at <= cutoff)
  order by l.variant_id, l.location_id for no key update;
  with released as (
    update commerce.reservations r set status = 'released', settled_at = now()
    where r.status = 'active' and r.expires_at <= cutoff
    returning r.id, r.order_id, r.variant_id, r.location_id, r.quantity
  ), logged as (
    insert into commerce.order_events (order_id, kind, details)
    select distinct order_id, 'reservation_expired', '{}'::jsonb from released
    returning 1
  )
  select jsonb_agg(jsonb_build_object('variant_id', variant_id, 'location_id', location_id, 'kind', 'release',
           'quantity', quantity, 'reserved_delta', -quantity, 'order_id', order_id, 'reservation_id', id,
           'reason', 'reservation expired')),
         array_agg(distinct variant_id)
  into moves, affected from released;
  if moves is null then
    return 0;
  end if;
  perform private.commerce_apply_movements(moves);
  perform private.commerce_refresh_alerts(affected);
  return jsonb_array_length(moves);
end;
$$;

select cron.schedule('commerce-release-expired-reservations', '* * * * *',
  $$select private.run_job('commerce-release-expired-reservations', 'select private.commerce_release_expired_reservations()')$$);

create or replace function private.commerce_refresh_all_alerts() returns bigint
language plpgsql volatile set search_path = '' as $$
begin
  perform private.commerce_refresh_alerts(array(select id from commerce.variants));
  return (select count(*) from commerce.stock_alerts where resolved_at is null);
end;
$$;
select cron.schedule('commerce-stock-alerts', '7 * * * *',
  $$select private.run_job('commerce-stock-alerts', 'select private.commerce_refresh_all_alerts()')$$);

-- Staff RPCs ------------------------------------------------------------------------------------------

create or replace function private.commerce_level_for(sku text, location_code text)
returns table (variant_id uuid, location_id uuid)
language plpgsql volatile set search_path = '' as $$
declare
  found_variant uuid := (select v.id from commerce.variants v where v.sku = commerce_level_for.sku);
  found_location uuid := (select l.id from commerce.locations l where l.code = commerce_level_for.location_code);
begin
  if found_variant is null then
    raise exception using errcode = 'PT404', hint = 'unknown_sku', message = format('No variant with SKU %s.', sku);
  end if;
  if found_location is null then
    raise exception using errcode = 'PT404', hint = 'unknown_location', message = format('No location %s.', location_code);
  end if;
  insert into commerce.inventory_levels (variant_id, location_id) values (found_variant, found_location)
  on conflict do nothing;
  return query select found_variant, found_location;
end;
$$;

-- Admin: receive stock, optionally into a lot (batch number and expiry).
create or replace function private.commerce_receive_stock(
  sku text, location_code text, quantity int, batch_number text default null, expires_on date default null,
  reason text default 'receipt'
) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  level record;
  received_lot uuid;
begin
  perform private.require_any_role(array['admin']);
  if quantity is null or quantity < 1 or quantity > 100000 then
    raise exception using errcode = 'PT422', hint = 'invalid_quantity', message = 'quantity must be 1-100000.';
  end if;
  select * into level from private.commerce_level_for(sku, location_code);
  if batch_number is not null then
    insert into commerce.lots (variant_id, location_id, batch_number, expires_on)
    values (level.variant_id, level.location_id, batch_number, expires_on)
    on conflict on constraint lots_variant_id_location_id_batch_number_key
    do update set expires_on = coalesce(excluded.expires_on, commerce.lots.expires_on)
    returning id into received_lot;
  end if;
  perform private.commerce_apply_movements(jsonb_build_array(jsonb_build_object(
    'variant_id', level.variant_id, 'location_id', level.location_id, 'lot_id', received_lot, 'kind', 'receipt',
    'quantity', quantity, 'on_hand_delta', quantity, 'reason', reason)));
  perform private.commerce_refresh_alerts(array[level.variant_id]);
  return (select jsonb_build_object('sku', commerce_receive_stock.sku, 'location', location_code, 'onHand', l.on_hand,
                                    'allocated', l.allocated, 'lotId', received_lot)
          from commerce.inventory_levels l where l.variant_id = level.variant_id and l.location_id = level.location_id);
end;
$$;
comment on function private.commerce_receive_stock(text, text, int, text, date, text) is
  'Definer behind commerce.receive_stock (checks the caller itself): receive stock into a location, optionally into a lot (batch number, expiry); returns the level after.';
grant execute on function private.commerce_receive_stock(text, text, int, text, date, text) to authenticated, service_role;

create or replace function commerce.receive_stock(
  sku text, location_code text, quantity int, batch_number text default null, expires_on date default null,
  reason text default 'receipt'
) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_receive_stock(receive_stock.sku, receive_stock.location_code, receive_stock.quantity, receive_stock.batch_number, receive_stock.expires_on, receive_stock.reason)
$$;
comment on function commerce.receive_stock(text, text, int, text, date, text) is
  'Admin: receive stock into a location, optionally into a lot (batch number, expiry); returns the level after.';

-- Admin: correct a count (positive or negative), never below what is allocated or reserved.
create or replace function private.commerce_adjust_stock(sku text, location_code text, delta int, reason text,
                                                 batch_number text default null) returns jsonb
language plpgsql volatile security definer set search_path = '' as $$
declare
  level record;
  adjusted_lot uuid;
begin
  perform private.require_any_role(array['admin']);
  if delta is null or delta = 0 or abs(delta) > 100000 then
    raise exception using errcode = 'PT422', hint = 'invalid_quantity', message = 'delta must be a non-zero count up to 100000.';
  end if;
  if reason is null or length(trim(reason)) = 0 then
    raise exception using errcode = 'PT422', hint = 'reason_required', message = 'An adjustment needs a reason.';
  end if;
  select * into level from private.commerce_level_for(sku, location_code);
  perform 1 from commerce.inventory_levels l where l.variant_id = level.variant_id and l.location_id = level.location_id for no key update;
  if batch_number is not null then
    select t.id into adjusted_lot from commerce.lots t
    where t.variant_id = level.variant_id and t.location_id = level.location_id and t.batch_number = commerce_adjust_stock.batch_number;
    if adjusted_lot is null then
      raise exception using errcode = 'PT404', hint = 'unknown_lot', message = format('No lot %s here.', batch_number);
    end if;
    if (select t.on_hand - t.allocated from commerce.lots t where t.id = adjusted_lot) + delta < 0 then
      raise exception using errcode = 'PT409', hint = 'insufficient_stock', message = 'The lot does not hold that many free units.';
    end if;
  end if;
  if private.commerce_level_available(level.variant_id, level.location_id) + delta < 0 then
    raise exception using errcode = 'PT409', hint = 'insufficient_stock',
      message = 'The adjustment would take stock below what is allocated or reserved.';
  end if;
  perform private.commerce_apply_movements(jsonb_build_array(jsonb_build_object(
    'variant_id', level.variant_id, 'location_id', level.location_id, 'lot_id', adjusted_lot, 'kind', 'adjustment',
    'quantity', abs(delta), 'on_hand_delta', delta, 'reason', reason)));
  perform private.commerce_refresh_alerts(array[level.variant_id]);
  return (select jsonb_build_object('sku', commerce_adjust_stock.sku, 'location', location_code, 'onHand', l.on_hand,
                                    'allocated', l.allocated)
          from commerce.inventory_levels l where l.variant_id = level.variant_id and l.location_id = level.location_id);
end;
$$;
comment on function private.commerce_adjust_stock(text, text, int, text, text) is
  'Definer behind commerce.adjust_stock (checks the caller itself): correct a count by a signed delta with a reason, never below what is allocated or reserved.';
grant execute on function private.commerce_adjust_stock(text, text, int, text, text) to authenticated, service_role;

create or replace function commerce.adjust_stock(sku text, location_code text, delta int, reason text,
                                                 batch_number text default null) returns jsonb
language sql volatile security invoker set search_path = '' as $$
  select private.commerce_adjust_stock(adjust_stock.sku, adjust_stock.location_code, adjust_stock.delta, adjust_stock.reason, adjust_stock.batch_number)
$$;
comment on function commerce.adjust_stock(text, text, int, text, text) is
  'Admin: correct a count by a signed delta with a reason, never below what is allocated or reserved.';

-- Public availability: per SKU, what can be sold across all locations; never a location's on_hand.
-- Definer in private because anon may not read inventory levels; the exposed entry point below is an
-- invoker (Supabase's advisors flag definer functions anon can call in an exposed schema).
create or replace function private.commerce_catalog_availability(skus text[])
returns table (sku text, available int)
language sql stable security definer set search_path = '' as $$
  select v.sku, greatest(coalesce(sum(private.commerce_level_available(l.variant_id, l.location_id)), 0), 0)::int
  from commerce.variants v
  join commerce.products p on p.id = v.product_id and p.active
  left join commerce.inventory_levels l on l.variant_id = v.id
  where v.active and (skus is null or v.sku = any (skus))
  group by v.sku
$$;

create or replace function commerce.catalog_availability(skus text[] default null)
returns table (sku text, available int)
language sql stable set search_path = '' as $$
  select a.sku, a.available from private.commerce_catalog_availability(catalog_availability.skus) a
$$;
comment on function commerce.catalog_availability is
  'Public: sellable units per active SKU across all locations, never a location''s figures.';
comment on function private.commerce_catalog_availability(text[]) is
  'Definer behind commerce.catalog_availability: sellable units per active SKU, never a location''s on_hand.';

revoke execute on function commerce.receive_stock(text, text, int, text, date, text),
  commerce.adjust_stock(text, text, int, text, text), commerce.catalog_availability(text[]),
  private.commerce_catalog_availability(text[]) from public;
grant execute on function commerce.receive_stock(text, text, int, text, date, text),
  commerce.adjust_stock(text, text, int, text, text) to authenticated, service_role;
grant execute on function commerce.catalog_availability(text[]), private.commerce_catalog_availability(text[])
  to anon, authenticated, service_role;
