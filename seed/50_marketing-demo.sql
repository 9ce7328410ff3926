-- Marketing demo data (local and preview projects): a marketing staff user, the newsletter (double
-- opt-in) and energy tips (single opt-in, lead consent) lists, a rewards catalog, a draft campaign and
-- some loyalty points for the dev customer.
-- Shaped like seed/00_foundation-dev-users.sql: every string column GoTrue reads is set, created_at
-- given, and the email identity GoTrue creates at sign-up.
with inserted as (
  insert into auth.users (
    instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
    confirmation_token, recovery_token, email_change_token_new, email_change,
    email_change_token_current, phone_change, phone_change_token, reauthentication_token,
    raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
  values ('00000000-0000-0000-0000-000000000000', '00000000-0000-4000-8000-0000000000e1', 'authenticated', 'authenticated',
          'marketing@powerbase.local', '', now(), '', '', '', '', '', '', '', '',
          '{"provider":"email","providers":["email"]}', '{"display_name":"Mia Marketing"}', now(), now())
  on conflict (id) do nothing
  returning id, email
)
insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
select id::text, id, jsonb_build_object('sub', id::text, 'email', email, 'email_verified', true), 'email',
       now(), now(), now()
from inserted
on conflict (provider_id, provider) do nothing;
insert into private.user_roles (user_id, role) values ('00000000-0000-4000-8000-0000000000e1', 'marketing')
on conflict (user_id) do update set role = excluded.role;

insert into marketing.lists (slug, name, description, opt_in, consent_text, consent_version) values
  ('newsletter', 'Powerbase newsletter', 'Monthly news and offers', 'double',
   'I agree to receive the Powerbase newsletter by e-mail. I can unsubscribe at any time.', 'newsletter-2026-11'),
  ('energy-tips', 'Energy plan tips', 'Plan recommendations for your home', 'single',
   'I agree to receive electricity plan recommendations by e-mail. I can unsubscribe at any time.', 'energy-tips-2026-11')
on conflict (slug) do nothing;
update marketing.automations set list_id = (select id from marketing.lists where slug = 'newsletter')
where slug = 'welcome-series' and list_id is null;
update marketing.automations set list_id = (select id from marketing.lists where slug = 'energy-tips')
where slug = 'hot-lead-nurture' and list_id is null;

insert into marketing.rewards (slug, name, cost_points) values
  ('bill-credit-5', '$5 bill credit', 500),
  ('bill-credit-20', '$20 bill credit', 1800),
  ('smart-thermostat', 'Smart thermostat', 12000)
on conflict (slug) do nothing;

insert into marketing.templates (slug, name, kind, subject, body_html, body_text, variables) values
  ('winter-savings', 'Winter savings', 'marketing', 'Winter is coming, {{ subscriber.name | default: "friend" }}',
   '<p>Lock in a fixed rate before the cold: <a href="https://powerbase.example/plans?utm_campaign=winter">see plans</a>.</p>',
   E'Lock in a fixed rate before the cold: https://powerbase.example/plans?utm_campaign=winter', '{}')
on conflict (slug) do nothing;
insert into marketing.campaigns (name, template_id, list_id)
select 'Winter savings 2026', t.id, l.id from marketing.templates t, marketing.lists l
where t.slug = 'winter-savings' and l.slug = 'newsletter'
  and not exists (select 1 from marketing.campaigns where name = 'Winter savings 2026');

select marketing.loyalty_earn('00000000-0000-4000-8000-00000000c001', 'sign-up', 'seed:customer:sign-up');
select marketing.loyalty_earn('00000000-0000-4000-8000-00000000c001', 'purchase', 'seed:customer:order-1', 640);
