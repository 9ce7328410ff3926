-- Leads reference data the product needs to work at all: lead sources (capture defaults to
-- 'website'), products, scoring rules and recommendation rules. Loaded by the migration so that a
-- fresh project scores and recommends from its first lead; idempotent (keyed by name, code and
-- reason code), and rows an admin has since edited are left as they are. Regional offices and their
-- members are each retailer's own, created by admins (demo offices are in seed/20_leads-demo.sql).

insert into leads.sources (name, type, url, trust_score)
values
  ('website', 'web_form', 'https://powerbase.local', 60),
  ('partner-referral', 'referral', null, 75),
  ('texas-comptroller-registry', 'registry', 'https://comptroller.texas.gov', 90),
  ('industrial-directory', 'directory', 'https://www.thomasnet.com', 70),
  ('web-crawler', 'crawler', null, 40),
  ('csv-import', 'import', null, 50)
on conflict (name) do nothing;

insert into leads.products (code, name, description, category, recommendation_details, image_url)
values
  ('FIXED-12', 'Fixed-rate 12 months', 'Price certainty for a year.', 'retail_plan', 'Best for steady usage.', null),
  ('INDEX-BLOCK', 'Block and index', 'A fixed block with market-indexed swing usage.', 'commercial_plan',
   'Suits large, variable industrial loads.', null),
  ('SOLAR-PPA', 'On-site solar PPA', 'Power purchase agreement for rooftop or ground-mount solar.', 'renewable',
   'Plants with large roofs or land and daytime load.', null),
  ('DEMAND-RESP', 'Demand response', 'Paid curtailment during ERCOT peaks.', 'demand_response',
   'Flexible processes that can shed load for an hour.', null),
  ('MULTI-SITE', 'Multi-site aggregation', 'One contract and bill for every site.', 'commercial_plan',
   'Companies with several plants or meters.', null),
  ('EFFICIENCY-AUDIT', 'Energy efficiency audit', 'Site survey of motors, compressed air and lighting.', 'service',
   'Energy-intensive manufacturing.', null)
on conflict (code) do nothing;

-- Scoring rules (score dimension: engagement, intent, fit; trust dimension: data quality and source).
insert into leads.scoring_rules (dimension, signal, operator, operand, points, reason_code, description)
values
  ('score', 'comparisons', 'gte', '1', 10, 'compared_plans', 'Compared plans at least once'),
  ('score', 'comparisons', 'gte', '3', 10, 'compared_many_plans', 'Compared plans three or more times'),
  ('score', 'searches', 'gte', '2', 5, 'searched', 'Searched the marketplace'),
  ('score', 'pages', 'gte', '5', 5, 'browsed', 'Viewed five or more pages'),
  ('score', 'return_visits', 'gte', '1', 10, 'returning_visitor', 'Came back in another session'),
  ('score', 'submissions', 'gte', '2', 10, 'repeat_submission', 'Submitted more than once'),
  ('score', 'form_type', 'in', '["quote", "enroll", "switch", "contact_sales"]', 25, 'high_intent_form', 'Asked for a quote, to switch or enroll'),
  ('score', 'form_type', 'in', '["newsletter", "price_alert"]', 5, 'low_intent_form', 'Subscribed for updates'),
  ('score', 'usage_kwh', 'gte', '1500', 10, 'high_usage', 'Monthly usage of 1,500 kWh or more'),
  ('score', 'usage_kwh', 'gte', '100000', 15, 'industrial_usage', 'Industrial-scale usage'),
  ('score', 'move_in_days', 'between', '[0, 45]', 20, 'moving_soon', 'Moving within 45 days'),
  ('score', 'deregulated', 'true', null, 15, 'deregulated_zip', 'ZIP in a deregulated (retail choice) territory'),
  ('score', 'industry', 'in', '["manufacturing", "chemicals", "data_centers", "oil_and_gas", "food_processing", "plastics"]', 20,
   'target_industry', 'Energy-intensive target industry'),
  ('score', 'company_size', 'gte', '50', 10, 'mid_size_company', '50 or more employees'),
  ('score', 'company_size', 'gte', '500', 10, 'large_company', '500 or more employees'),
  ('score', 'plants', 'gte', '2', 10, 'multi_site', 'Several plant locations'),
  ('score', 'has_phone', 'true', null, 10, 'phone_given', 'Gave a phone number'),
  ('score', 'source_trust', 'gte', '80', 10, 'trusted_source', 'Came from a highly trusted source'),
  ('trust', 'has_email', 'true', null, 20, 'email_present', 'Has an e-mail address'),
  ('trust', 'has_phone', 'true', null, 20, 'phone_present', 'Has a phone number'),
  ('trust', 'has_name', 'true', null, 10, 'name_present', 'Has first and last name'),
  ('trust', 'has_company', 'true', null, 10, 'company_present', 'Has a company name'),
  ('trust', 'consent', 'true', null, 10, 'consented', 'Gave marketing consent'),
  ('trust', 'source_trust', 'gte', '50', 15, 'source_trusted', 'Source trust of 50 or more'),
  ('trust', 'source_trust', 'gte', '80', 15, 'source_highly_trusted', 'Source trust of 80 or more')
on conflict (dimension, reason_code) do nothing;

insert into leads.recommendation_rules (product_id, industries, min_plants, min_company_size, min_usage_kwh, priority, reason_code, reason)
select p.id, r.industries, r.min_plants, r.min_company_size, r.min_usage_kwh, r.priority, r.reason_code, r.reason
from (values
  ('INDEX-BLOCK', array['manufacturing', 'chemicals', 'plastics', 'oil_and_gas'], 0, 0, 0::numeric, 10,
   'variable_industrial_load', 'Energy-intensive industry with variable load'),
  ('MULTI-SITE', null::text[], 2, 0, 0::numeric, 20, 'several_plants', 'Several plant locations to aggregate'),
  ('DEMAND-RESP', array['manufacturing', 'data_centers', 'food_processing', 'plastics'], 0, 50, 0::numeric, 30,
   'flexible_load', 'Flexible processes can earn ERCOT demand response payments'),
  ('SOLAR-PPA', null::text[], 1, 100, 0::numeric, 40, 'large_site', 'A large site with daytime load'),
  ('EFFICIENCY-AUDIT', array['manufacturing', 'food_processing', 'chemicals'], 0, 0, 0::numeric, 50,
   'energy_intensive', 'Energy-intensive processes benefit from an audit'),
  ('FIXED-12', null::text[], 0, 0, 0::numeric, 90, 'price_certainty', 'Fixed price as a baseline offer')
) as r(code, industries, min_plants, min_company_size, min_usage_kwh, priority, reason_code, reason)
join leads.products p on p.code = r.code
where not exists (select 1 from leads.recommendation_rules x where x.reason_code = r.reason_code);
