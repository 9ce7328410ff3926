// POST /pipeline/marketing-send: the marketing send job, woken by pg_cron's marketing-tick (and right
// after a subscribe queues a confirmation) through pg_net. Body {} or {"maxMessages": n} to cap the run.
// See shared/marketing/sender.ts.
import { z } from "zod";
import { readJson } from "../../../shared/http.ts";
import { runSendJob } from "../../../shared/marketing/sender.ts";
import type { PipelineJob } from "./job.ts";

const SendRequest = z.strictObject({
  maxMessages: z.number().int().min(1).max(100_000).optional(),
  deadlineMs: z.number().int().min(100).max(55_000).optional(),
});

export const marketingSend: PipelineJob = {
  name: "marketing-send",
  description: "Renders due marketing e-mail from the outbox and hands it to the provider (Resend).",
  request: { body: { required: false, content: { "application/json": { schema: SendRequest } } } },
  async run(c) {
    return { ...(await runSendJob(await readJson(c, SendRequest))) };
  },
};
