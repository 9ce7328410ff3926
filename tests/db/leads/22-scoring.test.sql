-- Scoring as data, status bands, recommendations, routing (nearest office, default office with
-- no_location, round-robin owners), 24-hour de-duplication, history, milestones and imports.
begin;
select plan(48);

-- Rule conditions ---------------------------------------------------------------------------------------
select ok(private.leads_rule_matches('5', 'gte', '3'), 'gte matches a larger number');
select ok(not private.leads_rule_matches('2', 'gte', '3'), 'gte rejects a smaller number');
select ok(private.leads_rule_matches('"Quote"', 'in', '["quote", "enroll"]'), 'in matches case-insensitively');
select ok(private.leads_rule_matches('30', 'between', '[0, 45]'), 'between is inclusive');
select ok(not private.leads_rule_matches(null, 'present', null), 'a missing signal matches nothing');
select ok(not private.leads_rule_matches('"abc"', 'gte', '3'), 'numeric operators ignore text');
select is(private.leads_band(70), 'hot', 'hot starts at 70');
select is(private.leads_band(69), 'warm', 'warm is 40-69');
select is(private.leads_band(39), 'cold', 'cold is below 40');

-- A business lead near Dallas with explicit coordinates ----------------------------------------------------
create temporary table captured as
select leads.capture('{"kind":"business","email":"Buyer@Score.test","phone":"+12145550111","companyName":"Score Corp",
  "industry":"manufacturing","companySize":600,"formType":"quote","latitude":32.80,"longitude":-96.80,
  "plants":[{"name":"North","latitude":33.0,"longitude":-96.7},{"name":"South"}]}'::jsonb) as result;

select is((select (result ->> 'created')::boolean from captured), true, 'a new lead is created');
select is((select (result ->> 'score')::int from captured), 85, 'the score sums the matching rules');
select is((select result ->> 'status' from captured), 'hot', 'a score of 85 is hot');
select is((select (result ->> 'trustScore')::int from captured), 65, 'trust is scored by its own rules');
select is(
  (select array_agg(r ->> 'code' order by r ->> 'code') from captured, jsonb_array_elements(result -> 'reasons') r
   where r ->> 'dimension' = 'score'),
  array['high_intent_form', 'large_company', 'mid_size_company', 'multi_site', 'phone_given', 'target_industry'],
  'every contributing reason is returned');
select is(
  (select o.name from leads.leads l join leads.regional_offices o on o.id = l.office_id
   where l.id = (select (result ->> 'id')::uuid from captured)),
  'Dallas', 'routed to the nearest office by great-circle distance');
select ok(
  (select l.reason_codes @> array['explicit_location', 'nearest_office'] from leads.leads l
   where l.id = (select (result ->> 'id')::uuid from captured)),
  'routing reasons are recorded with the lead');
select is(
  (select p.code from leads.lead_recommendations r join leads.products p on p.id = r.product_id
   where r.lead_id = (select (result ->> 'id')::uuid from captured) and r.rank = 1),
  'INDEX-BLOCK', 'the best product recommendation comes first');
select ok(
  (select bool_and(r.reason <> '') and count(*) >= 3 from leads.lead_recommendations r
   where r.lead_id = (select (result ->> 'id')::uuid from captured)),
  'several products are recommended, each with its reason');
select isnt((select hot_at from leads.leads where id = (select (result ->> 'id')::uuid from captured)), null,
  'the hot milestone is stamped');
select results_eq(
  $$select type from leads.events where lead_id = (select (result ->> 'id')::uuid from captured) order by id$$,
  $$values ('created'::text), ('status_changed'), ('score_changed'), ('assigned')$$,
  'creation, band, score and assignment are all in the history');

-- The same contact within 24 hours merges into the same lead -----------------------------------------
select is(
  (select leads.capture('{"kind":"business","email":"buyer@score.test","formType":"contact_sales"}') ->> 'id'),
  (select result ->> 'id' from captured), 'a repeat within 24 hours returns the same id');
select is((select submissions from leads.leads where id = (select (result ->> 'id')::uuid from captured)), 2,
  'the repeat is counted');
select ok(exists (select 1 from leads.events where lead_id = (select (result ->> 'id')::uuid from captured)
                  and type = 'merged'), 'the merge is in the history');
select is(
  (select leads.capture('{"kind":"business","phone":"+12145550111","email":"other@score.test"}') ->> 'id'),
  (select result ->> 'id' from captured), 'a repeat on the phone number alone also merges');
update leads.leads set created_at = now() - interval '25 hours' where id = (select (result ->> 'id')::uuid from captured);
select isnt(
  (select leads.capture('{"kind":"business","email":"buyer@score.test"}') ->> 'id'),
  (select result ->> 'id' from captured), 'after 24 hours the same contact becomes a new lead');

-- No location at all: the default office, reason no_location -----------------------------------------
create temporary table unlocated as
select leads.capture('{"kind":"consumer","email":"nowhere@score.test","consent":true,"zip":"00001"}'::jsonb) as result;
select is(
  (select o.name from leads.leads l join leads.regional_offices o on o.id = l.office_id
   where l.id = (select (result ->> 'id')::uuid from unlocated)),
  'Houston', 'a lead without coordinates goes to the default office');
select ok(
  (select l.reason_codes @> array['no_location', 'default_office'] from leads.leads l
   where l.id = (select (result ->> 'id')::uuid from unlocated)),
  'and carries the no_location reason');
select is((select result ->> 'status' from unlocated), 'cold', 'a bare consumer lead is cold');

-- Round-robin among an office's sales members ------------------------------------------------------------
select tests.create_supabase_user('rr_one', null, 'sales');
select tests.create_supabase_user('rr_two', null, 'sales');
insert into leads.office_members (office_id, user_id)
select o.id, u.id from leads.regional_offices o,
  (values (tests.get_supabase_uid('rr_one')), (tests.get_supabase_uid('rr_two'))) as u(id)
where o.name = 'Corpus Christi';
create temporary table rr as
select n, (leads.capture(jsonb_build_object('kind', 'business', 'email', 'rr' || n || '@score.test',
  'latitude', 27.8, 'longitude', -97.4)) ->> 'id')::uuid as id
from generate_series(1, 4) n;
select is(
  (select array_agg(c order by c) from (select count(*)::int c from rr join leads.leads l on l.id = rr.id group by l.owner_id) x),
  array[2, 2], 'four leads split evenly between two sales owners');
select ok(
  (select bool_and(a.owner_id <> b.owner_id) from rr r1 join rr r2 on r2.n = r1.n + 1
   join leads.leads a on a.id = r1.id join leads.leads b on b.id = r2.id),
  'consecutive leads go to alternating owners');

-- A person's decision survives rescoring; the score still moves -------------------------------------------
select set_config('leads.reason_code', 'qualified', true);
update leads.leads set status = 'accepted' where id = (select id from rr where n = 1);
select is((select reason_code from leads.events where lead_id = (select id from rr where n = 1)
           and type = 'status_changed' order by id desc limit 1), 'qualified', 'the decision records its reason');
select isnt((select accepted_at from leads.leads where id = (select id from rr where n = 1)), null,
  'the accepted milestone is stamped');
insert into leads.scoring_rules (signal, operator, operand, points, reason_code)
values ('kind', 'eq', '"business"', 50, 'business_kind');
select set_config('test.rr1', (select id::text from rr where n = 1), true);
select tests.authenticate_as_service_role();
select is((leads.score_lead(current_setting('test.rr1')::uuid) ->> 'score')::int, 50,
  'a new rule in the table changes the score: scoring is data');
select tests.clear_authentication();
select is((select status from leads.leads where id = (select id from rr where n = 1)), 'accepted',
  'rescoring never overrides an accepted lead');
select is((select status from leads.leads where id = (select id from rr where n = 2)), 'cold',
  'other leads keep their band until rescored');
create temporary table due_for_rescore as
select count(*)::bigint as n
from leads.leads l
join private.leads_evaluate(private.leads_stored(array(
  select x.id from leads.leads x where x.status in ('new', 'hot', 'warm', 'cold')))) e on e.lead_id = l.id
where (l.score, l.trust_score, l.score_reasons, l.status) is distinct from
      (e.score, e.trust_score, e.reasons, private.leads_scored_status(l.status, e.score));
select ok((select n from due_for_rescore) >= 2, 'the new rule leaves open leads (the test''s own included) due for rescoring');
select is(private.leads_rescore_all(), (select n from due_for_rescore),
  'the nightly rescoring changes exactly the open leads whose score, trust, reasons or band differ');
select is((select status from leads.leads where id = (select id from rr where n = 2)), 'warm',
  'and moves open leads to their new band');

-- Imports: a source's trust feeds the trust score; per-batch duplicates are reported -----------------------
insert into leads.sources (name, type, trust_score) values ('score-test-source', 'directory', 40);
create temporary table imported as
select leads.import_leads('[{"kind":"business","email":"a@import.test","companyName":"A"},
                            {"kind":"business","email":"A@import.test","companyName":"A again"},
                            {"kind":"business","phone":"+13615550100","companyName":"B"}]', 'score-test-source') as result;
select is((select jsonb_array_length(result -> 'inserted') from imported), 2, 'two distinct leads are imported');
select is((select (result -> 'duplicates' -> 0 ->> 'row')::int from imported), 1,
  'the repeated e-mail in the batch is reported as a duplicate');
update leads.sources set trust_score = 95 where name = 'score-test-source';
select is((select trust_score from leads.leads where email = 'a@import.test'), 60,
  'raising a source''s trust rescores its leads (e-mail 20 + company 10 + trusted 15 + highly trusted 15)');
select throws_ok($$select leads.import_leads('[{"kind":"business","email":"x@import.test"}]', 'no-such-source')$$,
  'PT422', 'Unknown lead source "no-such-source".', 'an unknown source is refused with the PT422 convention');
select is((select count(*)::int from leads.leads where email = 'x@import.test'), 0,
  'and nothing of the refused import is written');

-- Engagement signals come from the contracts energy, search and tracking publish (each tested in its
-- owner's 90-contracts file): comparisons, searches, page views and return visits of the session.
select set_config('test.session', gen_random_uuid()::text, true), set_config('test.earlier', gen_random_uuid()::text, true);
insert into energy.plan_comparisons (session_id, usage_kwh, monthly_usage_kwh, result_count)
select current_setting('test.session')::uuid, 1800, array_fill(1800, array[12]), 5 from generate_series(1, 3);
insert into search.queries (session_id, query, normalized, result_count)
select current_setting('test.session')::uuid, 'fixed rate', 'fixed rate', 4 from generate_series(1, 2);
insert into tracking.sessions (id, visitor_id)
values (current_setting('test.session')::uuid, 'leads-test-visitor'),
       (current_setting('test.earlier')::uuid, 'leads-test-visitor');
insert into tracking.events (id, session_id, type, occurred_at)
select gen_random_uuid(), current_setting('test.session')::uuid, 'page_view', now() from generate_series(1, 6);

create temporary table engaged as
select leads.capture(jsonb_build_object('kind', 'consumer', 'email', 'engaged@score.test', 'consent', true,
  'sessionId', current_setting('test.session'))) as result;
select is(
  (select jsonb_build_object('comparisons', s.signals -> 'comparisons', 'searches', s.signals -> 'searches',
                            'pages', s.signals -> 'pages', 'return_visits', s.signals -> 'return_visits',
                            'usage_kwh', s.signals -> 'usage_kwh')
   from private.leads_signals(private.leads_stored(array[(select (result ->> 'id')::uuid from engaged)])) s),
  '{"comparisons": 3, "searches": 2, "pages": 6, "return_visits": 1, "usage_kwh": 1800}'::jsonb,
  'the signals carry the session''s comparisons, searches, page views, return visits and compared usage');
select ok((select (result -> 'reasons') @> '[{"code": "compared_many_plans"}]' from engaged),
  'plan comparisons of the linked session score the lead');
select ok((select (result -> 'reasons') @> '[{"code": "returning_visitor"}]' from engaged),
  'a visitor''s earlier sessions score as return visits');

-- The 15-minute rescoring follows engagement: a lead with a session gets the score its signals give
-- now; a lead with no session (nothing of it changes within the day) is left to the nightly run. Both
-- scores are made stale first, so only a rescore puts them right.
create temporary table sessionless as
select leads.capture(jsonb_build_object('kind', 'consumer', 'email', 'sessionless@score.test', 'consent', true)) as result;
update leads.leads set score = 0, score_reasons = '[]'
where id in (select (result ->> 'id')::uuid from engaged union all select (result ->> 'id')::uuid from sessionless);
select private.leads_rescore_recent();
select is((select score from leads.leads where id = (select (result ->> 'id')::uuid from engaged)),
  (select (result ->> 'score')::int from engaged), 'the recent rescoring rescores a lead with a tracked session');
select is((select score from leads.leads where id = (select (result ->> 'id')::uuid from sessionless)), 0,
  'and leaves a lead without a session to the nightly run');

select * from finish();
rollback;
