-- The hot-lead feed (leads.hot_feed), the contract marketing nurtures through: status changes to hot
-- after a cursor, with the lead as it is now; only the service role reads it. (Events of this test's own
-- open transaction are not final yet, so the feed's snapshot rule is shown by their absence.)
begin;
select plan(7);

create temporary table lead as
select (leads.capture('{"kind":"consumer","email":"feed@hot.test","zip":"77002","usageKwh":900,"consent":true}') ->> 'id')::uuid as id;
update leads.leads set status = 'hot' where id = (select id from lead) and status <> 'hot';
grant select on lead to anon, authenticated, service_role;

select isnt_empty($$select 1 from leads.events where lead_id = (select id from lead) and type = 'status_changed' and to_value = 'hot'
  and tx_id = pg_current_xact_id()$$, 'becoming hot writes a status change stamped with its transaction');
select is_empty($$select 1 from leads.hot_feed(0, 0, 5000) where lead_id = (select id from lead)$$,
  'an event of a transaction still running is not served yet (it is not final)');
select ok((select bool_and(f.tx < (pg_snapshot_xmin(pg_current_snapshot())::text)::bigint) from leads.hot_feed(0, 0, 5000) f),
  'everything served comes from transactions older than every running one');
select throws_ok($$select * from leads.hot_feed(0, 0, 0)$$, 'PT422', null, 'max_rows is checked');

select tests.authenticate_as_anon();
select throws_ok($$select * from leads.hot_feed()$$, '42501', null, 'anon cannot read the feed');
select tests.create_supabase_user('hot_feed_admin', null, 'admin');
select tests.authenticate_as('hot_feed_admin');
select throws_ok($$select * from leads.hot_feed()$$, '42501', null, 'nor can staff through the Data API');
select tests.authenticate_as_service_role();
select lives_ok($$select * from leads.hot_feed(0, 0, 10)$$, 'the service role reads it');
select tests.clear_authentication();

select * from finish();
rollback;
