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
