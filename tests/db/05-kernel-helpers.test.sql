-- The kernel's refusal helpers raise PostgREST's PT4xx SQLSTATEs with the machine code in HINT.
begin;
select plan(7);

select lives_ok($$ select private.require_window('2026-01-01', '2026-01-02') $$, 'a one-day window passes');
select throws_ok($$ select private.require_window('2026-01-02', '2026-01-01') $$, 'PT422', 'from must be before to.',
  'an inverted window is PT422');
select throws_ok($$ select private.require_window('2025-01-01', '2026-03-01') $$, 'PT422',
  'The window may span at most 400 days.', 'a window over 400 days is PT422');

set local role anon;
set local request.jwt.claims = '{"role":"anon"}';
select throws_ok($$ select private.require_any_role(array['admin']) $$, 'PT401', 'Sign in first.',
  'anon is told to sign in');
set local request.jwt.claims = '{"role":"authenticated","sub":"00000000-0000-0000-0000-00000000000a","user_role":"sales"}';
set local role authenticated;
select throws_ok($$ select private.require_any_role(array['admin', 'analyst']) $$, 'PT403',
  'This needs one of the roles admin, analyst.', 'a sales rep is refused an analyst call');
select lives_ok($$ select private.require_any_role(array['admin', 'sales']) $$, 'a sales rep passes a sales check');
set local request.jwt.claims = '{"role":"service_role"}';
set local role service_role;
select lives_ok($$ select private.require_any_role(array['admin']) $$, 'the service role passes every check');

select * from finish();
rollback;
