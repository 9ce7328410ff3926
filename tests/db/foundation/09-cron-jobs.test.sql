-- Every pg_cron job's command runs as pg_cron runs it, through private.run_job, and succeeds: a job whose
-- command fails (a wrong result type, a renamed function) is recorded as failed and its work rolled back
-- every time, silently. A deliberately failing job scheduled here proves the check sees a failure. All of
-- it runs in this transaction and is rolled back.
begin;
select plan(3);

select cron.schedule('test-deliberately-failing', '* * * * *',
  $$select private.run_job('test-deliberately-failing', 'select ''{"rows": 1}''::jsonb::bigint')$$);
select is_empty($$select jobname from cron.job where command !~ '^select private\.run_job\('$$,
  'every cron job runs through private.run_job');

create temporary table cron_runs (run_id bigint) on commit drop;
do $$
declare
  job record;
  run_id bigint;
begin
  for job in select j.command from cron.job j order by j.jobname loop
    execute job.command into run_id;
    insert into cron_runs values (run_id);
  end loop;
end;
$$;
-- Only this transaction's runs: pg_cron's own runs of the same jobs may commit meanwhile.
select is((select count(distinct r.id) from ops.job_runs r join cron_runs c on c.run_id = r.id),
  (select count(*) from cron.job), 'each job recorded one run');
select results_eq(
  $$select r.job_name from ops.job_runs r join cron_runs c on c.run_id = r.id where r.status <> 'succeeded'$$,
  $$values ('test-deliberately-failing'::text)$$,
  'every cron job''s command succeeds through run_job (only the deliberate failure fails)');

select * from finish();
rollback;
