// POST /pipeline/vending-process: drains the vending queue's default lane (pg_cron's recovery tick and
// each batch upload wake it through pg_net). One worker per lane holds a lease; it keeps at most
// VENDING_CONCURRENCY vendor calls in flight and stops claiming before the edge function's
// wall-clock limit; whatever is left waits for the next wake.
import { processQueue } from "../../../shared/vending/worker.ts";
import { vendingEnv } from "../../../shared/vending/config.ts";
import { vendorDeps } from "../../../shared/vending/service.ts";
import { log } from "../../../shared/log.ts";
import type { PipelineJob } from "./job.ts";

async function run(): Promise<Record<string, unknown>> {
  const report = await processQueue(vendorDeps(), {
    concurrency: vendingEnv().VENDING_CONCURRENCY,
    budgetMs: 45_000,
  });
  log("info", "vending queue worked", { ...report });
  return { ...report };
}

export const vendingProcess: PipelineJob = {
  name: "vending-process",
  description: "Works the vending queue: submits, requeries, settles (bounded concurrency, breaker).",
  run,
};
