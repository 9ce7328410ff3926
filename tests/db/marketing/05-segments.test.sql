-- Segments: the compiler admits only listed fields, operators and typed values (PT422 otherwise, never
-- executed); the order-facts contract keeps customer analytics current; membership refreshes
-- incrementally and fully; predefined RFM segments; stats; RLS.
begin;
select plan(30);

select tests.create_supabase_user('seg_big', 'seg-big@test.local');
select tests.create_supabase_user('seg_often', 'seg-often@test.local');
select tests.create_supabase_user('seg_lapsed', 'seg-lapsed@test.local');
select tests.create_supabase_user('seg_analyst', 'seg-analyst@test.local', 'analyst');
select tests.create_supabase_user('seg_staff', 'seg-staff@test.local', 'marketing');
select tests.create_supabase_user('seg_customer', 'seg-customer@test.local');

-- The compiler ------------------------------------------------------------------------------------------
select is(marketing.compile_segment('{"field":"total_spent","op":"gte","value":100}'), '(ca.total_spent >= ''100''::numeric)',
  'a condition compiles to a quoted, typed literal');
select is(marketing.compile_segment('{"all":[{"field":"orders_count","op":"between","value":[2,5]},{"not":{"field":"last_order_at","op":"is_null"}}]}'),
  '((ca.orders_count between ''2''::numeric and ''5''::numeric) and (not coalesce((ca.last_order_at is  null), false)))',
  'all / not / between / is_null compile');
select throws_ok($$select marketing.compile_segment('{"field":"email","op":"eq","value":"x"}')$$, 'PT422',
  'Unknown segment field email.', 'a field outside the list is refused');
select throws_ok($$select marketing.compile_segment('{"field":"total_spent; drop table marketing.segments; --","op":"eq","value":1}')$$,
  'PT422', null, 'an injected field name is just an unknown field');
select throws_ok($$select marketing.compile_segment('{"field":"total_spent","op":"like","value":1}')$$, 'PT422',
  'Unknown segment operator like.', 'an operator outside the list is refused');
select throws_ok($$select marketing.compile_segment('{"field":"total_spent","op":"eq","value":"1 or true"}')$$, 'PT422',
  'This field compares with numbers.', 'a value of the wrong type is refused');
select throws_ok($$select marketing.compile_segment('{"field":"first_order_at","op":"gt","value":"not a date"}')$$, 'PT422',
  'This field compares with ISO dates.', 'a bad date is refused');
select throws_ok($$select marketing.compile_segment('{"any":[]}')$$, 'PT422', null, 'an empty group is refused');
select throws_ok($$insert into marketing.segments (slug, name, definition, compiled) values ('bad', 'Bad', '{"field":"user_id","op":"eq","value":1}', '')$$,
  'PT422', null, 'a segment cannot be saved with a field outside the list');

-- Order facts and analytics ---------------------------------------------------------------------------
create temporary table u as select tests.get_supabase_uid('seg_big') as big, tests.get_supabase_uid('seg_often') as often,
  tests.get_supabase_uid('seg_lapsed') as lapsed;
select is(marketing.record_orders((select jsonb_agg(o) from (
  select jsonb_build_object('orderId', 'seg-big-1', 'userId', big, 'total', 1500, 'placedAt', now() - interval '3 days') o from u
  union all select jsonb_build_object('orderId', 'seg-often-' || n, 'userId', often, 'total', 20, 'placedAt', now() - make_interval(days => n * 10))
  from u, generate_series(1, 6) n
  union all select jsonb_build_object('orderId', 'seg-lapsed-' || n, 'userId', lapsed, 'total', 60, 'placedAt', now() - make_interval(days => 100 + n))
  from u, generate_series(1, 2) n) x)), 9, 'order facts for three customers are recorded');
select results_eq($$select orders_count, total_spent, avg_order_value from marketing.customer_analytics where user_id = (select often from u)$$,
  $$values (6, 120.00::numeric, 20.00::numeric)$$, 'the analytics row has orders, total spent and average order value');
select is((select last_order_at::date from marketing.customer_analytics where user_id = (select often from u)), (now() - interval '10 days')::date,
  'and the last order');
select is(marketing.record_orders((select jsonb_agg(jsonb_build_object('orderId', 'seg-often-' || n, 'userId', often, 'total', 20,
  'placedAt', now() - make_interval(days => n * 10))) from u, generate_series(1, 6) n)), 0,
  'the same facts delivered again record nothing');
select results_eq($$select orders_count, total_spent from marketing.customer_analytics where user_id = (select often from u)$$,
  $$values (6, 120.00::numeric)$$, 'and leave the analytics row as it was');

create temporary view members as
select s.slug, m.user_id from marketing.segment_members m join marketing.segments s on s.id = m.segment_id
where m.user_id in (select big from u union select often from u union select lapsed from u);
select results_eq($$select slug from members where user_id = (select big from u) order by slug$$,
  $$values ('rfm-high-value'::text), ('rfm-new')$$, 'the big spender is high value and new');
select results_eq($$select slug from members where user_id = (select often from u) order by slug$$,
  $$values ('rfm-frequent'::text)$$, 'six orders make a frequent customer');
select results_eq($$select slug from members where user_id = (select lapsed from u) order by slug$$,
  $$values ('rfm-at-risk'::text)$$, 'two orders, the last over 90 days ago, is at risk');

-- A refund moves the big spender out of high value on the order event (incremental).
select marketing.record_orders(jsonb_build_array(jsonb_build_object('orderId', 'seg-big-1', 'userId', (select big from u),
  'total', 1500, 'placedAt', now() - interval '3 days', 'status', 'refunded')));
select is_empty($$select 1 from members where user_id = (select big from u)$$, 'a refunded order leaves the segments at once');
select is((select orders_count from marketing.customer_analytics where user_id = (select big from u)), 0, 'and the analytics row');
select marketing.record_orders(jsonb_build_array(jsonb_build_object('orderId', 'seg-big-2', 'userId', (select big from u),
  'total', 30, 'placedAt', now() - interval '1 day')));
select results_eq($$select orders_count, total_spent, avg_order_value, last_order_at::date from marketing.customer_analytics
                    where user_id = (select big from u)$$,
  $$values (1, 30.00::numeric, 30.00::numeric, (now() - interval '1 day')::date)$$,
  'a new order is added to the analytics row as a delta');

-- Incremental refresh tests only changed rows; a full refresh catches time drift. The row is stamped as
-- last changed by a transaction long ended (everything else here is this transaction's, which counts
-- as changed until it ends), and its dates drift without a change.
update marketing.customer_analytics set last_order_at = now() - interval '200 days', first_order_at = now() - interval '400 days',
  changed_xid = '3'::xid8
where user_id = (select often from u);
select marketing.refresh_segments(false);
select is_empty($$select 1 from members where user_id = (select often from u) and slug = 'rfm-at-risk'$$,
  'an incremental refresh does not re-test unchanged rows');
select marketing.refresh_segments(true);
select isnt_empty($$select 1 from members where user_id = (select often from u) and slug = 'rfm-at-risk'$$,
  'the full refresh does');

-- Stats and RLS --------------------------------------------------------------------------------------------
select tests.authenticate_as('seg_analyst');
select cmp_ok((select (s ->> 'size')::int from jsonb_array_elements(marketing.segment_stats()) s where s ->> 'slug' = 'rfm-frequent'), '>=', 1,
  'analysts read segment sizes');
select is_empty($$update marketing.segments set name = 'x' returning 1$$, 'analysts change no segments');
select tests.authenticate_as('seg_staff');
select results_eq($$insert into marketing.segments (slug, name, definition, compiled) values ('seg-staff', 'Staff', '{"field":"orders_count","op":"gte","value":3}', 'true') returning compiled$$,
  $$values ('(ca.orders_count >= ''3''::numeric)'::text)$$, 'marketing staff create segments; the stored predicate is always the compiler''s');
select tests.authenticate_as('seg_customer');
select throws_ok($$select marketing.segment_stats()$$, 'PT403', null, 'customers read no segment stats');
select is_empty($$select * from marketing.segment_members$$, 'customers read no memberships');
select tests.clear_authentication();

-- One refresh, two paths: the new segment (never refreshed) is filled fully, the predefined ones take only the
-- changed rows. The lapsed customer orders three more times; the frequent one does not change (its row was
-- last changed by a transaction long ended), so only a full refresh of the new segment can add it.
select marketing.record_orders((select jsonb_agg(jsonb_build_object('orderId', 'seg-lapsed-new-' || n, 'userId', lapsed,
  'total', 40, 'placedAt', now() - make_interval(days => n))) from u, generate_series(1, 3) n));
select results_eq($$select slug from members where user_id = (select lapsed from u) order by slug$$,
  $$values ('rfm-frequent'::text), ('seg-staff')$$,
  'five orders, the last this week: frequent, no longer at risk, and in the new segment');
select isnt_empty($$select 1 from members where user_id = (select often from u) and slug = 'seg-staff'$$,
  'the new segment was filled fully, unchanged customers included');
select is((select count(*)::int from marketing.segments where applied_snapshot is null), 0,
  'every segment records the snapshot it applied');

select * from finish();
rollback;
