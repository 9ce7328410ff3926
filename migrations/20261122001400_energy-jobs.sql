-- Energy pipelines on pg_cron, each recorded in ops.job_runs through private.run_job:
--   energy-plans-import        every 6 hours: pg_net → POST /functions/v1/pipeline/plans-import
--   energy-market-analytics    every 6 hours, 30 minutes after the import (the import also runs it)
--   energy-cleanup-expired     hourly: expired feed cache rows and old import reports

-- Queues one import request per enabled feed through private.invoke_function (URL and key from Vault).
create or replace function private.request_plans_import() returns bigint
language sql volatile set search_path = '' as $$
  select count(private.invoke_function('pipeline/plans-import', jsonb_build_object('feedUrl', f.url), 120000))
  from energy.feed_sources f
  where f.enabled
$$;
comment on function private.request_plans_import() is
  'Queues one pg_net POST to pipeline/plans-import per enabled energy.feed_sources row; returns the requests queued.';

create or replace function private.energy_cleanup_expired() returns bigint
language sql volatile set search_path = '' as $$
  with cache as (
    delete from energy.feed_cache where expires_at < now() returning 1
  ), reports as (
    delete from energy.plan_import_rejections r
    using energy.plan_imports i
    where i.id = r.import_id and i.started_at < now() - interval '90 days'
    returning 1
  )
  select (select count(*) from cache) + (select count(*) from reports)
$$;
comment on function private.energy_cleanup_expired() is
  'Deletes expired energy.feed_cache rows and rejection reports older than 90 days; returns the rows removed.';
grant execute on function private.request_plans_import(), private.energy_cleanup_expired() to service_role;

select cron.schedule('energy-plans-import', '7 */6 * * *',
  $$select private.run_job('energy-plans-import', 'select private.request_plans_import()')$$);
select cron.schedule('energy-market-analytics', '37 */6 * * *',
  $$select private.run_job('energy-market-analytics', 'select private.refresh_market_stats()')$$);
select cron.schedule('energy-cleanup-expired', '25 * * * *',
  $$select private.run_job('energy-cleanup-expired', 'select private.energy_cleanup_expired()')$$);
