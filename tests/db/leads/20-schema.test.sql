-- Leads schema shape, RLS coverage, privileges of the RPCs, and the pg_cron jobs it declares.
begin;
select plan(27);

select has_schema('leads');
select has_table('leads', 'leads', 'leads.leads exists');
select has_table('leads', 'events', 'leads.events exists');
select has_table('leads', 'sources', 'leads.sources exists');
select has_table('leads', 'products', 'leads.products exists');
select has_table('leads', 'regional_offices', 'leads.regional_offices exists');
select has_table('leads', 'scoring_rules', 'scoring rules are a table');
select has_table('ops', 'outbound_webhooks', 'the outbox lives in ops');
select columns_are('leads', 'regional_offices', array['id', 'name', 'region', 'address', 'city', 'state',
  'contact_email', 'contact_phone', 'latitude', 'longitude', 'active', 'is_default', 'created_at']);
select has_column('leads', 'leads', 'session_id', 'leads carry the tracking session');
select col_type_is('leads', 'leads', 'session_id', 'uuid', 'session_id is a uuid');
select col_is_null('leads', 'leads', 'session_id', 'session_id is optional');
select col_type_is('leads', 'leads', 'reason_codes', 'text[]', 'reason codes are a text array');

select is_empty(
  $$select t from tests.tables_without_rls() t where t like 'leads.%' or t like 'ops.%'$$,
  'every leads and ops table has row-level security enabled');

-- Constraints protect the model whatever path writes it.
select throws_ok(
  $$insert into leads.leads (kind, email, consent) values ('consumer', 'a@b.test', false)$$,
  '23514', null, 'a consumer lead without consent is refused');
select throws_ok(
  $$insert into leads.leads (kind, company_name) values ('business', 'No Contact Inc')$$,
  '23514', null, 'a lead without e-mail or phone is refused');
select throws_ok(
  $$insert into leads.leads (kind, phone) values ('business', '713-555-0100')$$,
  '23514', null, 'phones are stored in E.164 only');
select throws_ok(
  $$insert into leads.leads (kind, email, status) values ('business', 'x@y.test', 'lukewarm')$$,
  '23514', null, 'status is one of the seven workflow states');

-- Privileges: capture and import are service-only; dashboards and scoring are granted to users.
select ok(not has_function_privilege('anon', 'leads.capture(jsonb)', 'execute'), 'anon cannot call leads.capture directly');
select ok(not has_function_privilege('authenticated', 'leads.import_leads(jsonb, text)', 'execute'),
  'authenticated cannot call leads.import_leads');
select ok(has_function_privilege('service_role', 'leads.capture(jsonb)', 'execute'), 'service_role captures');
select ok(has_function_privilege('authenticated', 'leads.dashboard_summary(timestamptz, timestamptz)', 'execute'),
  'dashboards are browser-callable');
select ok(not has_function_privilege('authenticated', 'ops.deliver_outbound_webhooks()', 'execute'),
  'users cannot drive webhook delivery');

-- pg_cron jobs, minute granularity, recorded through private.run_job.
select is(
  (select array_agg(jobname || ' ' || schedule order by jobname) from cron.job
   where jobname in ('leads-compact-rollup', 'leads-rescore-recent', 'leads-rescore-nightly', 'ops-deliver-webhooks')),
  array['leads-compact-rollup * * * * *', 'leads-rescore-nightly 40 2 * * *', 'leads-rescore-recent */15 * * * *',
        'ops-deliver-webhooks * * * * *']::text[],
  'rescoring and webhook delivery are scheduled');
select ok((select bool_and(command like '%private.run_job(%') from cron.job
           where jobname in ('leads-compact-rollup', 'leads-rescore-recent', 'leads-rescore-nightly', 'ops-deliver-webhooks')),
  'every job records itself in ops.job_runs');

-- The jobs really run: a failing or succeeding run lands in ops.job_runs.
select lives_ok($$select private.run_job('leads-rescore-recent', 'select private.leads_rescore_recent()')$$,
  'the recent rescoring job runs');
select is((select status from ops.job_runs where job_name = 'leads-rescore-recent' order by id desc limit 1),
  'succeeded', 'and records a successful run');

select * from finish();
rollback;
