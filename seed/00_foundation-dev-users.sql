-- Development users, one per role, plus a plain customer. Local and preview projects only: the
-- ids are fixed so that tests, README examples and the tokens `./dev start` prints line up.
insert into auth.users (instance_id, id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
values
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000ad01', 'authenticated', 'authenticated',
   'admin@powerbase.local', now(), '{"provider":"email","providers":["email"]}', '{"display_name":"Ada Admin"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000a501', 'authenticated', 'authenticated',
   'analyst@powerbase.local', now(), '{"provider":"email","providers":["email"]}', '{"display_name":"Ana Analyst"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000005a01', 'authenticated', 'authenticated',
   'sales@powerbase.local', now(), '{"provider":"email","providers":["email"]}', '{"display_name":"Sam Sales"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-000000005b01', 'authenticated', 'authenticated',
   'support@powerbase.local', now(), '{"provider":"email","providers":["email"]}', '{"display_name":"Sue Support"}'),
  ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-00000000c001', 'authenticated', 'authenticated',
   'customer@powerbase.local', now(), '{"provider":"email","providers":["email"]}', '{"display_name":"Cory Customer"}')
on conflict (id) do nothing;

insert into private.user_roles (user_id, role)
values
  ('00000000-0000-4000-8000-00000000ad01', 'admin'),
  ('00000000-0000-4000-8000-00000000a501', 'analyst'),
  ('00000000-0000-4000-8000-000000005a01', 'sales'),
  ('00000000-0000-4000-8000-000000005b01', 'support')
on conflict (user_id) do update set role = excluded.role;
