-- pg_cron job definitions and the job bookkeeping every pipeline uses.
begin;
select plan(13);

select is((select schedule from cron.job where jobname = 'ops-prune-history'), '17 3 * * *',
  'ops-prune-history is scheduled daily');
select matches((select command from cron.job where jobname = 'ops-prune-history'), 'private\.run_job',
  'the cron job runs through private.run_job');

select ok(private.run_job('test-succeeds', 'select 42::bigint') > 0, 'run_job returns the run id');
select results_eq($$select status, rows_touched, error from ops.job_runs where job_name = 'test-succeeds'$$,
  $$values ('succeeded'::text, 42::bigint, null::text)$$, 'a successful run is recorded with rows touched');

select private.run_job('test-summary', $q$select jsonb_build_object('rows', 7, 'pages', 2)$q$);
select results_eq($$select status, rows_touched, details from ops.job_runs where job_name = 'test-summary'$$,
  $$values ('succeeded'::text, 7::bigint, '{"rows": 7, "pages": 2}'::jsonb)$$,
  'a jsonb summary is kept as details, its rows member as rows touched');
select private.run_job('test-text', $q$select 'done'::text$q$);
select results_eq($$select status, rows_touched, details from ops.job_runs where job_name = 'test-text'$$,
  $$values ('succeeded'::text, null::bigint, '{}'::jsonb)$$, 'any other result still records success');

create temporary table job_probe (n int);
select private.run_job('test-fails', 'insert into job_probe values (1); select 1/0');
select results_eq($$select status, error from ops.job_runs where job_name = 'test-fails'$$,
  $$values ('failed'::text, 'division by zero'::text)$$, 'a failing run is recorded with its error');
select is_empty($$select * from job_probe$$, 'a failed run rolls back its own writes');

insert into ops.job_runs (job_name, started_at, finished_at, status) values ('ancient', now() - interval '40 days', now() - interval '40 days', 'succeeded');
select ok(private.prune_ops_history() >= 1, 'prune_ops_history removes old runs');
select is_empty($$select * from ops.job_runs where job_name = 'ancient'$$, 'old runs are gone');

-- private.invoke_function: pg_net to /functions/v1/<path> with URL and key from Vault
delete from vault.secrets where name in ('project_url', 'service_role_key');
select throws_like($$select private.invoke_function('health')$$, '%vault secrets project_url and service_role_key%',
  'invoke_function refuses to run without its Vault secrets');
select vault.create_secret('http://127.0.0.1:9/', 'project_url');
select vault.create_secret('test-key', 'service_role_key');
select ok(private.invoke_function('/pipeline/some-job', '{"n":1}', 1500) > 0, 'invoke_function queues a request');
select results_eq(
  $$select url, headers ->> 'Authorization', convert_from(body, 'UTF8')::jsonb, timeout_milliseconds
    from net.http_request_queue order by id desc limit 1$$,
  $$values ('http://127.0.0.1:9/functions/v1/pipeline/some-job'::text, 'Bearer test-key'::text, '{"n":1}'::jsonb, 1500)$$,
  'the request goes to the function with the service key from Vault');

select * from finish();
rollback;
