import type { Caller } from "../../shared/auth.ts";
import { forbidden, unauthorized } from "../../shared/errors.ts";

/** Pipeline jobs run with the service role key (pg_net from pg_cron, or an operator); nobody else. */
export function requireServiceRole(who: Caller): void {
  if (who.role === "service_role") return;
  if (who.role === "anon") throw unauthorized("Pipeline jobs need the service role key.");
  throw forbidden("Pipeline jobs need the service role key.");
}
