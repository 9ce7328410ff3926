-- Row-level security on leads with real roles, each policy allowed and denied: anon never reads or
-- writes; sales see and change their own office's leads; analysts read all and change nothing; admins
-- do everything; a customer sees only leads carrying their own e-mail; support sees none.
begin;
select plan(38);

select tests.create_supabase_user('rls_sales_h', 'rls-sales-h@test.local', 'sales');
select tests.create_supabase_user('rls_sales_d', 'rls-sales-d@test.local', 'sales');
select tests.create_supabase_user('rls_analyst', 'rls-analyst@test.local', 'analyst');
select tests.create_supabase_user('rls_admin', 'rls-admin@test.local', 'admin');
select tests.create_supabase_user('rls_support', 'rls-support@test.local', 'support');
select tests.create_supabase_user('rls_customer', 'RLS-Buyer@Test.local');

insert into leads.office_members (office_id, user_id)
select o.id, tests.get_supabase_uid('rls_sales_h') from leads.regional_offices o where o.name = 'Houston'
union all
select o.id, tests.get_supabase_uid('rls_sales_d') from leads.regional_offices o where o.name = 'Dallas';

-- Three leads in a date range nobody else uses: Houston (the customer's e-mail), Dallas, unrouted.
insert into leads.leads (id, kind, email, consent, office_id, created_at, score, trust_score)
values
  ('aaaaaaaa-0000-4000-8000-000000000001', 'consumer', 'rls-buyer@test.local', true,
   (select id from leads.regional_offices where name = 'Houston'), '2001-01-01 10:00+00', 80, 40),
  ('aaaaaaaa-0000-4000-8000-000000000002', 'business', 'plant@rls-dallas.test', false,
   (select id from leads.regional_offices where name = 'Dallas'), '2001-01-01 11:00+00', 30, 90),
  ('aaaaaaaa-0000-4000-8000-000000000003', 'business', 'nobody@rls.test', false, null, '2001-01-01 12:00+00', 50, 50);

create temporary view my_leads with (security_invoker = true) as
  select id from leads.leads
  where id in ('aaaaaaaa-0000-4000-8000-000000000001', 'aaaaaaaa-0000-4000-8000-000000000002',
               'aaaaaaaa-0000-4000-8000-000000000003');
grant select on my_leads to anon, authenticated;

-- anon ------------------------------------------------------------------------------------------------
select tests.authenticate_as_anon();
select throws_ok($$select * from leads.leads$$, '42501', null, 'anon cannot read leads');
select throws_ok($$insert into leads.leads (kind, email) values ('business', 'anon@x.test')$$, '42501', null,
  'anon cannot insert leads directly (only through the capture function)');
select throws_ok($$select * from leads.events$$, '42501', null, 'anon cannot read lead events');
select throws_ok($$select * from leads.regional_offices$$, '42501', null, 'anon cannot read offices');
select throws_ok($$select leads.capture('{"kind":"business","email":"a@b.test"}')$$, '42501', null,
  'anon cannot execute the capture RPC');

-- sales (Houston) --------------------------------------------------------------------------------------
select tests.authenticate_as('rls_sales_h');
select results_eq($$select id from my_leads$$, $$values ('aaaaaaaa-0000-4000-8000-000000000001'::uuid)$$,
  'sales see only their office''s leads');
select is_empty($$update leads.leads set status = 'accepted' where id = 'aaaaaaaa-0000-4000-8000-000000000002' returning id$$,
  'sales cannot change another office''s lead');
select results_eq($$update leads.leads set status = 'accepted' where id = 'aaaaaaaa-0000-4000-8000-000000000001' returning status$$,
  $$values ('accepted'::text)$$, 'sales change their own office''s lead');
select throws_ok(
  $$update leads.leads set office_id = (select id from leads.regional_offices where name = 'Dallas')
    where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$,
  '42501', null, 'sales cannot hand a lead to an office they do not work for');
select throws_ok($$update leads.leads set score = 100 where id = 'aaaaaaaa-0000-4000-8000-000000000001'$$,
  '42501', null, 'nobody sets a score by hand');
select throws_ok($$insert into leads.leads (kind, email) values ('business', 'sales@x.test')$$, '42501', null,
  'sales cannot insert leads');
select is_empty($$select id from leads.events where lead_id = 'aaaaaaaa-0000-4000-8000-000000000002'$$,
  'sales cannot read another office''s lead history');
select results_eq(
  $$insert into leads.events (lead_id, type, note, actor_id) values ('aaaaaaaa-0000-4000-8000-000000000001', 'feedback',
    'Called, wants a quote', auth.uid()) returning type$$,
  $$values ('feedback'::text)$$, 'sales add feedback to their own lead (one row written)');
select throws_ok(
  $$insert into leads.events (lead_id, type, note, actor_id) values ('aaaaaaaa-0000-4000-8000-000000000002', 'feedback',
    'sneaky', auth.uid())$$,
  '42501', null, 'sales cannot add feedback to another office''s lead');
select throws_ok(
  $$insert into leads.events (lead_id, type, to_value, actor_id) values ('aaaaaaaa-0000-4000-8000-000000000001',
    'status_changed', 'converted', auth.uid())$$,
  '42501', null, 'users cannot forge status history');
select throws_ok($$update leads.events set note = 'rewritten' where lead_id = 'aaaaaaaa-0000-4000-8000-000000000001'$$,
  '42501', null, 'history is append-only for users');
select is((leads.dashboard_summary('2001-01-01', '2001-01-02') ->> 'total')::int, 1,
  'sales dashboards count only their office''s leads');

-- sales (Dallas) sees the other one -------------------------------------------------------------------
select tests.authenticate_as('rls_sales_d');
select results_eq($$select id from my_leads$$, $$values ('aaaaaaaa-0000-4000-8000-000000000002'::uuid)$$,
  'another office''s sales rep sees their own lead only');
select isnt_empty($$select id from leads.events where lead_id = 'aaaaaaaa-0000-4000-8000-000000000002'$$,
  'sales read the history of their own office''s leads');

-- analyst ---------------------------------------------------------------------------------------------
select tests.authenticate_as('rls_analyst');
select is((select count(*)::int from my_leads), 3, 'analysts read every lead');
select is_empty($$update leads.leads set status = 'rejected' where id = 'aaaaaaaa-0000-4000-8000-000000000002' returning id$$,
  'analysts cannot change leads');
select is_empty($$delete from leads.leads where id = 'aaaaaaaa-0000-4000-8000-000000000002' returning id$$,
  'analysts cannot delete leads');
select throws_ok(
  $$insert into leads.events (lead_id, type, note, actor_id) values ('aaaaaaaa-0000-4000-8000-000000000002', 'feedback',
    'analyst note', auth.uid())$$,
  '42501', null, 'analysts cannot write feedback');
select is((leads.dashboard_summary('2001-01-01', '2001-01-02') ->> 'total')::int, 3, 'analyst dashboards count all leads');

-- admin -----------------------------------------------------------------------------------------------
select tests.authenticate_as('rls_admin');
select is((select count(*)::int from my_leads), 3, 'admins read every lead');
select results_eq($$update leads.leads set status = 'rejected' where id = 'aaaaaaaa-0000-4000-8000-000000000002' returning id$$,
  $$values ('aaaaaaaa-0000-4000-8000-000000000002'::uuid)$$, 'admins change any lead');
select results_eq($$delete from leads.leads where id = 'aaaaaaaa-0000-4000-8000-000000000003' returning id$$,
  $$values ('aaaaaaaa-0000-4000-8000-000000000003'::uuid)$$, 'admins delete leads');
select results_eq(
  $$update leads.scoring_rules set points = points where reason_code = 'phone_given' and dimension = 'score' returning reason_code$$,
  $$values ('phone_given'::text)$$, 'admins edit scoring rules (the row is changed, not filtered)');

-- customer --------------------------------------------------------------------------------------------
select tests.authenticate_as('rls_customer');
select results_eq($$select id from my_leads$$, $$values ('aaaaaaaa-0000-4000-8000-000000000001'::uuid)$$,
  'a customer sees the lead carrying their own e-mail (case-insensitive)');
select is_empty($$update leads.leads set status = 'converted' where id = 'aaaaaaaa-0000-4000-8000-000000000001' returning id$$,
  'a customer cannot change their lead');
select is_empty($$select id from leads.regional_offices$$, 'customers do not see offices');
select is_empty($$select id from leads.events where lead_id = 'aaaaaaaa-0000-4000-8000-000000000001'$$,
  'customers do not read the internal history of their own lead');
select is_empty($$select id from leads.scoring_rules$$, 'customers do not see scoring rules');
select throws_ok($$select leads.dashboard_summary('2001-01-01', '2001-01-02')$$, 'PT403', null,
  'customers cannot use the dashboards (PT403)');

-- support ---------------------------------------------------------------------------------------------
select tests.authenticate_as('rls_support');
select is_empty($$select id from my_leads$$, 'support staff do not read leads');
select is_empty($$update leads.scoring_rules set points = 0 returning id$$, 'non-admins cannot change scoring rules');

-- realtime: the leads dashboard topic is for lead staff only --------------------------------------------
select tests.clear_authentication();
select set_config('realtime.topic', 'leads:dashboard', true);
insert into realtime.messages (topic, extension, payload, event, private)
values ('leads:dashboard', 'broadcast', '{"id":"x"}', 'lead_hot', true);
select tests.authenticate_as('rls_analyst');
select isnt_empty($$select 1 from realtime.messages where topic = 'leads:dashboard'$$,
  'analysts receive the leads dashboard broadcasts');
select tests.authenticate_as('rls_customer');
select is_empty($$select 1 from realtime.messages where topic = 'leads:dashboard'$$,
  'customers do not receive the leads dashboard broadcasts');

select * from finish();
rollback;
