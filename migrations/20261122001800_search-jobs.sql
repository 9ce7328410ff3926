-- Search pipelines on pg_cron, each recorded in ops.job_runs through private.run_job:
--   search-refresh-documents   daily (the plan import also runs it)
--   search-prune-queries       daily: query logs older than 400 days (the longest analytics window)

create or replace function private.search_prune_queries() returns bigint
language sql volatile set search_path = '' as $$
  with pruned as (
    delete from search.queries where created_at < now() - interval '400 days' returning 1
  )
  select count(*) from pruned
$$;
grant execute on function private.search_prune_queries() to service_role;
comment on function private.search_prune_queries() is
  'Deletes logged queries older than 400 days; returns the rows removed.';

select cron.schedule('search-refresh-documents', '12 4 * * *',
  $$select private.run_job('search-refresh-documents', 'select private.refresh_search_documents()')$$);
select cron.schedule('search-prune-queries', '42 4 * * *',
  $$select private.run_job('search-prune-queries', 'select private.search_prune_queries()')$$);
