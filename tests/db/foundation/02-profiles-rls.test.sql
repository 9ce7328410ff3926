-- The harness's RLS proof on the smallest customer-owned table: a customer reads and changes only
-- their own row, anon reads nothing, service_role and support read everything.
begin;
select plan(14);

select tests.create_supabase_user('profile_alice', 'alice@example.com');
select tests.create_supabase_user('profile_bob', 'bob@example.com');
select tests.create_supabase_user('profile_support', null, 'support');

select is((select email from public.profiles where id = tests.get_supabase_uid('profile_alice')), 'alice@example.com',
  'a profile is created for every new auth user');

select tests.authenticate_as('profile_alice');
select results_eq($$select email from public.profiles$$, $$values ('alice@example.com'::text)$$,
  'alice sees only her own profile');
select is_empty($$select * from public.profiles where id = tests.get_supabase_uid('profile_bob')$$,
  'alice cannot read bob''s profile');
select results_eq($$update public.profiles set display_name = 'Alice' where id = auth.uid() returning display_name$$,
  $$values ('Alice'::text)$$, 'alice updates her display name (one row changed)');
select is((select display_name from public.profiles where id = auth.uid()), 'Alice', 'the update landed');

-- An update aimed at bob's row matches nothing under RLS.
update public.profiles set display_name = 'hacked' where id = tests.get_supabase_uid('profile_bob');
select tests.clear_authentication();
select is((select display_name from public.profiles where id = tests.get_supabase_uid('profile_bob')), null,
  'alice cannot change bob''s profile');

select tests.authenticate_as('profile_alice');
select throws_ok($$update public.profiles set email = 'x@example.com' where id = auth.uid()$$, '42501', null,
  'the e-mail column belongs to auth and cannot be changed by the user');
select throws_ok($$insert into public.profiles (id) values (gen_random_uuid())$$, '42501', null,
  'users cannot insert profiles');
select throws_ok($$delete from public.profiles where id = auth.uid()$$, '42501', null,
  'users cannot delete profiles');

select tests.authenticate_as_anon();
select throws_ok($$select * from public.profiles$$, '42501', null, 'anon cannot read profiles at all');

select tests.authenticate_as('profile_support');
select ok((select count(*) from public.profiles where id in (tests.get_supabase_uid('profile_alice'),
  tests.get_supabase_uid('profile_bob'))) = 2, 'support reads every profile');
update public.profiles set display_name = 'support edit' where id = tests.get_supabase_uid('profile_bob');
select tests.clear_authentication();
select is((select display_name from public.profiles where id = tests.get_supabase_uid('profile_bob')), null,
  'support cannot change customers'' profiles');

select tests.authenticate_as_service_role();
select ok((select count(*) from public.profiles where id in (tests.get_supabase_uid('profile_alice'),
  tests.get_supabase_uid('profile_bob'))) = 2, 'service_role reads every profile');
select tests.clear_authentication();

select ok((select updated_at >= created_at from public.profiles where id = tests.get_supabase_uid('profile_alice')),
  'updated_at is maintained');

select * from finish();
rollback;
