-- Customer profiles: one row per auth user, created by the auth.users trigger. The smallest table a
-- customer owns, and the one the harness's RLS proof runs against.

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  email text,
  phone text,
  display_name text check (char_length(display_name) <= 120),
  marketing_opt_in boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
alter table public.profiles enable row level security;

-- Supabase grants every public table to anon by default; a profile is never public.
revoke all on public.profiles from anon, authenticated;
grant select on public.profiles to authenticated;
grant update (display_name, marketing_opt_in) on public.profiles to authenticated;

create policy "customers read their own profile; support and admins read all" on public.profiles
  for select to authenticated
  using (id = (select auth.uid()) or (select private.has_any_role(array['admin', 'support'])));

create policy "customers update their own profile" on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

create or replace function private.touch_updated_at() returns trigger
language plpgsql set search_path = '' as $$
begin
  new.updated_at := now();
  return new;
end;
$$;

create trigger profiles_touch_updated_at before update on public.profiles
  for each row execute function private.touch_updated_at();

-- Runs as the auth server inserting into auth.users, which has no rights on public.profiles.
create or replace function private.create_profile_for_new_user() returns trigger
language plpgsql security definer set search_path = '' as $$
begin
  insert into public.profiles (id, email, phone, display_name)
  values (new.id, new.email, new.phone, new.raw_user_meta_data ->> 'display_name')
  on conflict (id) do nothing;
  return new;
end;
$$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function private.create_profile_for_new_user();

-- Comments: what each table, column and RPC holds (Studio shows them; tests/db/foundation/08-comments).

comment on table public.profiles is 'One profile per auth user, created by the auth.users trigger; the customer edits display_name and marketing_opt_in.';
comment on column public.profiles.id is 'The auth user (auth.users.id).';
comment on column public.profiles.email is 'E-mail copied from auth.users at sign-up.';
comment on column public.profiles.phone is 'Phone copied from auth.users at sign-up (E.164).';
comment on column public.profiles.display_name is 'Name shown in the app, at most 120 characters.';
comment on column public.profiles.marketing_opt_in is 'Whether the customer agreed to marketing messages.';
comment on column public.profiles.created_at is 'When the profile was created.';
comment on column public.profiles.updated_at is 'Last change, maintained by a trigger.';
comment on function public.custom_access_token_hook(jsonb) is 'Supabase Auth hook: copies the users staff role into the JWT as user_role.';
comment on function public.hook_password_verification_attempt(jsonb) is 'Supabase Auth hook: rejects sign-ins after 5 failed passwords within 15 minutes and records them.';
