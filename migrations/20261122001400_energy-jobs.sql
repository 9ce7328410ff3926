-- Energy and search pipelines on pg_cron, each recorded in ops.job_runs through private.run_job:
--   energy-plans-import        every 6 hours: pg_net → POST /functions/v1/pipeline/plans-import
--   energy-market-analytics    every 6 hours, 30 minutes after the import (the import also runs it)
--   search-refresh-documents   daily (the import also runs it)
--   energy-cleanup-expired     hourly: expired feed cache rows, old query logs and import reports

-- Queues one import request per enabled feed through private.invoke_function (URL and key from Vault).
create or replace function private.request_plans_import() returns bigint
language sql volatile set search_path = '' as $$
  select count(private.invoke_function('pipeline/plans-import', jsonb_build_object('feedUrl', f.url), 120000))
  from energy.feed_sources f
  where f.enabled
$$;

create or replace function private.cleanup_energy_expired() returns bigint
language sql volatile set search_path = '' as $$
  with cache as (
    delete from energy.feed_cache where expires_at < now() returning 1
  ), queries as (
    delete from search.queries where created_at < now() - interval '400 days' returning 1
  ), reports as (
    delete from energy.plan_import_rejections r
    using energy.plan_imports i
    where i.id = r.import_id and i.started_at < now() - interval '90 days'
    returning 1
  )
  select (select count(*) from cache) + (select count(*) from queries) + (select count(*) from reports)
$$;
grant execute on function private.request_plans_import(), private.cleanup_energy_expired() to service_role;

select cron.schedule('energy-plans-import', '7 */6 * * *',
  $$select private.run_job('energy-plans-import', 'select private.request_plans_import()')$$);
select cron.schedule('energy-market-analytics', '37 */6 * * *',
  $$select private.run_job('energy-market-analytics', 'select private.refresh_market_stats()')$$);
select cron.schedule('search-refresh-documents', '12 4 * * *',
  $$select private.run_job('search-refresh-documents', 'select private.refresh_search_documents()')$$);
select cron.schedule('energy-cleanup-expired', '25 * * * *',
  $$select private.run_job('energy-cleanup-expired', 'select private.cleanup_energy_expired()')$$);
