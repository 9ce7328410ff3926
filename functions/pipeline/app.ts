// pipeline: the HTTP end of pg_cron jobs (pg_net posts to /functions/v1/pipeline/<job>). Each job is
// a module in jobs/ with a name and a handler; other modules add theirs to JOBS. Only the service key
// may trigger a job (requireService): the platform's verify_jwt is off for this function, because it
// cannot verify sb_secret_ keys, so the function verifies its caller itself.
import { z } from "zod";
import { createApp, jsonResponse, requireService, route } from "../../shared/http.ts";
import type { ErrorStatus } from "../../shared/openapi.ts";
import type { PipelineJob } from "./jobs/job.ts";
import { plansImport } from "./jobs/plans-import.ts";
import { vendingProcess } from "./jobs/vending-process.ts";
import { vendingRefresh } from "./jobs/vending-refresh.ts";

export const JOBS: PipelineJob[] = [plansImport, vendingProcess, vendingRefresh];

const app = createApp("pipeline", {
  globalRateLimit: false,
  description: "Jobs pg_cron triggers through pg_net; service key only.",
});
const service = requireService();

for (const job of JOBS) {
  app.openapi(
    route({
      method: "post",
      path: `/${job.name}`,
      summary: job.description,
      tags: ["jobs"],
      middleware: [service],
      request: job.request,
      responses: { 200: jsonResponse(z.looseObject({}), "The job's report.") },
      errors: job.errors as Partial<Record<ErrorStatus, string>>,
    }),
    async (c) => c.json(await job.run(c), 200),
  );
}

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "The jobs this function runs",
    tags: ["jobs"],
    middleware: [service],
    responses: {
      200: jsonResponse(
        z.object({ jobs: z.array(z.object({ name: z.string(), description: z.string() })) }),
        "Every job with what it does.",
      ),
    },
  }),
  (c) => c.json({ jobs: JOBS.map((job) => ({ name: job.name, description: job.description })) }, 200),
);

export default app;
