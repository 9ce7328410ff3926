-- Feed cursors belong to the jobs (the owner): admins read them, nobody moves them; anon, customers and
-- the service role read nothing.
begin;
select plan(7);

insert into private.marketing_feed_cursors (consumer, tx, event_id) values ('test-consumer', 5, 7);
select tests.create_supabase_user('cursor_admin', null, 'admin');
select tests.create_supabase_user('cursor_customer');

select tests.authenticate_as_anon();
select throws_ok($$select * from private.marketing_feed_cursors$$, '42501', null, 'anon cannot read cursors');
select tests.authenticate_as('cursor_customer');
select is_empty($$select * from private.marketing_feed_cursors$$, 'a customer reads none');
select tests.authenticate_as('cursor_admin');
select results_eq($$select tx from private.marketing_feed_cursors where consumer = 'test-consumer'$$,
  $$values (5::bigint)$$, 'an admin reads how far a consumer is');
select throws_ok($$update private.marketing_feed_cursors set tx = 0$$, '42501', null, 'but moves none');
select tests.authenticate_as_service_role();
select throws_ok($$select * from private.marketing_feed_cursors$$, '42501', null, 'nor does the service role');
select tests.clear_authentication();
select results_eq($$select tx, event_id from private.marketing_feed_cursors where consumer = 'test-consumer'$$,
  $$values (5::bigint, 7::bigint)$$, 'the owner (the jobs) reads it');
select throws_ok($$insert into private.marketing_feed_cursors (consumer) values ('Bad Name')$$, '23514', null,
  'consumer names are checked');

select * from finish();
rollback;
