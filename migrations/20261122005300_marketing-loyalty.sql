-- Marketing: loyalty. Tiers on points earned over a rolling 12 months, earning rules as data, an
-- append-only points ledger over lots that expire (12 months by default) and are spent first-to-expire,
-- pending points (an order's, until its refund window passes) that a refund claws back, and a rewards
-- catalog. Every balance change for one customer runs under a lock on their account row, so concurrent
-- redemptions queue instead of overspending.

create table marketing.loyalty_tiers (
  code text primary key check (code in ('GREEN', 'SILVER', 'GOLD', 'PLATINUM')),
  rank int not null unique,
  threshold_points int not null unique check (threshold_points >= 0),
  multiplier numeric(4, 2) not null check (multiplier > 0),
  upgrade_bonus int not null default 0 check (upgrade_bonus >= 0)
);
-- Reference data the program needs to work at all (not seed).
insert into marketing.loyalty_tiers (code, rank, threshold_points, multiplier, upgrade_bonus) values
  ('GREEN', 0, 0, 1.00, 0), ('SILVER', 1, 1000, 1.25, 100), ('GOLD', 2, 5000, 1.50, 250), ('PLATINUM', 3, 15000, 2.00, 500);

create table marketing.earning_rules (
  id uuid primary key default gen_random_uuid(),
  code text not null unique check (code ~ '^[a-z0-9][a-z0-9_-]{1,60}$'),
  -- purchase: points_per_unit per unit of currency spent; event: a fixed number of points per event.
  kind text not null check (kind in ('purchase', 'event')),
  points int check (points > 0),
  points_per_unit numeric(10, 4) check (points_per_unit > 0),
  tier_multiplier boolean not null default true,
  valid_from timestamptz,
  valid_to timestamptz,
  -- At most cap_points from this rule per customer within cap_period.
  cap_points int check (cap_points > 0),
  cap_period interval,
  active boolean not null default true,
  check ((kind = 'purchase' and points_per_unit is not null) or (kind = 'event' and points is not null)),
  check ((cap_points is null) = (cap_period is null)),
  check (valid_to is null or valid_from is null or valid_from < valid_to)
);
insert into marketing.earning_rules (code, kind, points, points_per_unit, cap_points, cap_period) values
  ('purchase', 'purchase', null, 1, null, null),
  ('sign-up', 'event', 100, null, 100, '100 years'),
  ('referral', 'event', 250, null, 2500, '1 year'),
  ('review', 'event', 50, null, 500, '1 year');

create table marketing.loyalty_accounts (
  user_id uuid primary key references auth.users (id) on delete cascade,
  tier text not null default 'GREEN' references marketing.loyalty_tiers (code),
  tier_since timestamptz not null default now(),
  reviewed_at timestamptz,
  -- Points a refund clawed back after they were spent: the balance never goes negative, so what could
  -- not be taken from any lot is owed here and repaid from the next points that become available.
  points_owed int not null default 0 check (points_owed >= 0),
  created_at timestamptz not null default now()
);
create index loyalty_accounts_tier_idx on marketing.loyalty_accounts (tier);

create table marketing.points_lots (
  id bigint generated always as identity primary key,
  user_id uuid not null references marketing.loyalty_accounts (user_id) on delete cascade,
  rule_id uuid references marketing.earning_rules (id) on delete set null,
  -- Idempotency: one lot per source (an order, an event, a tier bonus).
  source_key text not null unique,
  points int not null check (points > 0),
  remaining int not null check (remaining >= 0 and remaining <= points),
  status text not null check (status in ('pending', 'available', 'clawed_back', 'expired', 'spent')),
  -- Points of this lot refunds took back (from the lot itself, other lots or as points owed): a partial
  -- refund claws back its share once, a later refund only the difference.
  clawed_points int not null default 0 check (clawed_points >= 0 and clawed_points <= points),
  available_at timestamptz not null default now(),
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);
create index points_lots_spendable_idx on marketing.points_lots (user_id, expires_at) where status = 'available';
create index points_lots_pending_idx on marketing.points_lots (available_at) where status = 'pending';
create index points_lots_expiry_idx on marketing.points_lots (expires_at) where status = 'available';
create index points_lots_rule_idx on marketing.points_lots (rule_id);

create table marketing.points_ledger (
  id bigint generated always as identity primary key,
  user_id uuid not null references marketing.loyalty_accounts (user_id) on delete cascade,
  lot_id bigint not null references marketing.points_lots (id) on delete cascade,
  kind text not null check (kind in ('earn', 'bonus', 'release', 'redeem', 'expire', 'clawback')),
  -- Signed: earnings positive, spending, expiry and clawback negative; release (pending -> available) 0.
  points int not null,
  redemption_id uuid,
  note text,
  created_at timestamptz not null default now()
);
create index points_ledger_user_idx on marketing.points_ledger (user_id, created_at desc);
create index points_ledger_lot_idx on marketing.points_ledger (lot_id);
create index points_ledger_redemption_idx on marketing.points_ledger (redemption_id);

create or replace function private.marketing_ledger_is_append_only() returns trigger
language plpgsql set search_path = '' as $$
begin
  raise exception using errcode = 'PT409', hint = 'append_only', message = 'The points ledger is append-only.';
end;
$$;
create trigger points_ledger_append_only before update or delete on marketing.points_ledger
  for each row when (pg_trigger_depth() = 0) execute function private.marketing_ledger_is_append_only();

create table marketing.rewards (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,60}$'),
  name text not null,
  cost_points int not null check (cost_points > 0),
  active boolean not null default true,
  created_at timestamptz not null default now()
);

create table marketing.redemptions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references marketing.loyalty_accounts (user_id) on delete cascade,
  reward_id uuid not null references marketing.rewards (id),
  points int not null check (points > 0),
  idempotency_key text not null,
  created_at timestamptz not null default now(),
  unique (user_id, idempotency_key)
);
create index redemptions_reward_idx on marketing.redemptions (reward_id);
alter table marketing.points_ledger add constraint points_ledger_redemption_fk
  foreign key (redemption_id) references marketing.redemptions (id) on delete cascade;

alter table marketing.loyalty_tiers enable row level security;
alter table marketing.earning_rules enable row level security;
alter table marketing.loyalty_accounts enable row level security;
alter table marketing.points_lots enable row level security;
alter table marketing.points_ledger enable row level security;
alter table marketing.rewards enable row level security;
alter table marketing.redemptions enable row level security;

create policy "everyone reads tiers" on marketing.loyalty_tiers for select to anon, authenticated using (true);
create policy "staff change tiers" on marketing.loyalty_tiers for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "anyone reads active rewards" on marketing.rewards for select to anon using (active);
create policy "customers read active rewards, staff all" on marketing.rewards for select to authenticated
  using (active or (select private.marketing_is_staff()));
create policy "staff add rewards" on marketing.rewards for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change rewards" on marketing.rewards for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));
create policy "staff read earning rules" on marketing.earning_rules for select to authenticated
  using ((select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "staff add earning rules" on marketing.earning_rules for insert to authenticated
  with check ((select private.marketing_is_staff()));
create policy "staff change earning rules" on marketing.earning_rules for update to authenticated
  using ((select private.marketing_is_staff())) with check ((select private.marketing_is_staff()));

create policy "customers read their account, staff all" on marketing.loyalty_accounts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "customers read their lots, staff all" on marketing.points_lots for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "customers read their ledger, staff all" on marketing.points_ledger for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "customers read their redemptions, staff all" on marketing.redemptions for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));

grant select on marketing.loyalty_tiers, marketing.rewards to anon;
grant select on marketing.loyalty_tiers, marketing.rewards, marketing.earning_rules, marketing.loyalty_accounts,
  marketing.points_lots, marketing.points_ledger, marketing.redemptions to authenticated;
grant update on marketing.loyalty_tiers to authenticated;
grant insert, update on marketing.rewards, marketing.earning_rules to authenticated;

-- RPCs (service role unless said otherwise) -----------------------------------------------------------

/* Locks (creating on first use) the customer's loyalty account: every balance change holds it. */
create or replace function private.marketing_lock_account(account_user uuid) returns marketing.loyalty_accounts
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  account marketing.loyalty_accounts;
begin
  insert into marketing.loyalty_accounts (user_id) values (account_user) on conflict (user_id) do nothing;
  select * into account from marketing.loyalty_accounts a where a.user_id = account_user for update;
  return account;
end;
$$;

/*
  Re-evaluates the tiers of the given customers (all when null) from the points earned over the last 12
  months (available lots, bonuses included; pending and clawed-back points do not count). Upgrades take
  effect at once with the tier's bonus and the `loyalty.tier_upgraded` automation; downgrades only when
  allow_downgrade (the nightly review). Returns the accounts changed.
*/
create or replace function marketing.loyalty_evaluate_tiers(user_ids uuid[] default null, allow_downgrade boolean default false)
returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  changed int;
begin
  create temporary table if not exists pg_temp.marketing_tier_changes (user_id uuid, old_tier text, new_tier text,
    upgraded boolean) on commit drop;
  truncate pg_temp.marketing_tier_changes;
  with earned as (
    select a.user_id, a.tier,
           coalesce((select sum(l.points - l.clawed_points) from marketing.points_lots l
                     where l.user_id = a.user_id and l.status in ('available', 'spent', 'expired')
                       and l.available_at > now() - interval '12 months'), 0) as points_12m
    from marketing.loyalty_accounts a
    where user_ids is null or a.user_id = any (user_ids)
  ), target as (
    select e.user_id, e.tier as old_tier,
           (select t.code from marketing.loyalty_tiers t where t.threshold_points <= e.points_12m
            order by t.rank desc limit 1) as new_tier
    from earned e
  ), applied as (
    update marketing.loyalty_accounts a set tier = t.new_tier, tier_since = now(), reviewed_at = now()
    from target t, marketing.loyalty_tiers o, marketing.loyalty_tiers n
    where a.user_id = t.user_id and o.code = t.old_tier and n.code = t.new_tier
      and (n.rank > o.rank or (allow_downgrade and n.rank < o.rank))
    returning a.user_id, t.old_tier, t.new_tier, n.rank > o.rank as upgraded
  )
  insert into pg_temp.marketing_tier_changes select * from applied;
  get diagnostics changed = row_count;

  with bonus as (
    insert into marketing.points_lots (user_id, source_key, points, remaining, status, expires_at)
    select c.user_id, 'tier-bonus:' || c.user_id || ':' || c.new_tier || ':' || to_char(now(), 'YYYY-MM'),
           t.upgrade_bonus, t.upgrade_bonus, 'available', now() + interval '12 months'
    from pg_temp.marketing_tier_changes c join marketing.loyalty_tiers t on t.code = c.new_tier
    where c.upgraded and t.upgrade_bonus > 0
    on conflict (source_key) do nothing
    returning id, user_id, points
  )
  insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
  select b.user_id, b.id, 'bonus', b.points, 'tier upgrade bonus' from bonus b;
  -- A bonus is spendable at once, so it first repays points a refund left owed.
  perform private.marketing_repay_owed(array(select c.user_id from pg_temp.marketing_tier_changes c where c.upgraded));

  perform marketing.trigger_automations('loyalty.tier_upgraded', s.id,
            'tier:' || c.user_id || ':' || c.new_tier || ':' || to_char(now(), 'YYYY-MM'),
            jsonb_build_object('tier', c.new_tier, 'previousTier', c.old_tier))
  from pg_temp.marketing_tier_changes c join marketing.subscribers s on s.user_id = c.user_id
  where c.upgraded;
  return changed;
end;
$$;

/*
  Earns points by rule: an event (sign-up, referral, review) or a purchase of `amount` currency units.
  The tier multiplier applies when the rule says so; the rule's window and cap are enforced; the same
  source_key earns once. pending_until keeps an order's points pending until its refund window passes.
  Returns {lotId, points, status, tier} (points 0 when a cap or window leaves nothing).
*/
create or replace function marketing.loyalty_earn(
  account_user uuid, rule_code text, source_key text, amount numeric default null,
  pending_until timestamptz default null, lot_lifetime interval default '12 months'
) returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  account marketing.loyalty_accounts;
  rule marketing.earning_rules;
  tier_multiplier numeric;
  earned int;
  capped_so_far int;
  lot_id bigint;
  lot_status text;
begin
  select * into rule from marketing.earning_rules r where r.code = rule_code and r.active;
  if rule.id is null then
    raise exception using errcode = 'PT404', hint = 'rule_not_found', message = format('No active earning rule %s.', rule_code);
  end if;
  if rule.kind = 'purchase' and (amount is null or amount <= 0) then
    raise exception using errcode = 'PT422', hint = 'invalid_amount', message = 'A purchase earns on a positive amount.';
  end if;
  account := private.marketing_lock_account(account_user);
  select l.id, l.status into lot_id, lot_status from marketing.points_lots l where l.source_key = loyalty_earn.source_key;
  if lot_id is not null then
    return jsonb_build_object('lotId', lot_id, 'points', (select points from marketing.points_lots where id = lot_id),
                              'status', lot_status, 'tier', account.tier, 'duplicate', true);
  end if;
  if (rule.valid_from is not null and now() < rule.valid_from) or (rule.valid_to is not null and now() >= rule.valid_to) then
    return jsonb_build_object('lotId', null, 'points', 0, 'status', 'outside_window', 'tier', account.tier);
  end if;
  select t.multiplier into tier_multiplier from marketing.loyalty_tiers t where t.code = account.tier;
  earned := floor(case when rule.kind = 'event' then rule.points else amount * rule.points_per_unit end
                  * case when rule.tier_multiplier then tier_multiplier else 1 end);
  if rule.cap_points is not null then
    select coalesce(sum(l.points - l.clawed_points), 0) into capped_so_far from marketing.points_lots l
    where l.user_id = account_user and l.rule_id = rule.id and l.status <> 'clawed_back'
      and l.created_at > now() - rule.cap_period;
    earned := least(earned, rule.cap_points - capped_so_far);
  end if;
  if earned <= 0 then
    return jsonb_build_object('lotId', null, 'points', 0, 'status', 'capped', 'tier', account.tier);
  end if;
  lot_status := case when pending_until is not null and pending_until > now() then 'pending' else 'available' end;
  insert into marketing.points_lots (user_id, rule_id, source_key, points, remaining, status, available_at, expires_at)
  values (account_user, rule.id, loyalty_earn.source_key, earned, earned, lot_status,
          greatest(now(), coalesce(pending_until, now())), greatest(now(), coalesce(pending_until, now())) + lot_lifetime)
  returning id into lot_id;
  insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
  values (account_user, lot_id, 'earn', earned, rule.code || case when lot_status = 'pending' then ' (pending)' else '' end);
  if lot_status = 'available' then
    perform private.marketing_repay_owed(array[account_user]);
    perform marketing.loyalty_evaluate_tiers(array[account_user], false);
  end if;
  return jsonb_build_object('lotId', lot_id, 'points', earned, 'status', lot_status,
                            'tier', (select a.tier from marketing.loyalty_accounts a where a.user_id = account_user));
end;
$$;

/*
  Repays points owed (a clawback after the points were spent) from the customers' available lots,
  first-to-expire, under each account's lock. Called whenever points become available. Returns points repaid.
*/
create or replace function private.marketing_repay_owed(user_ids uuid[]) returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  debtor record;
  repaid int := 0;
  taken int;
begin
  for debtor in select a.user_id from marketing.loyalty_accounts a
                where a.user_id = any (user_ids) and a.points_owed > 0 order by a.user_id loop
    perform private.marketing_lock_account(debtor.user_id);
    taken := private.marketing_take_points(debtor.user_id,
               (select a.points_owed from marketing.loyalty_accounts a where a.user_id = debtor.user_id),
               null, 'owed points repaid');
    update marketing.loyalty_accounts a set points_owed = a.points_owed - taken where a.user_id = debtor.user_id;
    repaid := repaid + taken;
  end loop;
  return repaid;
end;
$$;

/*
  Takes up to `wanted` points from a customer's available lots, first-to-expire (the caller holds the
  account lock), writing one clawback ledger row per lot touched. Returns the points taken.
*/
create or replace function private.marketing_take_points(account_user uuid, wanted int, except_lot bigint, note text)
returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  taken int;
begin
  if coalesce(wanted, 0) <= 0 then
    return 0;
  end if;
  perform 1 from marketing.points_lots l
  where l.user_id = account_user and l.status = 'available' and l.remaining > 0 and l.expires_at > now() for update;
  with lots as (
    select l.id, l.remaining, sum(l.remaining) over (order by l.expires_at, l.id) - l.remaining as before
    from marketing.points_lots l
    where l.user_id = account_user and l.status = 'available' and l.remaining > 0 and l.expires_at > now()
      and l.id is distinct from except_lot
  ), wanted_lots as (
    select id, least(remaining, wanted - before) as points from lots where before < wanted
  ), spent as (
    update marketing.points_lots l
    set remaining = l.remaining - w.points, status = case when l.remaining = w.points then 'spent' else l.status end
    from wanted_lots w where l.id = w.id
    returning l.id, w.points
  ), logged as (
    insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
    select account_user, s.id, 'clawback', -s.points, marketing_take_points.note from spent s
    returning -points as points
  )
  select coalesce(sum(points), 0) into taken from logged;
  return taken;
end;
$$;

/*
  Claws back the share of a source's lot that a refund took back (refunded_share 1: a full refund or a
  cancellation; 0.25: a quarter refunded). Idempotent per share: a repeat claws back nothing, a larger
  share later only the difference. Taken from the lot's remaining points first (pending or available),
  then from the customer's other available points, first-to-expire; what was already spent beyond that
  is recorded as points owed (a zero ledger row on the lot says so) and repaid from later points, so no
  balance ever goes negative. Tiers are not lowered here (only the nightly review downgrades).
  Returns the points clawed back (owed included).
*/
create or replace function marketing.loyalty_clawback(source_key text, refunded_share numeric default 1) returns int
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  lot marketing.points_lots;
  due int;
  from_lot int;
  from_others int;
  owed int;
begin
  if refunded_share is null or refunded_share <= 0 then
    return 0;
  end if;
  select * into lot from marketing.points_lots l where l.source_key = loyalty_clawback.source_key;
  if lot.id is null then
    return 0;
  end if;
  perform private.marketing_lock_account(lot.user_id);
  select * into lot from marketing.points_lots l where l.id = lot.id for update;
  due := floor(lot.points * least(refunded_share, 1))::int - lot.clawed_points;
  if due <= 0 or lot.status = 'expired' then
    return 0;
  end if;
  from_lot := least(due, lot.remaining);
  update marketing.points_lots l
  set remaining = l.remaining - from_lot, clawed_points = l.clawed_points + due,
      status = case when l.clawed_points + due >= l.points then 'clawed_back'
                    when l.remaining - from_lot = 0 and l.status = 'available' then 'spent' else l.status end
  where l.id = lot.id;
  if from_lot > 0 then
    insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
    values (lot.user_id, lot.id, 'clawback', -from_lot, 'refund');
  end if;
  from_others := private.marketing_take_points(lot.user_id, due - from_lot, lot.id, 'refund (points of this lot were spent)');
  owed := due - from_lot - from_others;
  if owed > 0 then
    update marketing.loyalty_accounts a set points_owed = a.points_owed + owed where a.user_id = lot.user_id;
    insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
    values (lot.user_id, lot.id, 'clawback', 0, format('refund: %s points already spent are owed', owed));
  end if;
  return due;
end;
$$;

/*
  Releases pending points whose refund window has passed, repays what their owners owe, and
  re-evaluates those customers' tiers (upgrades only). Run by the order-feed job and the nightly review.
  Returns the lots released.
*/
create or replace function marketing.loyalty_release_due() returns int
language plpgsql volatile set search_path = '' as $$
declare
  released_users uuid[];
  released int;
begin
  with due as (
    update marketing.points_lots l set status = 'available'
    where l.status = 'pending' and l.available_at <= now()
    returning l.id, l.user_id
  ), logged as (
    insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
    select d.user_id, d.id, 'release', 0, 'refund window passed' from due d
    returning user_id
  )
  select array_agg(distinct user_id), count(*) into released_users, released from logged;
  if released > 0 then
    perform private.marketing_repay_owed(released_users);
    perform marketing.loyalty_evaluate_tiers(released_users, false);
  end if;
  return released;
end;
$$;

/*
  Redeems a reward for a customer: locks the account, refuses (PT409 insufficient_points) when the
  balance is short, and spends lots first-to-expire. The same idempotency key redeems once.
*/
create or replace function marketing.loyalty_redeem(account_user uuid, reward_slug text, idempotency_key text)
returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  reward marketing.rewards;
  existing marketing.redemptions;
  balance int;
  redemption_id uuid;
begin
  select * into reward from marketing.rewards r where r.slug = reward_slug and r.active;
  if reward.id is null then
    raise exception using errcode = 'PT404', hint = 'reward_not_found', message = format('No active reward %s.', reward_slug);
  end if;
  perform private.marketing_lock_account(account_user);
  select * into existing from marketing.redemptions r
  where r.user_id = account_user and r.idempotency_key = loyalty_redeem.idempotency_key;
  if existing.id is not null then
    return jsonb_build_object('redemptionId', existing.id, 'points', existing.points, 'duplicate', true,
      'balance', (select coalesce(sum(remaining), 0) from marketing.points_lots
                  where user_id = account_user and status = 'available' and expires_at > now()));
  end if;
  select coalesce(sum(l.remaining), 0) into balance from marketing.points_lots l
  where l.user_id = account_user and l.status = 'available' and l.expires_at > now();
  if balance < reward.cost_points then
    raise exception using errcode = 'PT409', hint = 'insufficient_points',
      message = format('This reward costs %s points; the balance is %s.', reward.cost_points, balance);
  end if;
  insert into marketing.redemptions (user_id, reward_id, points, idempotency_key)
  values (account_user, reward.id, reward.cost_points, loyalty_redeem.idempotency_key)
  returning id into redemption_id;
  -- The lots are locked before they are read for spending (a window query cannot lock rows itself).
  perform 1 from marketing.points_lots l
  where l.user_id = account_user and l.status = 'available' and l.expires_at > now() for update;
  with lots as (
    select l.id, l.remaining,
           sum(l.remaining) over (order by l.expires_at, l.id) - l.remaining as spent_before
    from marketing.points_lots l
    where l.user_id = account_user and l.status = 'available' and l.expires_at > now()
  ), taken as (
    select id, least(remaining, reward.cost_points - spent_before) as points
    from lots where spent_before < reward.cost_points
  ), spent as (
    update marketing.points_lots l
    set remaining = l.remaining - t.points, status = case when l.remaining = t.points then 'spent' else l.status end
    from taken t where l.id = t.id
    returning l.id, t.points
  )
  insert into marketing.points_ledger (user_id, lot_id, kind, points, redemption_id, note)
  select account_user, s.id, 'redeem', -s.points, redemption_id, reward.slug from spent s;
  return jsonb_build_object('redemptionId', redemption_id, 'points', reward.cost_points, 'duplicate', false,
                            'balance', balance - reward.cost_points);
end;
$$;

/* The signed-in customer's loyalty summary (runs as the caller: RLS shows only their own rows). */
create or replace function marketing.loyalty_me() returns jsonb
language plpgsql stable set search_path = '' as $$
declare
  me uuid := auth.uid();
begin
  if me is null then
    raise exception using errcode = 'PT401', hint = 'unauthorized', message = 'Sign in first.';
  end if;
  return (
    select jsonb_build_object(
      'tier', coalesce(a.tier, 'GREEN'),
      'tierSince', a.tier_since,
      'balance', coalesce((select sum(l.remaining) from marketing.points_lots l
                           where l.user_id = me and l.status = 'available' and l.expires_at > now()), 0),
      'pending', coalesce((select sum(l.remaining) from marketing.points_lots l where l.user_id = me and l.status = 'pending'), 0),
      'owed', coalesce(a.points_owed, 0),
      'pointsLast12Months', coalesce((select sum(l.points - l.clawed_points) from marketing.points_lots l
                                      where l.user_id = me and l.status in ('available', 'spent', 'expired')
                                        and l.available_at > now() - interval '12 months'), 0),
      'nextTier', (select jsonb_build_object('code', t.code, 'thresholdPoints', t.threshold_points)
                   from marketing.loyalty_tiers t
                   where t.rank > coalesce((select rank from marketing.loyalty_tiers where code = a.tier), 0)
                   order by t.rank limit 1),
      'expiringSoon', coalesce((select jsonb_agg(jsonb_build_object('points', l.remaining, 'expiresAt', l.expires_at)
                                                 order by l.expires_at)
                                from marketing.points_lots l
                                where l.user_id = me and l.status = 'available' and l.remaining > 0
                                  and l.expires_at <= now() + interval '30 days'), '[]'::jsonb),
      'recent', coalesce((select jsonb_agg(x order by x ->> 'at' desc) from (
                            select jsonb_build_object('kind', g.kind, 'points', g.points, 'note', g.note, 'at', g.created_at) as x
                            from marketing.points_ledger g where g.user_id = me order by g.created_at desc, g.id desc limit 20) r), '[]'::jsonb))
    from (select 1) one left join marketing.loyalty_accounts a on a.user_id = me);
end;
$$;
grant execute on function marketing.loyalty_me() to authenticated;
grant execute on function private.marketing_repay_owed(uuid[]), private.marketing_take_points(uuid, int, bigint, text)
  to service_role;

/*
  The nightly loyalty review (pg_cron): releases pending points whose refund window has passed, expires
  lots, re-evaluates every tier (downgrades included), and starts the points-expiry reminder for lots
  expiring within 14 days. Returns the rows touched.
*/
create or replace function marketing.loyalty_review() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  released bigint;
  expired bigint;
  reminded bigint := 0;
  reviewed bigint;
begin
  released := marketing.loyalty_release_due();

  with gone as (
    update marketing.points_lots l set status = 'expired', remaining = 0
    from (select id, remaining from marketing.points_lots where status = 'available' and expires_at <= now() for update) old
    where l.id = old.id
    returning l.id, l.user_id, old.remaining
  )
  insert into marketing.points_ledger (user_id, lot_id, kind, points, note)
  select g.user_id, g.id, 'expire', -g.remaining, 'expired' from gone g where g.remaining > 0;
  get diagnostics expired = row_count;

  select coalesce(sum(marketing.trigger_automations('loyalty.points_expiring', s.id, 'lot-expiring:' || l.id,
                        jsonb_build_object('points', l.remaining, 'expiresAt', l.expires_at))), 0)
  into reminded
  from marketing.points_lots l join marketing.subscribers s on s.user_id = l.user_id
  where l.status = 'available' and l.remaining > 0 and l.expires_at <= now() + interval '14 days';

  reviewed := marketing.loyalty_evaluate_tiers(null, true);
  return released + expired + reminded + reviewed;
end;
$$;

select cron.schedule('marketing-loyalty-review', '41 2 * * *',
  $$select private.run_job('marketing-loyalty-review', 'select marketing.loyalty_review()')$$);

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on table marketing.loyalty_tiers is 'Loyalty tiers and their thresholds on points earned over 12 months.';
comment on column marketing.loyalty_tiers.code is 'GREEN, SILVER, GOLD or PLATINUM.';
comment on column marketing.loyalty_tiers.rank is 'Order of the tiers.';
comment on column marketing.loyalty_tiers.threshold_points is 'Points over 12 months to reach the tier.';
comment on column marketing.loyalty_tiers.multiplier is 'Earning multiplier in this tier.';
comment on column marketing.loyalty_tiers.upgrade_bonus is 'Bonus points on reaching the tier.';
comment on table marketing.earning_rules is 'How points are earned: per currency unit spent or per event, with windows and caps.';
comment on column marketing.earning_rules.id is 'Primary key.';
comment on column marketing.earning_rules.code is 'Stable name used by earners (purchase, sign-up, ...).';
comment on column marketing.earning_rules.kind is 'purchase or event.';
comment on column marketing.earning_rules.points is 'Points per event.';
comment on column marketing.earning_rules.points_per_unit is 'Points per currency unit (purchases).';
comment on column marketing.earning_rules.tier_multiplier is 'Whether the tier multiplier applies.';
comment on column marketing.earning_rules.valid_from is 'Start of the rule''s window.';
comment on column marketing.earning_rules.valid_to is 'End of the window (exclusive).';
comment on column marketing.earning_rules.cap_points is 'Most points per customer per cap period.';
comment on column marketing.earning_rules.cap_period is 'The cap''s period.';
comment on column marketing.earning_rules.active is 'Inactive rules earn nothing.';
comment on table marketing.loyalty_accounts is 'A customer''s loyalty account; its row lock serializes balance changes.';
comment on column marketing.loyalty_accounts.user_id is 'The customer.';
comment on column marketing.loyalty_accounts.tier is 'Current tier.';
comment on column marketing.loyalty_accounts.tier_since is 'When the tier was reached.';
comment on column marketing.loyalty_accounts.reviewed_at is 'Last tier change or review.';
comment on column marketing.loyalty_accounts.created_at is 'When the row was created.';
comment on table marketing.points_lots is 'Earned points as lots that expire and are spent first-to-expire.';
comment on column marketing.points_lots.id is 'Primary key.';
comment on column marketing.points_lots.user_id is 'Owner.';
comment on column marketing.points_lots.rule_id is 'Earning rule.';
comment on column marketing.points_lots.source_key is 'What earned it (order, event, bonus); unique.';
comment on column marketing.points_lots.points is 'Points earned.';
comment on column marketing.points_lots.remaining is 'Points not yet spent, expired or clawed back.';
comment on column marketing.points_lots.status is 'pending, available, spent, expired or clawed_back.';
comment on column marketing.points_lots.available_at is 'When pending points become spendable.';
comment on column marketing.points_lots.expires_at is 'When what remains expires.';
comment on column marketing.points_lots.created_at is 'When the row was created.';
comment on table marketing.points_ledger is 'Append-only history of every points movement.';
comment on column marketing.points_ledger.id is 'Primary key.';
comment on column marketing.points_ledger.user_id is 'Owner.';
comment on column marketing.points_ledger.lot_id is 'The lot moved.';
comment on column marketing.points_ledger.kind is 'earn, bonus, release, redeem, expire or clawback.';
comment on column marketing.points_ledger.points is 'Signed change.';
comment on column marketing.points_ledger.redemption_id is 'The redemption that spent it.';
comment on column marketing.points_ledger.note is 'Why.';
comment on column marketing.points_ledger.created_at is 'When the row was created.';
comment on table marketing.rewards is 'The rewards catalog.';
comment on column marketing.rewards.id is 'Primary key.';
comment on column marketing.rewards.slug is 'Stable name.';
comment on column marketing.rewards.name is 'Name shown to customers.';
comment on column marketing.rewards.cost_points is 'Price in points.';
comment on column marketing.rewards.active is 'Only active rewards are offered.';
comment on column marketing.rewards.created_at is 'When the row was created.';
comment on table marketing.redemptions is 'A reward redeemed for points (unique per customer and idempotency key).';
comment on column marketing.redemptions.id is 'Primary key.';
comment on column marketing.redemptions.user_id is 'Customer.';
comment on column marketing.redemptions.reward_id is 'Reward.';
comment on column marketing.redemptions.points is 'Points spent.';
comment on column marketing.redemptions.idempotency_key is 'Client key: a repeat redeems once.';
comment on column marketing.redemptions.created_at is 'When the row was created.';
comment on function marketing.loyalty_clawback(text, numeric) is 'Claws back the refunded share of the lot a source earned, never below zero (the rest is owed).';
comment on function marketing.loyalty_release_due() is 'Releases pending points past their refund window, repays owed points, upgrades tiers.';
comment on column marketing.loyalty_accounts.points_owed is 'Points clawed back after they were spent, repaid from the next available points.';
comment on column marketing.points_lots.clawed_points is 'Points of this lot refunds took back (from the lot, other lots or as owed).';
comment on function marketing.loyalty_earn(uuid, text, text, numeric, timestamp with time zone, interval) is 'Earns points by rule once per source, with multiplier, window and cap.';
comment on function marketing.loyalty_evaluate_tiers(uuid[], boolean) is 'Re-evaluates tiers; upgrades with bonus and e-mail, downgrades only when allowed.';
comment on function marketing.loyalty_me() is 'The calling customer''s loyalty summary.';
comment on function marketing.loyalty_redeem(uuid, text, text) is 'Redeems a reward under the account lock, first-to-expire, never below zero.';
comment on function marketing.loyalty_review() is 'Nightly: releases pending points, expires lots, reviews tiers, reminds of expiring points.';
