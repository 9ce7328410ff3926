import type { RouteConfig } from "@hono/zod-openapi";
import type { AppContext } from "../../../shared/http.ts";

/** One pipeline job: POST /pipeline/<name>, service key only. */
export interface PipelineJob {
  name: string;
  description: string;
  /** The request the job takes, as route() declares it (documented and validated). */
  request?: RouteConfig["request"];
  /** Errors the job answers besides the kernel's, with their meaning. */
  errors?: Record<number, string>;
  /** Runs the job and returns its report (answered as 200 JSON); refusals are thrown HttpErrors. */
  run(c: AppContext): Promise<Record<string, unknown>>;
}
