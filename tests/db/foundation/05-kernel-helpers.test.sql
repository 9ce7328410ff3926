-- The kernel's refusal helpers: every module's RPCs call them, so their PT4xx answers are the
-- error convention the Data API and the functions kernel turn into 401/403/422.
begin;
select plan(14);

select tests.create_supabase_user('kernel_analyst', null, 'analyst');
select tests.create_supabase_user('kernel_customer');

-- private.require_any_role ---------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select private.require_any_role(array['admin'])$$, 'PT401', 'Sign in first.',
  'anonymous callers are told to sign in (PT401)');
select tests.authenticate_as('kernel_customer');
select throws_ok($$select private.require_any_role(array['admin', 'analyst'])$$, 'PT403',
  'This needs one of the roles admin, analyst.', 'a signed-in caller without the role is refused (PT403)');
select tests.authenticate_as('kernel_analyst');
select lives_ok($$select private.require_any_role(array['admin', 'analyst'])$$, 'a listed role passes');
select throws_ok($$select private.require_any_role(array['admin'])$$, 'PT403', null, 'an unlisted staff role is refused');
select throws_ok($$select private.require_any_role('{}')$$, 'PT403', null, 'an empty list admits no user');
select tests.authenticate_as_service_role();
select lives_ok($$select private.require_any_role(array['admin'])$$, 'service_role (pipelines) always passes');
select tests.clear_authentication();

-- The machine code rides in HINT, where the kernel and PostgREST read it.
create function pg_temp.refusal_hint(statement text) returns text language plpgsql as $f$
declare
  refusal_hint text;
begin
  execute statement;
  return null;
exception when others then
  get stacked diagnostics refusal_hint = pg_exception_hint;
  return refusal_hint;
end;
$f$;
select set_config('request.jwt.claims', tests.user_claims('kernel_customer')::text, true);
select is(pg_temp.refusal_hint($$select private.require_any_role(array['admin'])$$), 'forbidden',
  'a refused role carries the hint forbidden');
select set_config('request.jwt.claims', '{"role":"anon"}', true);
select is(pg_temp.refusal_hint($$select private.require_any_role(array['admin'])$$), 'unauthorized',
  'a missing sign-in carries the hint unauthorized');
select is(pg_temp.refusal_hint($$select private.require_window(null, now())$$), 'invalid_window',
  'a refused window carries the hint invalid_window');
select tests.clear_authentication();

-- private.require_window -------------------------------------------------------------------------------
select lives_ok($$select private.require_window(now() - interval '1 day', now())$$, 'a one-day window passes');
select lives_ok($$select private.require_window(now() - interval '400 days', now())$$, '400 days is the limit, inclusive');
select throws_ok($$select private.require_window(now(), now())$$, 'PT422', 'from must be before to.',
  'an empty window is refused (PT422)');
select throws_ok($$select private.require_window(now(), now() - interval '1 hour')$$, 'PT422', null,
  'a reversed window is refused');
select throws_ok($$select private.require_window(now() - interval '401 days', now())$$, 'PT422',
  'The window may span at most 400 days.', 'a window over 400 days is refused');

select * from finish();
rollback;
