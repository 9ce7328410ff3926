-- Marketing: customer analytics and segments. Order facts reach marketing through one contract,
-- marketing.record_orders (the commerce module calls it in its order transaction; nothing here reads
-- commerce tables). A customer-analytics row per customer keeps orders, total spent, first and last
-- order and average order value current. Segments are definitions as data: a JSON tree of conditions
-- over a fixed list of fields and operators, compiled to SQL by a function that refuses anything else
-- (PT422), so a condition naming another column is never executed.

create table marketing.customer_orders (
  order_id text primary key,
  user_id uuid not null references auth.users (id) on delete cascade,
  total numeric(12, 2) not null check (total >= 0),
  placed_at timestamptz not null,
  status text not null check (status in ('placed', 'refunded', 'canceled')),
  recorded_at timestamptz not null default now()
);
create index customer_orders_user_idx on marketing.customer_orders (user_id, placed_at);

create table marketing.customer_analytics (
  user_id uuid primary key references auth.users (id) on delete cascade,
  orders_count int not null default 0,
  total_spent numeric(14, 2) not null default 0,
  avg_order_value numeric(12, 2),
  first_order_at timestamptz,
  last_order_at timestamptz,
  changed_at timestamptz not null default now(),
  -- The transaction that last changed the row: incremental segment refresh reads rows by it (see
  -- marketing.refresh_segments), since a time stamp is taken before its transaction commits.
  changed_xid xid8 not null default pg_current_xact_id()
);
create index customer_analytics_changed_idx on marketing.customer_analytics (changed_xid);

create table marketing.segments (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  name text not null,
  definition jsonb not null,
  -- The compiled predicate (over marketing.customer_analytics as ca); set by the trigger below.
  compiled text not null,
  predefined boolean not null default false,
  member_count int not null default 0,
  revenue numeric(16, 2) not null default 0,
  avg_order_value numeric(12, 2),
  refreshed_at timestamptz,
  -- The snapshot of the last refresh: analytics changes of the transactions it saw as ended are
  -- applied; null until the first refresh and after a definition change, which refresh fully.
  applied_snapshot pg_snapshot,
  created_at timestamptz not null default now()
);

create table marketing.segment_members (
  segment_id uuid not null references marketing.segments (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  added_at timestamptz not null default now(),
  primary key (segment_id, user_id)
);
create index segment_members_user_idx on marketing.segment_members (user_id);
alter table marketing.campaigns add constraint campaigns_segment_fk
  foreign key (segment_id) references marketing.segments (id);

-- The segment language ---------------------------------------------------------------------------------
-- Fields (name -> SQL over ca, type) and operators are closed lists; values are always quoted literals.
create or replace function private.marketing_segment_field(field text, out expression text, out field_type text)
language sql immutable set search_path = '' as $$
  select f.expression, f.field_type from (values
    ('orders_count', 'ca.orders_count', 'numeric'),
    ('total_spent', 'ca.total_spent', 'numeric'),
    ('avg_order_value', 'ca.avg_order_value', 'numeric'),
    ('first_order_at', 'ca.first_order_at', 'timestamptz'),
    ('last_order_at', 'ca.last_order_at', 'timestamptz'),
    ('days_since_last_order', 'extract(day from now() - ca.last_order_at)', 'numeric'),
    ('days_since_first_order', 'extract(day from now() - ca.first_order_at)', 'numeric')
  ) f(name, expression, field_type) where f.name = field
$$;

create or replace function private.marketing_compile_segment(node jsonb, depth int default 0) returns text
language plpgsql immutable set search_path = '' as $$
#variable_conflict use_column
declare
  field record;
  op text := node ->> 'op';
  literal text;
  parts text[];
  combinator text;
begin
  if depth > 8 then
    raise exception using errcode = 'PT422', hint = 'invalid_segment', message = 'Segment conditions nest at most 8 deep.';
  end if;
  if coalesce(jsonb_typeof(node), '') <> 'object' then
    raise exception using errcode = 'PT422', hint = 'invalid_segment', message = 'Each condition is a JSON object.';
  end if;
  if node ? 'all' or node ? 'any' then
    combinator := case when node ? 'all' then 'all' else 'any' end;
    if jsonb_typeof(node -> combinator) <> 'array' or jsonb_array_length(node -> combinator) not between 1 and 50 then
      raise exception using errcode = 'PT422', hint = 'invalid_segment', message = format('%s takes 1 to 50 conditions.', combinator);
    end if;
    select array_agg(private.marketing_compile_segment(c, depth + 1)) into parts
    from jsonb_array_elements(node -> combinator) c;
    return '(' || array_to_string(parts, case when combinator = 'all' then ' and ' else ' or ' end) || ')';
  end if;
  if node ? 'not' then
    return '(not coalesce(' || private.marketing_compile_segment(node -> 'not', depth + 1) || ', false))';
  end if;
  select * into field from private.marketing_segment_field(node ->> 'field');
  if field.expression is null then
    raise exception using errcode = 'PT422', hint = 'invalid_segment_field',
      message = format('Unknown segment field %s.', coalesce(node ->> 'field', '(none)'));
  end if;
  if op in ('is_null', 'not_null') then
    return format('(%s is %s null)', field.expression, case when op = 'is_null' then '' else 'not' end);
  end if;
  if op not in ('eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'between', 'in') then
    raise exception using errcode = 'PT422', hint = 'invalid_segment_operator',
      message = format('Unknown segment operator %s.', coalesce(op, '(none)'));
  end if;
  if op in ('between', 'in') then
    if coalesce(jsonb_typeof(node -> 'value'), '') <> 'array'
       or (op = 'between' and jsonb_array_length(node -> 'value') <> 2)
       or (op = 'in' and jsonb_array_length(node -> 'value') not between 1 and 100) then
      raise exception using errcode = 'PT422', hint = 'invalid_segment_value',
        message = format('%s takes an array of %s values.', op, case when op = 'between' then 'two' else '1 to 100' end);
    end if;
    select array_agg(private.marketing_segment_literal(v, field.field_type)) into parts
    from jsonb_array_elements(node -> 'value') v;
    if op = 'between' then
      return format('(%s between %s and %s)', field.expression, parts[1], parts[2]);
    end if;
    return format('(%s in (%s))', field.expression, array_to_string(parts, ', '));
  end if;
  literal := private.marketing_segment_literal(node -> 'value', field.field_type);
  return format('(%s %s %s)', field.expression,
    case op when 'eq' then '=' when 'neq' then '<>' when 'gt' then '>' when 'gte' then '>=' when 'lt' then '<' else '<=' end,
    literal);
end;
$$;

-- A value as a typed, quoted literal; a value of the wrong type is a PT422, never a runtime cast error.
create or replace function private.marketing_segment_literal(value jsonb, field_type text) returns text
language plpgsql immutable set search_path = '' as $$
#variable_conflict use_column
begin
  if field_type = 'numeric' then
    if coalesce(jsonb_typeof(value), '') <> 'number' then
      raise exception using errcode = 'PT422', hint = 'invalid_segment_value', message = 'This field compares with numbers.';
    end if;
    return format('%L::numeric', value #>> '{}');
  end if;
  if coalesce(jsonb_typeof(value), '') <> 'string' then
    raise exception using errcode = 'PT422', hint = 'invalid_segment_value', message = 'This field compares with ISO dates.';
  end if;
  begin
    return format('%L::timestamptz', ((value #>> '{}')::timestamptz)::text);
  exception when others then
    raise exception using errcode = 'PT422', hint = 'invalid_segment_value', message = 'This field compares with ISO dates.';
  end;
end;
$$;

/* Compiles a segment definition (staff preview; also what the trigger stores). */
create or replace function marketing.compile_segment(definition jsonb) returns text
language plpgsql immutable set search_path = '' as $$
#variable_conflict use_column
begin
  if definition is null then
    raise exception using errcode = 'PT422', hint = 'invalid_segment', message = 'A segment needs a definition.';
  end if;
  return private.marketing_compile_segment(definition, 0);
end;
$$;
grant execute on function marketing.compile_segment(jsonb) to authenticated, service_role;

create or replace function private.marketing_compile_on_write() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.compiled := marketing.compile_segment(new.definition);
  if tg_op = 'UPDATE' and new.definition is distinct from old.definition then
    new.applied_snapshot := null;
  end if;
  return new;
end;
$$;
create trigger segments_compile before insert or update of definition on marketing.segments
  for each row execute function private.marketing_compile_on_write();

insert into marketing.segments (slug, name, definition, compiled, predefined) values
  ('rfm-high-value', 'High value', '{"field":"total_spent","op":"gte","value":1000}', '', true),
  ('rfm-frequent', 'Frequent', '{"field":"orders_count","op":"gte","value":5}', '', true),
  ('rfm-at-risk', 'At risk', '{"all":[{"field":"orders_count","op":"gte","value":2},{"field":"days_since_last_order","op":"gt","value":90}]}', '', true),
  ('rfm-new', 'New', '{"all":[{"field":"orders_count","op":"gte","value":1},{"field":"days_since_first_order","op":"lte","value":30}]}', '', true);

alter table marketing.customer_orders enable row level security;
alter table marketing.customer_analytics enable row level security;
alter table marketing.segments enable row level security;
alter table marketing.segment_members enable row level security;

create policy "customers read their analytics, analysts and staff all" on marketing.customer_analytics
  for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "analysts and staff read order facts" on marketing.customer_orders for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "analysts and staff read segments" on marketing.segments for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff add segments" on marketing.segments for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change segments" on marketing.segments for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff delete own segments" on marketing.segments for delete to authenticated
  using ((select private.marketing_is_staff()) and not predefined);
create policy "analysts and staff read members" on marketing.segment_members for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));

grant select on marketing.customer_orders, marketing.customer_analytics, marketing.segments,
  marketing.segment_members to authenticated;
grant insert, delete on marketing.segments to authenticated;
grant update (name, definition) on marketing.segments to authenticated;

-- Refresh -------------------------------------------------------------------------------------------

/*
  The snapshot a refresh records: the current one, with the refreshing transaction itself counted as
  running (pg_current_snapshot leaves it out of xip), so what it changes after the refresh, or in a
  later page of the same job, is re-tested by the next refresh instead of passing for seen.
*/
create or replace function private.marketing_refresh_snapshot() returns pg_snapshot
language sql volatile set search_path = '' as $$
  select case
    when own is null or own >= pg_snapshot_xmax(s) then s
    else (least(pg_snapshot_xmin(s), own)::text || ':' || pg_snapshot_xmax(s)::text || ':'
          || (select string_agg(x::text, ',' order by x)
              from (select pg_snapshot_xip(s) as x union select own) xs))::pg_snapshot
  end
  from (select pg_current_snapshot() as s, pg_current_xact_id_if_assigned() as own) v
$$;

/*
  Refreshes segment membership. Incremental (full = false): only customers whose analytics were changed
  by a transaction the last refresh's snapshot (applied_snapshot, taken before it read) did not see as
  ended are re-tested: one still running then (its rows invisible, however early its clock said it wrote
  them: it is in the snapshot's xip list) or one that began after it (at or above its xmax). Both come
  from the changed_xid index. A row re-tested twice changes nothing. Segments that share a snapshot (all
  of them, normally) are refreshed together in one statement: the changed rows are read once and tested
  against every definition, instead of once per segment. Full: every customer, segment by segment (the
  nightly run, which also catches the drift of time-relative fields such as days_since_last_order), and
  a segment never refreshed or whose definition changed. Then recomputes each fully refreshed segment's
  size, revenue and average order value. Returns the membership rows changed.
*/
create or replace function marketing.refresh_segments(full_refresh boolean default false, only_segment uuid default null)
returns bigint
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  seg record;
  batch record;
  changed bigint := 0;
  step bigint;
  horizon pg_snapshot := private.marketing_refresh_snapshot();
  refreshed_fully uuid[] := '{}';
begin
  -- Every segment of this run is locked first, in slug order, so two refreshes never cross.
  perform 1 from marketing.segments s where only_segment is null or s.id = only_segment order by s.slug for update;

  for seg in select * from marketing.segments s
             where (only_segment is null or s.id = only_segment) and (full_refresh or s.applied_snapshot is null)
             order by s.slug loop
    execute format($q$
      with scoped as (
        select ca.user_id, coalesce(%1$s, false) as member from marketing.customer_analytics ca
      ), removed as (
        delete from marketing.segment_members m using scoped s
        where m.segment_id = %2$L and m.user_id = s.user_id and not s.member
        returning 1
      ), added as (
        insert into marketing.segment_members (segment_id, user_id)
        select %2$L, s.user_id from scoped s where s.member
        on conflict do nothing
        returning 1
      )
      select (select count(*) from removed) + (select count(*) from added)$q$,
      seg.compiled, seg.id) into step;
    -- Customers without an analytics row left the data set; drop them too.
    delete from marketing.segment_members m where m.segment_id = seg.id
      and not exists (select 1 from marketing.customer_analytics ca where ca.user_id = m.user_id);
    -- The stored figures are the nightly snapshot; marketing.segment_stats() reads them live, so an
    -- incremental run costs what changed, not the size of every segment.
    update marketing.segments s
    set applied_snapshot = horizon, refreshed_at = now(),
        (member_count, revenue, avg_order_value) = (
          select count(*), coalesce(sum(ca.total_spent), 0), round(sum(ca.total_spent) / nullif(sum(ca.orders_count), 0), 2)
          from marketing.segment_members m join marketing.customer_analytics ca on ca.user_id = m.user_id
          where m.segment_id = seg.id)
    where s.id = seg.id;
    refreshed_fully := refreshed_fully || seg.id;
    changed := changed + step;
  end loop;

  if full_refresh then
    return changed;
  end if;
  for batch in select s.applied_snapshot::text as snapshot, array_agg(s.id order by s.slug) as ids,
                      string_agg(format('(%L::uuid, coalesce(%s, false))', s.id, s.compiled), ', ' order by s.slug) as tests,
                      -- Per segment, through the primary key: a join of the tested rows with the members is
                      -- planned as a hash over every member of the segments, their size on every run.
                      string_agg(format($r$, removed_%s as (
                          delete from marketing.segment_members m
                          where m.segment_id = %L
                            and m.user_id = any (array(select t.user_id from tested t where t.segment_id = %L and not t.member))
                          returning 1)$r$, n, s.id, s.id), '' order by s.slug) as removes,
                      string_agg(format('(select count(*) from removed_%s)', n), ' + ' order by s.slug) as removed
               from (select s.*, row_number() over (order by s.slug) as n from marketing.segments s
                     where (only_segment is null or s.id = only_segment) and s.id <> all (refreshed_fully)) s
               group by s.applied_snapshot::text loop
    execute format($q$
      with tested as materialized (
        select ca.user_id, t.segment_id, t.member
        from marketing.customer_analytics ca
        cross join lateral (values %1$s) as t (segment_id, member)
        where ca.changed_xid >= pg_snapshot_xmax(%2$L::pg_snapshot)
           or ca.changed_xid = any (array(select pg_snapshot_xip(%2$L::pg_snapshot)))
      )%3$s, added as (
        -- A pair already a member is found by the insert's own primary-key probe and skipped.
        insert into marketing.segment_members (segment_id, user_id)
        select t.segment_id, t.user_id from tested t where t.member
        on conflict do nothing
        returning 1
      )
      select %4$s + (select count(*) from added)$q$,
      batch.tests, batch.snapshot, batch.removes, batch.removed) into step;
    -- A refresh that waited for a concurrent one's lock stores its own, older snapshot: the next run
    -- re-tests a little more, never less.
    update marketing.segments s set applied_snapshot = horizon, refreshed_at = now() where s.id = any (batch.ids);
    changed := changed + step;
  end loop;
  return changed;
end;
$$;

/*
  The order-facts contract: [{orderId, userId, total, placedAt, status: placed|refunded|canceled}]. Upserts
  the facts (a later status replaces an earlier one) and keeps the named customers' analytics current: a new
  placed order is added to its customer's row as a delta; a customer one of whose known orders changed
  (refund, cancellation, corrected total) is recomputed from their orders. Then segment membership is
  refreshed for the changed rows. Returns the orders recorded: new ones and changed ones (a fact delivered
  again unchanged is not counted).
*/
create or replace function marketing.record_orders(orders jsonb) returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  recorded int;
  changed_customers uuid[];
begin
  if jsonb_typeof(orders) <> 'array' then
    raise exception using errcode = 'PT422', hint = 'invalid_orders', message = 'orders is a JSON array.';
  end if;
  -- One statement: the upsert of the facts, and the new placed orders added to their customers' rows as
  -- deltas. A fact that changed a known order (refund, cancellation, corrected total) marks its customer
  -- for a recompute instead; the upsert's RETURNING tells the two
  -- apart (xmax is 0 on a row this statement inserted, the updating transaction's id on one it
  -- updated), so no separate lookup of the known orders is needed. A CTE instead of a temporary table:
  -- creating one costs catalog writes on every call, a large share of a call of a thousand orders.
  with facts as (
    insert into marketing.customer_orders as o (order_id, user_id, total, placed_at, status)
    select e ->> 'orderId', (e ->> 'userId')::uuid, (e ->> 'total')::numeric, (e ->> 'placedAt')::timestamptz,
           coalesce(e ->> 'status', 'placed')
    from jsonb_array_elements(orders) e
    on conflict (order_id) do update set status = excluded.status, total = excluded.total, recorded_at = now()
      -- The same fact delivered again changes nothing and is not returned: no recompute for it.
      where (o.status, o.total) is distinct from (excluded.status, excluded.total)
    returning o.user_id, o.total, o.placed_at, o.status, o.xmax = 0 as inserted
  ), changed as (
    select distinct f.user_id from facts f where not f.inserted
  ), deltas as (
    insert into marketing.customer_analytics as ca (user_id, orders_count, total_spent, avg_order_value,
                                                    first_order_at, last_order_at, changed_at, changed_xid)
    select f.user_id, count(*), sum(f.total), round(sum(f.total) / count(*), 2), min(f.placed_at), max(f.placed_at),
           clock_timestamp(), pg_current_xact_id()
    from facts f
    where f.inserted and f.status = 'placed' and f.user_id not in (select c.user_id from changed c)
    group by f.user_id
    on conflict (user_id) do update
      set orders_count = ca.orders_count + excluded.orders_count,
          total_spent = ca.total_spent + excluded.total_spent,
          avg_order_value = round((ca.total_spent + excluded.total_spent) / (ca.orders_count + excluded.orders_count), 2),
          first_order_at = least(ca.first_order_at, excluded.first_order_at),
          last_order_at = greatest(ca.last_order_at, excluded.last_order_at),
          changed_at = excluded.changed_at, changed_xid = excluded.changed_xid
    returning 1
  )
  select (select count(*) from facts), array(select c.user_id from changed c), (select count(*) from deltas)
  into recorded, changed_customers;
  -- Customers with a known order that changed (refund, cancellation, corrected total) are recomputed from
  -- their orders, which this statement, unlike the one above, sees with the new facts.
  if cardinality(changed_customers) > 0 then
    perform marketing.recompute_customer_analytics(changed_customers);
  end if;
  perform marketing.refresh_segments(false);
  return recorded;
end;
$$;

/*
  Recomputes the analytics rows of the given customers (all when null), set-based. The customers' orders are
  found through the (user_id, placed_at) index from the unnested list; the full run reads every order once.
  A row is only written when a figure changed, so an unchanged customer keeps its changed_xid and the next
  incremental segment refresh does not re-test it.
*/
create or replace function marketing.recompute_customer_analytics(user_ids uuid[] default null) returns bigint
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  touched bigint;
begin
  with totals as (
    select o.user_id, count(*) filter (where o.status = 'placed') as orders_count,
           coalesce(sum(o.total) filter (where o.status = 'placed'), 0) as total_spent,
           min(o.placed_at) filter (where o.status = 'placed') as first_order_at,
           max(o.placed_at) filter (where o.status = 'placed') as last_order_at
    from marketing.customer_orders o
    where user_ids is null
    group by o.user_id
    union all
    -- Per customer through the index (a lateral aggregate): a plain join of 1,000 ids to a million
    -- orders is planned as a hash join over every order.
    select u.id, t.*
    from (select distinct unnest(user_ids) as id) u
    cross join lateral (
      select count(*) filter (where o.status = 'placed'), coalesce(sum(o.total) filter (where o.status = 'placed'), 0),
             min(o.placed_at) filter (where o.status = 'placed'), max(o.placed_at) filter (where o.status = 'placed')
      from marketing.customer_orders o where o.user_id = u.id
    ) t
    where user_ids is not null and exists (select 1 from marketing.customer_orders o where o.user_id = u.id)
  ), written as (
    insert into marketing.customer_analytics as ca (user_id, orders_count, total_spent, avg_order_value,
                                                    first_order_at, last_order_at, changed_at, changed_xid)
    select t.user_id, t.orders_count, t.total_spent, round(t.total_spent / nullif(t.orders_count, 0), 2),
           t.first_order_at, t.last_order_at, clock_timestamp(), pg_current_xact_id()
    from totals t
    on conflict (user_id) do update
      set orders_count = excluded.orders_count, total_spent = excluded.total_spent,
          avg_order_value = excluded.avg_order_value, first_order_at = excluded.first_order_at,
          last_order_at = excluded.last_order_at, changed_at = excluded.changed_at, changed_xid = excluded.changed_xid
      where (ca.orders_count, ca.total_spent, ca.first_order_at, ca.last_order_at)
            is distinct from (excluded.orders_count, excluded.total_spent, excluded.first_order_at, excluded.last_order_at)
    returning 1
  )
  select count(*) from written into touched;
  return touched;
end;
$$;

/* Segment size, revenue and average order value as of now (analysts and marketing staff). */
create or replace function marketing.segment_stats() returns jsonb
language plpgsql stable set search_path = '' as $$
#variable_conflict use_column
begin
  perform private.require_any_role(array['admin', 'marketing', 'analyst']);
  return coalesce((select jsonb_agg(jsonb_build_object('id', s.id, 'slug', s.slug, 'name', s.name, 'predefined', s.predefined,
                                                       'size', f.size, 'revenue', f.revenue,
                                                       'averageOrderValue', f.aov, 'refreshedAt', s.refreshed_at)
                                    order by s.slug)
                   from marketing.segments s
                   cross join lateral (
                     select count(*)::int as size, coalesce(sum(ca.total_spent), 0) as revenue,
                            round(sum(ca.total_spent) / nullif(sum(ca.orders_count), 0), 2) as aov
                     from marketing.segment_members m join marketing.customer_analytics ca on ca.user_id = m.user_id
                     where m.segment_id = s.id) f), '[]'::jsonb);
end;
$$;
grant execute on function marketing.segment_stats() to authenticated, service_role;

select cron.schedule('marketing-segments-incremental', '*/5 * * * *',
  $$select private.run_job('marketing-segments-incremental', 'select marketing.refresh_segments(false)')$$);
select cron.schedule('marketing-segments-full', '23 3 * * *',
  $$select private.run_job('marketing-segments-full', 'select marketing.refresh_segments(true)')$$);

-- Service-role access for the marketing function and pipelines, and the RPCs it calls.
grant all on all tables in schema marketing to service_role;
grant usage on all sequences in schema marketing to service_role;
grant execute on all functions in schema marketing to service_role;
grant execute on function private.marketing_lock_account(uuid), private.marketing_backoff(int), private.marketing_judge(uuid[]),
  private.marketing_condition_holds(jsonb, jsonb), private.marketing_compile_segment(jsonb, int),
  private.marketing_segment_field(text), private.marketing_segment_literal(jsonb, text),
  private.marketing_tick(), private.marketing_wake_sender(), private.marketing_refresh_snapshot() to service_role;
-- Staff preview segments through compile_segment, which runs the compiler as the caller.
grant execute on function private.marketing_compile_segment(jsonb, int), private.marketing_segment_field(text),
  private.marketing_segment_literal(jsonb, text) to authenticated;

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.customer_orders is 'Order facts delivered through marketing.record_orders.';
comment on column marketing.customer_orders.order_id is 'The order''s id in its module.';
comment on column marketing.customer_orders.user_id is 'Customer.';
comment on column marketing.customer_orders.total is 'Order total.';
comment on column marketing.customer_orders.placed_at is 'When it was placed.';
comment on column marketing.customer_orders.status is 'placed, refunded or canceled (only placed orders count).';
comment on column marketing.customer_orders.recorded_at is 'When the fact last arrived.';
comment on table marketing.customer_analytics is 'Per-customer order analytics that segments are defined over.';
comment on column marketing.customer_analytics.user_id is 'Customer.';
comment on column marketing.customer_analytics.orders_count is 'Placed orders.';
comment on column marketing.customer_analytics.total_spent is 'Sum of placed orders.';
comment on column marketing.customer_analytics.avg_order_value is 'total_spent / orders_count.';
comment on column marketing.customer_analytics.first_order_at is 'First placed order.';
comment on column marketing.customer_analytics.last_order_at is 'Last placed order.';
comment on column marketing.customer_analytics.changed_at is 'Last change.';
comment on column marketing.customer_analytics.changed_xid is 'Transaction of the last change (incremental segment refresh reads this).';
comment on table marketing.segments is 'A segment: a definition over customer analytics, compiled to a predicate.';
comment on column marketing.segments.id is 'Primary key.';
comment on column marketing.segments.slug is 'Stable name.';
comment on column marketing.segments.name is 'Name staff see.';
comment on column marketing.segments.definition is 'JSON tree of conditions over the allowed fields.';
comment on column marketing.segments.compiled is 'The compiler''s predicate (always set by the trigger).';
comment on column marketing.segments.predefined is 'A built-in RFM segment.';
comment on column marketing.segments.member_count is 'Members at the last full refresh.';
comment on column marketing.segments.revenue is 'Members'' total spent at the last full refresh.';
comment on column marketing.segments.avg_order_value is 'Members'' average order value at the last full refresh.';
comment on column marketing.segments.refreshed_at is 'Last refresh.';
comment on column marketing.segments.applied_snapshot is 'Snapshot of the last refresh: changes of transactions it saw as ended are applied; null: refresh fully.';
comment on column marketing.segments.created_at is 'When the row was created.';
comment on table marketing.segment_members is 'Membership of customers in segments.';
comment on column marketing.segment_members.segment_id is 'Segment.';
comment on column marketing.segment_members.user_id is 'Customer.';
comment on column marketing.segment_members.added_at is 'When they joined.';
comment on function marketing.compile_segment(jsonb) is 'Compiles a segment definition to SQL over the allowed fields; anything else is PT422.';
comment on function marketing.recompute_customer_analytics(uuid[]) is 'Recomputes customer analytics rows from order facts (all when null).';
comment on function marketing.record_orders(jsonb) is 'The order-facts contract: upserts facts, adds new orders to analytics (recomputes changed ones), refreshes segments.';
comment on function private.marketing_refresh_snapshot() is 'The snapshot a segment refresh records, its own transaction counted as running.';
comment on function marketing.refresh_segments(boolean, uuid) is 'Refreshes segment membership, incrementally or fully.';
comment on function marketing.segment_stats() is 'Segment size, revenue and average order value, as of now.';
