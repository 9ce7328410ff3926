-- The search pg_cron jobs: their schedules, the document refresh (changes picked up, retired plans
-- removed, unchanged documents left alone) and the pruning of old query logs.
begin;
select plan(8);

select results_eq($$select jobname::text collate "default", schedule::text collate "default" from cron.job
                    where jobname like 'search-%' order by jobname$$,
  $$values ('search-prune-queries'::text, '42 4 * * *'::text), ('search-refresh-documents', '12 4 * * *')$$,
  'the two search jobs are scheduled daily');
select is((select count(*)::int from cron.job where jobname like 'search-%' and command ~ 'private\.run_job'), 2,
  'every search job runs through private.run_job');

select is(private.refresh_search_documents(), 0::bigint, 'a refresh with nothing changed writes nothing');
update energy.providers set name = 'Renamed Power Co' where id = (select min(id) from energy.providers);
update energy.plans set active = false where id = (select min(id) from energy.plans where active and language = 'English');
select private.run_job('search-refresh-documents', 'select private.refresh_search_documents()');
select is((select label from search.documents where doc_type = 'provider' and ref_id = (select min(id)::text from energy.providers)),
  'Renamed Power Co', 'the refresh picks up a renamed provider');
select is_empty($$select 1 from search.documents d join energy.plans p on d.doc_type = 'plan' and d.ref_id = p.id::text
                  where not p.active$$, 'and removes the document of a retired plan');
select is((select rows_touched from ops.job_runs where job_name = 'search-refresh-documents' order by id desc limit 1),
  (select count(*) + 1 from search.documents where refreshed_at = now()),
  'the run is on record with the documents it rewrote (this transaction''s) and the one it removed');

insert into search.queries (query, normalized, result_count, created_at)
values ('old', 'old', 1, now() - interval '401 days'), ('recent', 'recent', 1, now() - interval '399 days');
select private.run_job('search-prune-queries', 'select private.search_prune_queries()');
select is((select rows_touched from ops.job_runs where job_name = 'search-prune-queries' order by id desc limit 1), 1::bigint,
  'pruning removes exactly the query older than 400 days');
select is((select count(*)::int from search.queries where query in ('old', 'recent')), 1, 'the younger one stays');

select * from finish();
rollback;
