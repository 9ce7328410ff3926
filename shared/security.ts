// Security events (abuse, lockouts, rejected signatures) land in ops.security_events for admins.
import { db } from "./db.ts";
import { log } from "./log.ts";

export interface SecurityEvent {
  kind: string;
  severity?: "info" | "warning" | "critical";
  userId?: string | null;
  ip?: string | null;
  functionName?: string;
  details?: Record<string, unknown>;
}

const isIp = (value: string | null | undefined) => !!value && /^[0-9a-f.:]+$/i.test(value);

/** Records a security event. Best effort: a failure is logged, never thrown into the request. */
export async function recordSecurityEvent(event: SecurityEvent): Promise<void> {
  try {
    await db()`
      insert into ops.security_events (kind, severity, user_id, ip, function_name, details)
      values (${event.kind}, ${event.severity ?? "warning"}, ${event.userId ?? null},
              ${isIp(event.ip) ? event.ip! : null}, ${event.functionName ?? null},
              ${db().json((event.details ?? {}) as never)})`;
  } catch (error) {
    log("error", "could not record security event", { kind: event.kind, error: String(error) });
  }
}
