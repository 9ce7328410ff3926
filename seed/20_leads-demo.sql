-- Leads demo data (development and preview projects only): regional offices, the dev sales user's
-- office, and demo leads captured through leads.capture so that every dashboard shows something
-- after `./dev start`. Idempotent: offices are keyed by name, demo leads by their e-mail domain.

insert into leads.regional_offices (name, region, address, city, state, contact_email, contact_phone, latitude, longitude, is_default)
values
  ('Houston', 'Gulf Coast', '1000 Main St', 'Houston', 'TX', 'houston@powerbase.local', '+17135550100', 29.7604, -95.3698, true),
  ('Dallas', 'North Texas', '1500 Elm St', 'Dallas', 'TX', 'dallas@powerbase.local', '+12145550100', 32.7767, -96.7970, false),
  ('Austin', 'Central Texas', '600 Congress Ave', 'Austin', 'TX', 'austin@powerbase.local', '+15125550100', 30.2672, -97.7431, false),
  ('San Antonio', 'South Texas', '300 Alamo Plaza', 'San Antonio', 'TX', 'sanantonio@powerbase.local', '+12105550100', 29.4241, -98.4936, false),
  ('Midland', 'West Texas', '200 W Wall St', 'Midland', 'TX', 'midland@powerbase.local', '+14325550100', 31.9973, -102.0779, false),
  ('Corpus Christi', 'Coastal Bend', '400 Shoreline Blvd', 'Corpus Christi', 'TX', 'corpus@powerbase.local', '+13615550100', 27.8006, -97.3964, false)
on conflict (name) do update set region = excluded.region, latitude = excluded.latitude, longitude = excluded.longitude,
  is_default = excluded.is_default;

-- The dev sales user works the Houston office.
insert into leads.office_members (office_id, user_id)
select o.id, '00000000-0000-4000-8000-000000005a01' from leads.regional_offices o where o.name = 'Houston'
on conflict do nothing;


-- 36 demo leads: consumers and businesses across Texas, captured like real ones (scored, routed,
-- recommended, with history), then spread over the last 30 days with a few decisions taken.
select leads.capture(jsonb_build_object(
  'kind', case when n % 3 = 0 then 'consumer' else 'business' end,
  'firstName', (array['Avery', 'Blake', 'Casey', 'Drew', 'Emery', 'Finley'])[1 + n % 6],
  'lastName', (array['Nguyen', 'Garcia', 'Smith', 'Patel', 'Johnson', 'Lopez'])[1 + (n / 6) % 6],
  'email', 'demo-lead-' || n || '@demo-leads.local',
  'phone', '+1713555' || lpad(n::text, 4, '0'),
  'companyName', case when n % 3 <> 0 then 'Demo Works ' || n end,
  'industry', case when n % 3 <> 0 then (array['manufacturing', 'chemicals', 'retail', 'data_centers',
                                                'food_processing', 'hospitality'])[1 + n % 6] end,
  'companySize', case when n % 3 <> 0 then (n * 37) % 900 end,
  'zip', (array['77002', '75201', '78701', '78205', '79701', '78401'])[1 + n % 6],
  'formType', (array['quote', 'contact_sales', 'newsletter', 'enroll'])[1 + n % 4],
  'usageKwh', case when n % 3 = 0 then 800 + (n * 53) % 1600 end,
  'consent', true,
  'utm', jsonb_build_object('source', (array['google', 'newsletter', 'partner'])[1 + n % 3], 'medium', 'cpc')))
from generate_series(1, 36) n
where not exists (select 1 from leads.leads l where l.email like '%@demo-leads.local');

update leads.leads l
set created_at = now() - make_interval(days => (hashtext(l.email) & 1023) % 30, hours => (hashtext(l.email) & 255) % 24)
where l.email like '%@demo-leads.local' and l.created_at > now() - interval '1 minute';

select set_config('leads.reason_code', 'demo', true);
update leads.leads l
set status = case when right(split_part(l.email, '@', 1), 1) in ('3', '7') then 'accepted'
                  when right(split_part(l.email, '@', 1), 1) = '5' then 'converted' else l.status end
where l.email like '%@demo-leads.local' and l.status in ('hot', 'warm') and right(split_part(l.email, '@', 1), 1) in ('3', '5', '7');

select private.leads_compact_rollup();
