-- ops.ip_blocks: admins read every block and lift one (only lifted_at / lifted_by, as themselves);
-- other staff, customers and anon read nothing and change nothing; the service role records blocks.
begin;
select plan(16);

select tests.create_supabase_user('ipb_admin', 'ipb-admin@example.com', 'admin');
select tests.create_supabase_user('ipb_analyst', 'ipb-analyst@example.com', 'analyst');
select tests.create_supabase_user('ipb_customer', 'ipb-customer@example.com');

select tests.authenticate_as_service_role();
select lives_ok($$
  insert into ops.ip_blocks (ip, reason, failures, blocked_until) values
    ('203.0.113.7', 'status_422', 50, now() + interval '1 hour'),
    ('203.0.113.8', 'spam_detected', 50, now() + interval '1 hour')$$,
  'the service role records blocks');
select tests.clear_authentication();

select throws_ok($$insert into ops.ip_blocks (ip, reason, failures, blocked_at, blocked_until)
  values ('203.0.113.9', 'status_401', 50, now(), now() - interval '1 second')$$, '23514', null,
  'a block must end after it starts');
select throws_ok($$insert into ops.ip_blocks (ip, reason, failures, blocked_until)
  values ('203.0.113.9', 'status_401', 0, now() + interval '1 hour')$$, '23514', null,
  'a block records at least one failure');

select tests.authenticate_as('ipb_admin');
select is((select count(*)::int from ops.ip_blocks where ip in ('203.0.113.7', '203.0.113.8')), 2,
  'admins read every block');
with lifted as (
  update ops.ip_blocks set lifted_at = now(), lifted_by = auth.uid()
    where ip = '203.0.113.7' and lifted_at is null returning 1)
select is(count(*)::int, 1, 'an admin lifts a block (one row changed)') from lifted;
select throws_ok($$update ops.ip_blocks set lifted_at = now(), lifted_by = tests.get_supabase_uid('ipb_analyst')
  where ip = '203.0.113.8'$$, '42501', null, 'an admin cannot record someone else as the lifter');
select throws_ok($$update ops.ip_blocks set blocked_until = now() + interval '9 days' where ip = '203.0.113.8'$$,
  '42501', null, 'admins may change only lifted_at and lifted_by');
select throws_ok($$delete from ops.ip_blocks$$, '42501', null, 'admins cannot delete the record');
select throws_ok($$insert into ops.ip_blocks (ip, reason, failures, blocked_until)
  values ('198.51.100.1', 'status_401', 50, now() + interval '1 hour')$$, '42501', null,
  'admins cannot invent blocks');

select tests.authenticate_as('ipb_analyst');
select is_empty($$select * from ops.ip_blocks$$, 'other staff read no blocks');
with lifted as (
  update ops.ip_blocks set lifted_at = now(), lifted_by = auth.uid() where ip = '203.0.113.8' returning 1)
select is(count(*)::int, 0, 'other staff lift nothing (no row changed)') from lifted;

select tests.authenticate_as('ipb_customer');
select is_empty($$select * from ops.ip_blocks$$, 'customers read no blocks');
with lifted as (
  update ops.ip_blocks set lifted_at = now(), lifted_by = auth.uid() where ip = '203.0.113.8' returning 1)
select is(count(*)::int, 0, 'customers lift nothing (no row changed)') from lifted;

select tests.authenticate_as_anon();
select throws_ok($$select * from ops.ip_blocks$$, '42501', null, 'anon cannot read blocks at all');
select tests.clear_authentication();

select is((select lifted_at is null from ops.ip_blocks where ip = '203.0.113.8'), true,
  'the block nobody allowed to lift is still in place');
select is((select lifted_by from ops.ip_blocks where ip = '203.0.113.7'), tests.get_supabase_uid('ipb_admin'),
  'the lift records the admin who lifted it');

select * from finish();
rollback;
