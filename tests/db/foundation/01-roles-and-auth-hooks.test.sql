-- RBAC through the custom access token hook, role helpers, and account lockout through the
-- password verification hook.
begin;
select plan(22);

select tests.create_supabase_user('hook_admin', null, 'admin');
select tests.create_supabase_user('hook_customer');
select tests.create_supabase_user('hook_other');

-- custom_access_token_hook
select is(
  public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_supabase_uid('hook_admin'),
    'claims', '{"role":"authenticated","aud":"authenticated"}'::jsonb)) -> 'claims' ->> 'user_role',
  'admin', 'the hook adds user_role for staff');
select is(
  public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_supabase_uid('hook_customer'),
    'claims', '{"role":"authenticated","aud":"authenticated"}'::jsonb)) -> 'claims' -> 'user_role',
  'null'::jsonb, 'the hook sets user_role null for customers');
select is(
  public.custom_access_token_hook(jsonb_build_object('user_id', tests.get_supabase_uid('hook_admin'),
    'claims', '{"role":"authenticated","aud":"authenticated","sub":"x"}'::jsonb)) -> 'claims' ->> 'aud',
  'authenticated', 'the hook keeps the other claims');
select ok(has_function_privilege('supabase_auth_admin', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'supabase_auth_admin may run the access token hook');
select ok(not has_function_privilege('authenticated', 'public.custom_access_token_hook(jsonb)', 'execute'),
  'authenticated may not run the access token hook');
select ok(not has_function_privilege('anon', 'public.hook_password_verification_attempt(jsonb)', 'execute'),
  'anon may not run the password hook');

-- has_role / has_any_role
select tests.authenticate_as('hook_admin');
select ok((select private.has_role('admin')), 'has_role(admin) is true for an admin token');
select ok(not (select private.has_role('analyst')), 'has_role(analyst) is false for an admin token');
select ok((select private.has_any_role(array['analyst', 'admin'])), 'has_any_role matches any listed role');

-- user_roles RLS: own row, admins all
select is((select count(*) from private.user_roles where user_id = tests.get_supabase_uid('hook_admin')), 1::bigint,
  'an admin reads role rows');
select tests.authenticate_as('hook_customer');
select ok(not (select private.has_role('admin')), 'has_role(admin) is false for a customer');
select is_empty($$select * from private.user_roles where user_id <> auth.uid()$$,
  'a customer cannot read other users'' roles');
select throws_ok($$insert into private.user_roles (user_id, role) values (auth.uid(), 'admin')$$, '42501', null,
  'a customer cannot grant themselves a role');
select tests.clear_authentication();

-- Password verification hook: 5 failures within 15 minutes lock the account
create temporary table attempts as
select public.hook_password_verification_attempt(jsonb_build_object('user_id', tests.get_supabase_uid('hook_customer'), 'valid', false)) ->> 'decision' as decision
from generate_series(1, 4);
select is((select count(*) from attempts where decision = 'continue'), 4::bigint, 'the first four failures continue');
select is(public.hook_password_verification_attempt(jsonb_build_object('user_id', tests.get_supabase_uid('hook_customer'), 'valid', false)) ->> 'decision',
  'continue', 'the fifth failure is still answered normally');
select is((select count(*) from ops.security_events where user_id = tests.get_supabase_uid('hook_customer') and kind = 'account_locked'),
  1::bigint, 'the fifth failure records account_locked');
select is(public.hook_password_verification_attempt(jsonb_build_object('user_id', tests.get_supabase_uid('hook_customer'), 'valid', true)) ->> 'decision',
  'reject', 'a locked account is rejected even with the right password');
select is((select count(*) from ops.security_events where user_id = tests.get_supabase_uid('hook_customer') and kind = 'password_failed'),
  5::bigint, 'each failure is logged in ops.security_events');
select is(public.hook_password_verification_attempt(jsonb_build_object('user_id', tests.get_supabase_uid('hook_other'), 'valid', true)) ->> 'decision',
  'continue', 'other users are not affected');
update ops.security_events set occurred_at = now() - interval '16 minutes'
where user_id = tests.get_supabase_uid('hook_customer') and kind = 'password_failed';
select is(public.hook_password_verification_attempt(jsonb_build_object('user_id', tests.get_supabase_uid('hook_customer'), 'valid', true)) ->> 'decision',
  'continue', 'the lock lifts once the failures leave the 15-minute window');

-- security events: admins and support read, customers do not
select tests.authenticate_as('hook_customer');
select is_empty($$select * from ops.security_events$$, 'customers cannot read security events');
select tests.authenticate_as('hook_admin');
select isnt_empty($$select * from ops.security_events where kind = 'account_locked'$$, 'admins read security events');
select tests.clear_authentication();

select * from finish();
rollback;
