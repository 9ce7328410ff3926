-- Marketing: price alerts on energy plans. A customer watches the price of an energy plan at their ZIP and
-- monthly usage (a given plan, or the cheapest one) and is e-mailed once when its average monthly bill falls
-- to their target; the alert re-arms when the price rises above the target again. Prices come from the
-- energy module's published energy.compare_plans, called once per distinct (ZIP, usage) by pg_cron.
-- Product price alerts wait for the commerce module.

create table marketing.price_alerts (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  zip text not null check (zip ~ '^\d{5}$'),
  usage_kwh int not null check (usage_kwh between 1 and 20000),
  -- A specific plan, or null for the cheapest plan at the ZIP.
  plan_id bigint,
  target_monthly numeric(10, 2) not null check (target_monthly > 0),
  armed boolean not null default true,
  last_price numeric(10, 2),
  checked_at timestamptz,
  notified_at timestamptz,
  -- Counts the e-mails sent: each firing is its own automation trigger event.
  times_notified int not null default 0,
  created_at timestamptz not null default now()
);
create index price_alerts_user_idx on marketing.price_alerts (user_id);
create index price_alerts_location_idx on marketing.price_alerts (zip, usage_kwh);

alter table marketing.price_alerts enable row level security;
create policy "customers read their alerts, staff all" on marketing.price_alerts for select to authenticated
  using (user_id = (select auth.uid()) or (select private.has_any_role(array['admin', 'marketing', 'analyst'])));
create policy "customers add their alerts" on marketing.price_alerts for insert to authenticated
  with check (user_id = (select auth.uid()));
create policy "customers change their alerts" on marketing.price_alerts for update to authenticated
  using (user_id = (select auth.uid())) with check (user_id = (select auth.uid()));
create policy "customers remove their alerts" on marketing.price_alerts for delete to authenticated
  using (user_id = (select auth.uid()));
grant select, delete on marketing.price_alerts to authenticated;
grant insert (zip, usage_kwh, plan_id, target_monthly) on marketing.price_alerts to authenticated;
grant update (target_monthly) on marketing.price_alerts to authenticated;
grant all on marketing.price_alerts to service_role;

insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables) values
  ('price-dropped', 'Price alert', 'transactional',
   '{{ planName }} is now ${{ price }} a month at {{ zip }}',
   '<p>Good news: <a href="{{ enrollUrl }}">{{ planName }}</a> by {{ provider }} now comes to about ${{ price }} a month '
   'for {{ usageKwh }} kWh at {{ zip }}, at or below your target of ${{ target }}.</p>',
   E'Good news: {{ planName }} by {{ provider }} now comes to about ${{ price }} a month for {{ usageKwh }} kWh at {{ zip }}, at or below your target of ${{ target }}.\n{{ enrollUrl }}',
   '{planName,provider,price,target,zip,usageKwh,enrollUrl}');
insert into marketing.automations (slug, name, trigger) values ('price-alert', 'Price alert', 'price.dropped');
insert into marketing.automation_steps (automation_id, position, template_id)
select a.id, 0, t.id from marketing.automations a, marketing.templates t where a.slug = 'price-alert' and t.slug = 'price-dropped';

/*
  Checks every alert against current prices: one energy.compare_plans call per distinct (ZIP, usage).
  An armed alert whose plan costs at most its target fires once (the price-alert automation, for the
  customer's subscriber row, created from their account e-mail when missing) and disarms; a disarmed one
  re-arms once the price is above the target again. Returns the alerts that fired or re-armed.
*/
create or replace function marketing.check_price_alerts() returns bigint
language plpgsql volatile set search_path = '' as $$
declare
  location record;
  ranked jsonb;
  changed bigint := 0;
begin
  create temporary table if not exists pg_temp.marketing_alert_changes (
    id uuid, user_id uuid, was_armed boolean, armed boolean, plan jsonb, target numeric, zip text, usage_kwh int,
    times_notified int
  ) on commit drop;
  truncate pg_temp.marketing_alert_changes;
  for location in select distinct a.zip, a.usage_kwh from marketing.price_alerts a loop
    begin
      ranked := energy.compare_plans(array[location.usage_kwh], location.zip, max_results => 100) -> 'plans';
    exception when sqlstate 'PT404' or sqlstate 'PT422' then
      continue;
    end;
    with priced as (
      select a.id, a.armed, a.target_monthly, p.plan, (p.plan ->> 'averageMonthlyBill')::numeric as price
      from marketing.price_alerts a
      cross join lateral (
        select e as plan from jsonb_array_elements(ranked) e
        where a.plan_id is null or (e ->> 'id')::bigint = a.plan_id
        order by (e ->> 'rank')::int limit 1) p
      where a.zip = location.zip and a.usage_kwh = location.usage_kwh
    ), updated as (
      update marketing.price_alerts a
      set last_price = p.price, checked_at = now(), armed = p.price > p.target_monthly,
          notified_at = case when p.armed and p.price <= p.target_monthly then now() else a.notified_at end,
          times_notified = a.times_notified + case when p.armed and p.price <= p.target_monthly then 1 else 0 end
      from priced p where a.id = p.id
      returning a.id, a.user_id, p.armed as was_armed, a.armed, p.plan, a.target_monthly, a.times_notified
    )
    insert into pg_temp.marketing_alert_changes
    select u.id, u.user_id, u.was_armed, u.armed, u.plan, u.target_monthly, location.zip, location.usage_kwh,
           u.times_notified
    from updated u where u.was_armed <> u.armed;
  end loop;

  -- The alert e-mail goes to the customer's subscriber row, made from their account e-mail if needed.
  insert into marketing.subscribers (email, user_id)
  select distinct lower(au.email), c.user_id
  from pg_temp.marketing_alert_changes c join auth.users au on au.id = c.user_id
  where c.was_armed and not c.armed and au.email is not null
    and not exists (select 1 from marketing.subscribers s where s.user_id = c.user_id)
  on conflict (email) do update set user_id = coalesce(marketing.subscribers.user_id, excluded.user_id);

  perform marketing.trigger_automations('price.dropped', s.id,
            'price-alert:' || c.id || ':' || c.times_notified,
            jsonb_build_object('planName', c.plan ->> 'name', 'provider', c.plan #>> '{provider,name}',
                               'price', c.plan ->> 'averageMonthlyBill', 'target', c.target::text,
                               'zip', c.zip, 'usageKwh', c.usage_kwh,
                               'enrollUrl', coalesce(c.plan #>> '{links,enroll}', c.plan #>> '{links,facts}', '')))
  from pg_temp.marketing_alert_changes c join marketing.subscribers s on s.user_id = c.user_id
  where c.was_armed and not c.armed;

  select count(*) into changed from pg_temp.marketing_alert_changes;
  return changed;
end;
$$;
grant execute on function marketing.check_price_alerts() to service_role;

select cron.schedule('marketing-price-alerts', '7 * * * *',
  $$select private.run_job('marketing-price-alerts', 'select marketing.check_price_alerts()')$$);

comment on table marketing.price_alerts is 'A customer watching an energy plan''s price at their ZIP and usage.';
comment on column marketing.price_alerts.id is 'Primary key.';
comment on column marketing.price_alerts.user_id is 'The customer (the caller by default).';
comment on column marketing.price_alerts.zip is 'Where the plan is priced.';
comment on column marketing.price_alerts.usage_kwh is 'Monthly usage the price is estimated for.';
comment on column marketing.price_alerts.plan_id is 'The watched plan, or null for the cheapest plan at the ZIP.';
comment on column marketing.price_alerts.target_monthly is 'Average monthly bill at or below which the customer is told.';
comment on column marketing.price_alerts.armed is 'Whether the next drop to the target sends an e-mail (re-armed when the price rises again).';
comment on column marketing.price_alerts.last_price is 'Average monthly bill at the last check.';
comment on column marketing.price_alerts.checked_at is 'Last check.';
comment on column marketing.price_alerts.notified_at is 'Last e-mail sent for this alert.';
comment on column marketing.price_alerts.times_notified is 'E-mails sent so far; numbers each firing''s trigger event.';
comment on column marketing.price_alerts.created_at is 'When the row was created.';
comment on function marketing.check_price_alerts() is 'Prices every alert through energy.compare_plans; fires armed alerts at their target once, re-arms risen ones.';
