-- Search's published contract (what leads may read of the query log). It reads search.queries, so
-- renaming the table or its session_id column fails these assertions here.
begin;
select plan(4);

select has_function('search', 'session_searches', array['uuid[]'], 'search publishes session_searches(uuid[])');

select set_config('test.searcher', gen_random_uuid()::text, true), set_config('test.idle', gen_random_uuid()::text, true);
insert into search.queries (session_id, query, normalized, result_count)
select current_setting('test.searcher')::uuid, 'fixed rate', 'fixed rate', 4 from generate_series(1, 3);
insert into search.queries (session_id, query, normalized, result_count) values (null, 'anonymous', 'anonymous', 1);
select results_eq(
  format($$select session_id, searches from search.session_searches(array[%L, %L, %L]::uuid[]) order by searches desc$$,
         current_setting('test.searcher'), current_setting('test.idle'), current_setting('test.searcher')),
  format($$values (%L::uuid, 3), (%L::uuid, 0)$$, current_setting('test.searcher'), current_setting('test.idle')),
  'session_searches counts each distinct session''s searches, 0 for a session that searched nothing');
select is((select count(*)::int from search.session_searches('{}')), 0, 'no sessions, no rows');

set local role authenticated;
select throws_ok($$select * from search.session_searches(array[gen_random_uuid()])$$, '42501', null,
  'browsers cannot read the query log through the contract');
reset role;

select * from finish();
rollback;
