-- Every pg_cron job's command runs as pg_cron runs it, through private.run_job, and succeeds: a job whose
-- command fails (a wrong result type, a renamed function) is recorded as failed and its work rolled back
-- every time, silently. All of it runs in this transaction and is rolled back.
begin;
select plan(2);

select ok((select count(*) from cron.job) >= 10, 'the jobs are scheduled');
do $$
declare
  job record;
begin
  for job in select j.command from cron.job j order by j.jobname loop
    execute job.command;
  end loop;
end;
$$;
select is_empty(
  $$select job_name || ': ' || coalesce(error, '') from ops.job_runs where started_at >= now() and status <> 'succeeded'$$,
  'every cron job''s command succeeds through run_job');

select * from finish();
rollback;
