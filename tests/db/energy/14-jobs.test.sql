-- The energy pg_cron jobs: their schedules, the pg_net call of the plan import (URL and key from
-- Vault), the market statistics refresh and the cleanup of expired rows.
begin;
select plan(13);

select results_eq($$select jobname::text collate "default", schedule::text collate "default" from cron.job where jobname in
    ('energy-plans-import', 'energy-market-analytics', 'energy-cleanup-expired') order by jobname$$,
  $$values ('energy-cleanup-expired'::text, '25 * * * *'::text), ('energy-market-analytics', '37 */6 * * *'),
           ('energy-plans-import', '7 */6 * * *')$$,
  'the three jobs are scheduled (the import every 6 hours)');
select is((select count(*)::int from cron.job where jobname like 'energy-%' and command ~ 'private\.run_job'), 3,
  'every energy job runs through private.run_job');

delete from vault.secrets where name in ('project_url', 'service_role_key');
select vault.create_secret('http://127.0.0.1:1', 'project_url');
select vault.create_secret('test-service-key', 'service_role_key');
select is(private.run_job('energy-plans-import', 'select private.request_plans_import()') > 0, true, 'the import job runs');
select is((select rows_touched from ops.job_runs where job_name = 'energy-plans-import' order by id desc limit 1), 1::bigint,
  'one request is queued per enabled feed');
select results_eq($$select url, headers ->> 'Authorization', convert_from(body, 'UTF8')::jsonb ->> 'feedUrl'
                    from net.http_request_queue order by id desc limit 1$$,
  $$values ('http://127.0.0.1:1/functions/v1/pipeline/plans-import'::text, 'Bearer test-service-key'::text,
            'http://www.powertochoose.org/en-us/Plan/ExportToCsv'::text)$$,
  'pg_net posts to the pipeline with the Vault URL and key');

delete from vault.secrets where name = 'service_role_key';
select private.run_job('energy-plans-import', 'select private.request_plans_import()');
select is((select status from ops.job_runs where job_name = 'energy-plans-import' order by id desc limit 1), 'failed',
  'without its Vault secrets the job fails on record');

update energy.plans set price_1000 = 0.0100 where id = (select min(id) from energy.plans where tdsp_id = 4 and active and language = 'English');
select private.run_job('energy-market-analytics', 'select private.refresh_market_stats()');
select is((select cheapest_cents_1000 from energy.tdsp_market_stats where tdsp_id = 4),
  (select round((1000 * 0.0100 + monthly_charge + 1000 * per_kwh_charge) / 10, 3) from energy.tdsp_charges_on(current_date) where tdsp_id = 4),
  'market stats: cheapest all-in ¢/kWh at 1000 kWh');
select is((select cheapest_cents_1000 from energy.city_market_stats where city_id = (select id from energy.cities where name = 'Abilene')),
  (select cheapest_cents_1000 from energy.tdsp_market_stats where tdsp_id = 4), 'city stats follow their TDSP');
select ok((select median_cents_1000 > cheapest_cents_1000 and renewable_share between 0 and 1 from energy.tdsp_market_stats where tdsp_id = 4),
  'median and renewable share are computed');

insert into energy.feed_cache (url, body_sha256, expires_at) values ('http://old.example/feed', 'x', now() - interval '1 hour'),
  ('http://new.example/feed', 'y', now() + interval '1 hour');
insert into energy.plan_imports (source, status, started_at) values ('upload', 'rejected', now() - interval '91 days')
  returning id as old_import \gset
insert into energy.plan_imports (source, status, started_at) values ('upload', 'rejected', now() - interval '89 days')
  returning id as recent_import \gset
insert into energy.plan_import_rejections (import_id, line, reason)
values (:old_import, 2, 'old'), (:old_import, 3, 'old'), (:recent_import, 2, 'recent');
select private.run_job('energy-cleanup-expired', 'select private.energy_cleanup_expired()');
select is((select rows_touched from ops.job_runs where job_name = 'energy-cleanup-expired' order by id desc limit 1), 3::bigint,
  'the cleanup removes exactly the expired cache row and the two old rejection lines');
select is_empty($$select 1 from energy.feed_cache where url = 'http://old.example/feed'$$, 'expired cache rows are removed');
select is((select count(*)::int from energy.feed_cache where url = 'http://new.example/feed'), 1, 'fresh ones stay');
select is((select reason from energy.plan_import_rejections where import_id = :recent_import), 'recent',
  'rejection reports younger than 90 days stay');

select * from finish();
rollback;
