// pipeline: the HTTP end of pg_cron jobs (pg_net posts to /functions/v1/pipeline/<job>). Each job is
// a module in jobs/ with a name and a handler; other modules add theirs to JOBS. Only the service
// role may trigger a job: requireRole with no staff roles lets service_role alone through.
import { requireRole } from "../../shared/auth.ts";
import { caller, createApp } from "../../shared/http.ts";
import type { PipelineJob } from "./jobs/job.ts";
import { plansImport } from "./jobs/plans-import.ts";
import { vendingProcess } from "./jobs/vending-process.ts";
import { vendingRefresh } from "./jobs/vending-refresh.ts";

export const JOBS: PipelineJob[] = [plansImport, vendingProcess, vendingRefresh];

const app = createApp("pipeline", { globalRateLimit: false });

for (const job of JOBS) {
  app.post(`/${job.name}`, async (c) => {
    requireRole(await caller(c), []);
    return await job.run(c);
  });
}

app.get("/", async (c) => {
  requireRole(await caller(c), []);
  return c.json({ jobs: JOBS.map((job) => ({ name: job.name, description: job.description })) });
});

export default app;
