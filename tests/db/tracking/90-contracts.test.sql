-- Tracking's published contract (engagement signals leads scores on). It reads tracking.events and
-- tracking.sessions, so renaming either (or the columns it uses) fails these assertions here.
begin;
select plan(4);

select has_function('tracking', 'session_engagement', array['uuid[]'], 'tracking publishes session_engagement(uuid[])');

select set_config('test.visit', gen_random_uuid()::text, true), set_config('test.earlier', gen_random_uuid()::text, true),
       set_config('test.unknown', gen_random_uuid()::text, true);
insert into tracking.sessions (id, visitor_id)
values (current_setting('test.visit')::uuid, 'contract-visitor'), (current_setting('test.earlier')::uuid, 'contract-visitor');
insert into tracking.events (id, session_id, type, occurred_at)
select gen_random_uuid(), current_setting('test.visit')::uuid, t, now()
from unnest(array['page_view', 'page_view', 'page_view', 'click', 'selection']) t;
select results_eq(
  format($$select session_id, pages, return_visits from tracking.session_engagement(array[%L, %L, %L]::uuid[])
           order by pages desc, return_visits desc$$,
         current_setting('test.visit'), current_setting('test.unknown'), current_setting('test.visit')),
  format($$values (%L::uuid, 3, 1), (%L::uuid, 0, 0)$$, current_setting('test.visit'), current_setting('test.unknown')),
  'page views count only page_view events; return visits are the visitor''s other sessions; unknown sessions are zeros');
select is((select count(*)::int from tracking.session_engagement('{}')), 0, 'no sessions, no rows');

set local role anon;
select throws_ok($$select * from tracking.session_engagement(array[gen_random_uuid()])$$, '42501', null,
  'browsers cannot read engagement through the contract');
reset role;

select * from finish();
rollback;
