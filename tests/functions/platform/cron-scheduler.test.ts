// pg_cron's scheduler runs the stack's jobs after a database rebuild (`./dev test` and `./dev reset`
// rebuild before anything runs). Debian's pg_cron 1.4 scheduler can stop running jobs for good when the
// rebuild drops and creates the extension under it (supabase/local/postgres.ts restartPostgres), which
// froze rollups and pipelines without an error anywhere. Several jobs run every minute: within a minute
// and a bit after the rebuild at least one has run and been recorded.
import assert from "node:assert/strict";
import { dbTest, eventually, sql } from "../../support/harness.ts";

dbTest("pg_cron runs the migrations' every-minute jobs after the rebuild", async () => {
  const [{ minutely }] = await sql()<{ minutely: number }[]>`
    select count(*)::int as minutely from cron.job where schedule = '* * * * *' and active`;
  assert.ok(minutely > 0, "the migrations schedule every-minute jobs");
  const runs = await eventually(async () => {
    const [{ succeeded }] = await sql()<{ succeeded: number }[]>`
      select count(*)::int as succeeded from cron.job_run_details d join cron.job j using (jobid)
      where j.schedule = '* * * * *' and d.status = 'succeeded'`;
    return succeeded;
  }, 75_000);
  assert.ok(runs > 0);
});
