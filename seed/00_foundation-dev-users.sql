-- Development users, one per role, plus a plain customer. Local and preview projects only: the
-- ids are fixed so that tests, README examples and the tokens `./dev start` prints line up.
-- Every column GoTrue reads as a string is set (NULL token columns make GoTrue fail on the user,
-- supabase/auth#1940), created_at is given (GoTrue's column has no default), and each user has
-- the email identity GoTrue creates at sign-up. No password: these users sign in only through
-- tokens minted locally.
with dev_users (id, email, display_name) as (
  values
    ('00000000-0000-4000-8000-00000000ad01'::uuid, 'admin@powerbase.local', 'Ada Admin'),
    ('00000000-0000-4000-8000-00000000a501'::uuid, 'analyst@powerbase.local', 'Ana Analyst'),
    ('00000000-0000-4000-8000-000000005a01'::uuid, 'sales@powerbase.local', 'Sam Sales'),
    ('00000000-0000-4000-8000-000000005b01'::uuid, 'support@powerbase.local', 'Sue Support'),
    ('00000000-0000-4000-8000-00000000c001'::uuid, 'customer@powerbase.local', 'Cory Customer')
), inserted as (
  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    confirmation_token, recovery_token, email_change_token_new, email_change,
    email_change_token_current, phone_change, phone_change_token, reauthentication_token,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  select '00000000-0000-0000-0000-000000000000', id, 'authenticated', 'authenticated', email, '', now(),
         '', '', '', '', '', '', '', '',
         '{"provider":"email","providers":["email"]}', jsonb_build_object('display_name', display_name),
         now(), now()
  from dev_users
  on conflict (id) do nothing
  returning id, email
)
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true), 'email',
       now(), now(), now()
from inserted
on conflict (provider_id, provider) do nothing;

insert into private.user_roles (user_id, role)
values
  ('00000000-0000-4000-8000-00000000ad01', 'admin'),
  ('00000000-0000-4000-8000-00000000a501', 'analyst'),
  ('00000000-0000-4000-8000-000000005a01', 'sales'),
  ('00000000-0000-4000-8000-000000005b01', 'support')
on conflict (user_id) do update set role = excluded.role;
