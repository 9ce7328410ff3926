-- Marketing reference data the module needs to work at all: the double opt-in template (subscribe
-- queues it), the transactional notice templates automations use, and the built-in automations. Lists,
-- campaigns and rewards are the operator's (demo ones in seed/50_marketing-demo.sql).

insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables) values
  ('double-opt-in', 'Double opt-in confirmation', 'transactional',
   'Please confirm your subscription to {{ list.name }}',
   '<p>Hello{% if subscriber.name %} {{ subscriber.name }}{% endif %},</p>'
   '<p>Please confirm that you want to receive {{ list.name }}: <a href="{{ links.confirm }}">confirm my subscription</a>.</p>'
   '<p>{{ list.consentText }}</p><p>If you did not ask for this, ignore this e-mail; nothing will be sent.</p>',
   E'Hello{% if subscriber.name %} {{ subscriber.name }}{% endif %},\n\nPlease confirm that you want to receive {{ list.name }}:\n{{ links.confirm }}\n\n{{ list.consentText }}\n\nIf you did not ask for this, ignore this e-mail.',
   '{}'),
  ('welcome', 'Welcome', 'marketing',
   'Welcome to {{ list }}',
   '<p>Welcome{% if subscriber.name %}, {{ subscriber.name }}{% endif %}!</p><p>Thanks for confirming. You can <a href="{{ links.unsubscribe }}">unsubscribe</a> at any time.</p>',
   E'Welcome{% if subscriber.name %}, {{ subscriber.name }}{% endif %}!\n\nThanks for confirming. Unsubscribe at any time: {{ links.unsubscribe }}',
   '{list,listId}'),
  ('tier-upgraded', 'Loyalty tier upgrade', 'transactional',
   'You are now {{ tier }}',
   '<p>Congratulations: you moved up from {{ previousTier }} to <strong>{{ tier }}</strong>.</p>',
   E'Congratulations: you moved up from {{ previousTier }} to {{ tier }}.',
   '{tier,previousTier}'),
  ('points-expiring', 'Points expiring', 'transactional',
   '{{ points }} points expire soon',
   '<p>{{ points }} of your points expire on {{ expiresAt | date: "%Y-%m-%d" }}. Redeem them before then.</p>',
   E'{{ points }} of your points expire on {{ expiresAt | date: "%Y-%m-%d" }}. Redeem them before then.',
   '{points,expiresAt}'),
  ('lead-nurture-plans', 'Plans for your home', 'marketing',
   'The best electricity plans for {{ zip }}',
   '<p>Here are the plans that cost least for {{ usageKwh }} kWh a month at {{ zip }}:</p><ul>{% for plan in plans %}'
   '<li><a href="{{ plan.enrollUrl }}">{{ plan.name }}</a> by {{ plan.provider }}: about ${{ plan.averageMonthlyBill }} a month</li>{% endfor %}</ul>',
   E'The plans that cost least for {{ usageKwh }} kWh a month at {{ zip }}:\n{% for plan in plans %}- {{ plan.name }} by {{ plan.provider }}: about ${{ plan.averageMonthlyBill }} a month ({{ plan.enrollUrl }})\n{% endfor %}',
   '{zip,usageKwh,plans}');

insert into marketing.automations (slug, name, trigger) values
  ('welcome-series', 'Welcome series', 'subscription.confirmed'),
  ('tier-upgrade', 'Tier upgrade notice', 'loyalty.tier_upgraded'),
  ('points-expiry', 'Points expiry reminder', 'loyalty.points_expiring'),
  ('hot-lead-nurture', 'Hot energy lead nurturing', 'lead.hot');
insert into marketing.automation_steps (automation_id, position, delay, template_id, condition)
select a.id, s.position, s.delay::interval, t.id, s.condition::jsonb
from (values
  ('welcome-series', 0, '0 seconds', 'welcome', null),
  ('tier-upgrade', 0, '0 seconds', 'tier-upgraded', null),
  ('points-expiry', 0, '0 seconds', 'points-expiring', null),
  ('hot-lead-nurture', 0, '0 seconds', 'lead-nurture-plans', '{"field":"plans","op":"exists"}'),
  ('hot-lead-nurture', 1, '3 days', 'lead-nurture-plans', '{"field":"plans","op":"exists"}')
) s(automation, position, delay, template, condition)
join marketing.automations a on a.slug = s.automation
join marketing.templates t on t.slug = s.template;

-- The welcome series goes to the list that was confirmed: its messages carry that list (payload listId).
create or replace function private.marketing_run_list() returns trigger
language plpgsql set search_path = '' as $$
begin
  if new.list_id is null and new.automation_run_id is not null and new.data ? 'listId' then
    new.list_id := (new.data ->> 'listId')::uuid;
  end if;
  return new;
end;
$$;
create trigger messages_run_list before insert on marketing.messages
  for each row execute function private.marketing_run_list();

/*
  Hot energy lead nurturing: a consenting lead (subscribed to the list) gets the plans energy.compare_plans ranks best for the lead's ZIP and usage. Called by the
  marketing function when the leads outbox delivers a `lead.hot` event. Idempotent per lead.
*/
create or replace function marketing.nurture_hot_lead(lead jsonb, list_slug text default 'energy-tips') returns jsonb
language plpgsql volatile set search_path = '' as $$
#variable_conflict use_column
declare
  target marketing.lists;
  subscriber_id uuid;
  usage int := coalesce((lead ->> 'usageKwh')::int, 1000);
  ranked jsonb;
  plans jsonb;
  started int;
begin
  if lead ->> 'email' is null or lead ->> 'id' is null then
    return jsonb_build_object('started', 0, 'reason', 'no_email');
  end if;
  select * into target from marketing.lists l where l.slug = list_slug;
  if target.id is null then
    return jsonb_build_object('started', 0, 'reason', 'no_list');
  end if;
  -- Nurturing is marketing mail: it needs the lead's consent (which subscribes it to the list) or a
  -- confirmed subscription from before. Decided first: ranking plans is the expensive part.
  if coalesce((lead ->> 'consent')::boolean, false) then
    perform marketing.subscribe(lead ->> 'email', list_slug, lead ->> 'firstName', 'lead');
  end if;
  select x.subscriber_id into subscriber_id
  from marketing.subscriptions x join marketing.subscribers s on s.id = x.subscriber_id
  where s.email = lower(lead ->> 'email') and x.list_id = target.id and x.status = 'confirmed';
  if subscriber_id is null then
    return jsonb_build_object('started', 0, 'reason', 'no_consent');
  end if;

  if lead ->> 'zip' is not null then
    begin
      ranked := energy.compare_plans(array[usage], lead ->> 'zip', max_results => 3);
    exception when sqlstate 'PT422' or sqlstate 'PT404' then
      ranked := null;
    end;
  end if;
  select coalesce(jsonb_agg(jsonb_build_object('name', p ->> 'name', 'provider', p #>> '{provider,name}',
                                               'averageMonthlyBill', p ->> 'averageMonthlyBill',
                                               'enrollUrl', coalesce(p #>> '{links,enroll}', p #>> '{links,facts}'))), '[]'::jsonb)
  into plans from jsonb_array_elements(coalesce(ranked -> 'plans', '[]'::jsonb)) p;
  started := marketing.trigger_automations('lead.hot', subscriber_id, 'lead:' || (lead ->> 'id'),
    jsonb_strip_nulls(jsonb_build_object('listId', target.id, 'zip', lead ->> 'zip', 'usageKwh', usage,
                                         'plans', case when jsonb_array_length(plans) > 0 then plans end)));
  return jsonb_build_object('started', started, 'subscriberId', subscriber_id, 'plans', jsonb_array_length(plans));
end;
$$;
grant execute on function marketing.nurture_hot_lead(jsonb, text) to service_role;

-- Comments (Studio shows them as the schema's documentation) ----------------------------------
comment on function marketing.nurture_hot_lead(jsonb, text) is 'Starts hot-lead nurturing with the plans energy ranks best for the lead.';
