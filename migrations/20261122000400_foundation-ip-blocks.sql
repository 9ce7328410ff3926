-- Foundation: automated blocking of abusive client addresses (seed 000). The functions kernel counts
-- failed requests per address in Redis and blocks an address that reaches the threshold; each block
-- is recorded here (and in ops.security_events) so admins can list blocks and lift them early. Redis
-- holds what is enforced, this table what happened and who lifted it.

create table ops.ip_blocks (
  id bigint generated always as identity primary key,
  ip inet not null,
  reason text not null check (length(reason) between 1 and 100),
  failures int not null check (failures > 0),
  blocked_at timestamptz not null default now(),
  blocked_until timestamptz not null,
  lifted_at timestamptz,
  lifted_by uuid references auth.users (id) on delete set null,
  check (blocked_until > blocked_at),
  -- A lifter implies a lift time; the lifter may be gone (deleted user) while the lift stays.
  check (lifted_by is null or lifted_at is not null)
);
comment on table ops.ip_blocks is
  'Client addresses blocked by the functions kernel after too many failed requests, and who lifted them.';
comment on column ops.ip_blocks.ip is 'The client address as the nearest trusted proxy reported it.';
comment on column ops.ip_blocks.reason is 'What the failure that reached the threshold was: status_401, status_422, spam_detected.';
comment on column ops.ip_blocks.failures is 'Failed requests counted within the window when the block started.';
comment on column ops.ip_blocks.blocked_until is 'When the block ends by itself.';
comment on column ops.ip_blocks.lifted_at is 'When an admin lifted the block early (null: not lifted).';
comment on column ops.ip_blocks.lifted_by is 'The admin who lifted it.';

create index ip_blocks_active_idx on ops.ip_blocks (ip, blocked_until desc) where lifted_at is null;
create index ip_blocks_blocked_at_idx on ops.ip_blocks (blocked_at desc);
create index ip_blocks_lifted_by_idx on ops.ip_blocks (lifted_by);

alter table ops.ip_blocks enable row level security;

-- Admins read every block and may lift one (set lifted_at/lifted_by, nothing else); nobody else
-- reads or changes them through the API roles. The kernel writes as the functions' database user.
create policy "admins read ip blocks" on ops.ip_blocks
  for select to authenticated using ((select private.has_role('admin')));
create policy "admins lift ip blocks" on ops.ip_blocks
  for update to authenticated
  using ((select private.has_role('admin')))
  with check ((select private.has_role('admin')) and lifted_by = (select auth.uid()));
grant select on ops.ip_blocks to authenticated;
grant update (lifted_at, lifted_by) on ops.ip_blocks to authenticated;
grant select, insert, update on ops.ip_blocks to service_role;
