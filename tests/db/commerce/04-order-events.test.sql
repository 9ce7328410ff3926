-- Order status changes are broadcast from the transaction that makes them, on the private topics
-- commerce:orders (staff who read orders) and commerce:order:<id> (the customer who placed it); a
-- change that rolls back is never sent. RLS on realtime.messages, allowed and denied.
begin;
select plan(13);

create function pg_temp.checkout_for(identifier text) returns void language sql as $$
  select set_config('role', 'service_role', true),
         set_config('request.jwt.claims', (tests.user_claims(identifier) || '{"role": "service_role"}')::text, true)
$$;
grant execute on function pg_temp.checkout_for(text) to public;

select tests.create_supabase_user('oe_admin', null, 'admin');
select tests.create_supabase_user('oe_analyst', null, 'analyst');
select tests.create_supabase_user('oe_support', null, 'support');
select tests.create_supabase_user('oe_alice');
select tests.create_supabase_user('oe_bob');
update auth.users set email_confirmed_at = now() where raw_user_meta_data ->> 'test_identifier' in ('oe_alice', 'oe_bob');

select pg_temp.checkout_for('oe_alice');
select (commerce.checkout('[{"sku": "THERM-BASIC", "quantity": 1}]', 'stripe') ->> 'orderId') as order_id \gset
select tests.clear_authentication();
select set_config('test.order_topic', 'commerce:order:' || :'order_id', true);

select is((select count(*)::int from realtime.messages where topic = current_setting('test.order_topic')), 0,
  'a new order broadcasts nothing (only status changes are sent)');

-- A change that rolls back leaves no message behind.
savepoint before_cancel;
update commerce.orders set status = 'canceled' where id = :'order_id';
select is((select count(*)::int from realtime.messages where topic = 'commerce:orders' and payload ->> 'orderId' = :'order_id'), 1,
  'inside the transaction the change is queued on commerce:orders');
rollback to savepoint before_cancel;
select is((select count(*)::int from realtime.messages where payload ->> 'orderId' = :'order_id'), 0,
  'a status change that rolled back was never sent');

update commerce.payments set status = 'succeeded', captured_minor = amount_minor where order_id = :'order_id';
update commerce.orders set status = 'paid' where id = :'order_id';
select results_eq(
  format($$select event, private, payload ->> 'status', payload ->> 'previousStatus' from realtime.messages
           where topic = 'commerce:orders' and payload ->> 'orderId' = %L$$, :'order_id'),
  $$values ('order_status_changed'::text, true, 'paid'::text, 'pending_payment'::text)$$,
  'paying the order broadcasts its new and previous status on commerce:orders, privately');
select is((select count(*)::int from realtime.messages where topic = current_setting('test.order_topic')), 1,
  'and once on the order''s own topic');
update commerce.orders set updated_at = now() where id = :'order_id';
select is((select count(*)::int from realtime.messages where topic = current_setting('test.order_topic')), 1,
  'an update that leaves the status alone broadcasts nothing');

-- Staff who read orders receive commerce:orders.
select tests.authenticate_as('oe_support');
select set_config('realtime.topic', 'commerce:orders', true);
select isnt_empty($$select 1 from realtime.messages where topic = 'commerce:orders'$$, 'support receives commerce:orders');
select tests.authenticate_as('oe_analyst');
select set_config('realtime.topic', 'commerce:orders', true);
select isnt_empty($$select 1 from realtime.messages where topic = 'commerce:orders'$$, 'analysts receive commerce:orders');

-- Customers do not; they receive their own order's topic only.
select tests.authenticate_as('oe_alice');
select set_config('realtime.topic', 'commerce:orders', true);
select is_empty($$select 1 from realtime.messages where topic = 'commerce:orders'$$, 'a customer does not receive commerce:orders');
select set_config('realtime.topic', current_setting('test.order_topic'), true);
select isnt_empty($$select 1 from realtime.messages where topic = current_setting('test.order_topic')$$,
  'the customer receives her own order''s topic');
select tests.authenticate_as('oe_bob');
select set_config('realtime.topic', current_setting('test.order_topic'), true);
select is_empty($$select 1 from realtime.messages where topic = current_setting('test.order_topic')$$,
  'another customer does not receive that order''s topic');
select set_config('realtime.topic', 'commerce:order:not-a-uuid', true);
select is_empty($$select 1 from realtime.messages where topic = 'commerce:order:not-a-uuid'$$,
  'a malformed order topic matches nothing (and raises nothing)');

select tests.authenticate_as_anon();
select set_config('realtime.topic', 'commerce:orders', true);
select is_empty($$select 1 from realtime.messages where topic = 'commerce:orders'$$, 'anon receives nothing');

select * from finish();
rollback;
