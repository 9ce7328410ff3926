-- Dashboard RPCs on a known set of leads in a private date range: totals, conversion, averages,
-- distributions, the quality matrix, the funnel and top opportunities.
begin;
select plan(23);

select tests.create_supabase_user('dash_analyst', null, 'analyst');

insert into leads.leads (kind, email, consent, industry, score, trust_score, status, created_at, source_id, office_id)
select 'business', 'dash' || n || '@dash.test', false, industry, score, trust, status, '2002-02-02 12:00+00'::timestamptz,
       (select id from leads.sources where name = 'industrial-directory'),
       (select id from leads.regional_offices where name = 'Austin')
from (values
  (1, 'manufacturing', 90, 85, 'hot'),
  (2, 'manufacturing', 75, 30, 'hot'),
  (3, 'manufacturing', 55, 60, 'warm'),
  (4, 'chemicals', 15, 10, 'cold'),
  (5, 'retail', 45, 45, 'new')
) as seed(n, industry, score, trust, status);
-- Walk two of them down the funnel: accepted, then one converted (milestones are stamped by trigger).
update leads.leads set status = 'accepted' where email in ('dash1@dash.test', 'dash3@dash.test');
update leads.leads set status = 'converted' where email = 'dash1@dash.test';
-- One lead outside the range must not count.
insert into leads.leads (kind, email, score, created_at) values ('business', 'outside@dash.test', 99, '2002-03-01');

select tests.authenticate_as('dash_analyst');
create temporary table summary as select leads.dashboard_summary('2002-02-01', '2002-02-03') as s;
select is((select (s ->> 'total')::int from summary), 5, 'total counts the range only');
select is((select (s ->> 'hot')::int from summary), 1, 'hot counts leads hot now');
select is((select (s ->> 'converted')::int from summary), 1, 'converted leads are counted');
select is((select (s ->> 'conversionRate')::numeric from summary), 0.2, 'conversion rate is converted / total');
select is((select (s ->> 'averageScore')::numeric from summary), 56.0, 'average lead score');
select is((select (s ->> 'averageTrustScore')::numeric from summary), 46.0, 'average trust score');

create temporary table distribution as select leads.dashboard_distribution('2002-02-01', '2002-02-03') as d;
select is((select d -> 'byIndustry' -> 0 from distribution), '{"key": "manufacturing", "count": 3}'::jsonb,
  'by industry, largest first');
select is(
  (select jsonb_agg(b order by b ->> 'key') from distribution, jsonb_array_elements(d -> 'byScoreBucket') b),
  '[{"key": "0-20", "count": 1}, {"key": "41-60", "count": 2}, {"key": "61-80", "count": 1}, {"key": "81-100", "count": 1}]'::jsonb,
  'by score bucket 0-20, 21-40, ...');
select is((select d -> 'byRegion' -> 0 ->> 'key' from distribution), 'Central Texas', 'by region of the office');
select is((select d -> 'bySource' -> 0 ->> 'key' from distribution), 'industrial-directory', 'by source');

select is(
  (select m ->> 'count' from jsonb_array_elements(leads.dashboard_quality_matrix('2002-02-01', '2002-02-03')) m
   where m ->> 'scoreBucket' = '81-100' and m ->> 'trustBucket' = '81-100'),
  '1', 'the quality matrix crosses score and trust buckets');
select is(leads.dashboard_funnel('2002-02-01', '2002-02-03'),
  '[{"stage": "discovered", "count": 5}, {"stage": "hot", "count": 2}, {"stage": "accepted", "count": 2}, {"stage": "converted", "count": 1}]'::jsonb,
  'the funnel counts milestones reached, whatever the status is now');
select is(
  (select array_agg(t ->> 'score' order by ord) from jsonb_array_elements(leads.dashboard_top_opportunities('2002-02-01', '2002-02-03', 3))
     with ordinality as x(t, ord)),
  array['75', '55', '45'],
  'top opportunities: open or accepted leads by score (converted ones are won already)');
select is(jsonb_array_length(leads.dashboard_top_opportunities('2002-02-01', '2002-02-03', 1)), 1, 'top honours its limit');

-- Whole months come from the rollup: pending deltas first, then folded by the job. Same answers.
create temporary table raw_answer as
select leads.dashboard_summary('2002-02-01', '2002-02-03') - 'from' - 'to' as summary,
       leads.dashboard_distribution('2002-02-01', '2002-02-03') as distribution,
       leads.dashboard_quality_matrix('2002-02-01', '2002-02-03') as matrix;
select is(leads.dashboard_summary('2002-02-01', '2002-03-01') - 'from' - 'to', (select summary from raw_answer),
  'a whole month read from pending rollup deltas matches the raw scan');
select tests.clear_authentication();
create temporary table pending_groups as
select count(*)::bigint as n from (select distinct month, office_id, dimension, key from leads.rollup_deltas) g;
select is(private.leads_compact_rollup(), (select n from pending_groups),
  'the compaction job folds every pending (month, office, dimension, key) group into the rollup, once each');
select is((select count(*)::int from leads.rollup_deltas where month = '2002-02-01'), 0, 'and leaves no pending deltas');
select tests.authenticate_as('dash_analyst');
select is(leads.dashboard_summary('2002-02-01', '2002-03-01') - 'from' - 'to', (select summary from raw_answer),
  'the folded rollup gives the same summary');
select is(leads.dashboard_distribution('2002-02-01', '2002-03-01'), (select distribution from raw_answer),
  'and the same distribution');
select is(leads.dashboard_quality_matrix('2002-02-01', '2002-03-01'), (select matrix from raw_answer),
  'and the same quality matrix');
select is((leads.dashboard_summary('2002-02-01', '2002-03-15') ->> 'total')::int, 6,
  'a whole month from the rollup plus a partial month from the table');
select tests.clear_authentication();
update leads.leads set status = 'converted' where email = 'dash2@dash.test';
select tests.authenticate_as('dash_analyst');
select is(leads.dashboard_funnel('2002-02-01', '2002-03-01') -> 3 ->> 'count', '2',
  'changes after folding show up at once (rollup + new deltas)');

select tests.clear_authentication();
select tests.create_supabase_user('dash_sales_elsewhere', null, 'sales');
insert into leads.office_members (office_id, user_id)
select id, tests.get_supabase_uid('dash_sales_elsewhere') from leads.regional_offices where name = 'Dallas';
select tests.authenticate_as('dash_sales_elsewhere');
select is((leads.dashboard_summary('2002-02-01', '2002-03-01') ->> 'total')::int, 0,
  'sales of another office see none of it in the rollup either');

select * from finish();
rollback;
