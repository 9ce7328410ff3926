import type { AppContext } from "../../../shared/http.ts";

/** One pipeline job: POST /pipeline/<name>. */
export interface PipelineJob {
  name: string;
  description: string;
  run(c: AppContext): Promise<Response>;
}
