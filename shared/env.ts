// Environment configuration, validated once per isolate. A missing or malformed variable fails fast
// with its name, instead of surfacing later as an undefined deep inside a request.
import { z } from "zod";

const EnvSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  SUPABASE_ANON_KEY: z.string().min(20),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20),
  /** HS256 project secret (legacy projects and the local stack); asymmetric keys come from JWKS. */
  JWT_SECRET: z.string().min(32).optional(),
  /** The project's JSON Web Key Set as Supabase injects it; fetched from SUPABASE_URL when absent. */
  SUPABASE_JWKS: z.string().optional(),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  /** JSON object overriding rate-limit classes, e.g. {"leads":{"limit":5,"window":"5 m"}}. */
  RATE_LIMITS: z.string().optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  // Tracking ingest tuning (docs/api/tracking.md); unset means the defaults in shared/tracking.
  TRACKING_BREAKER_P95_MS: z.coerce.number().int().positive().optional(),
  TRACKING_BREAKER_OPEN_MS: z.coerce.number().int().positive().optional(),
  TRACKING_INGEST_TIMEOUT_MS: z.coerce.number().int().positive().optional(),
  TRACKING_MAX_IN_FLIGHT: z.coerce.number().int().positive().optional(),
  TRACKING_COALESCE_CALLS: z.coerce.number().int().positive().optional(),
  TRACKING_COALESCE_MAX_EVENTS: z.coerce.number().int().positive().optional(),
});

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly variables: string[], detail: string) {
    super(`invalid environment: ${detail}`);
    this.name = "ConfigError";
  }
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = EnvSchema.safeParse(source);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  const detail = result.error.issues
    .map((issue) =>
      `${String(issue.path[0])} ${source[String(issue.path[0])] === undefined ? "is missing" : issue.message}`
    )
    .join("; ");
  throw new ConfigError(variables, detail);
}

let cached: Env | undefined;

/** The validated environment of this isolate. */
export function env(): Env {
  cached ??= parseEnv(Deno.env.toObject());
  return cached;
}
