// Environment configuration, validated once per isolate. A missing or malformed variable fails fast
// with its name, instead of surfacing later as an undefined deep inside a request.
import { z } from "zod";

/** A JSON dictionary of named keys with the given prefix ("{}" when unset). */
function jsonKeys(prefix: string) {
  return z.string().optional().transform((raw, ctx) => {
    if (!raw) return {};
    try {
      const keys = z.record(z.string(), z.string().startsWith(prefix)).parse(JSON.parse(raw));
      return keys;
    } catch {
      ctx.addIssue({ code: "custom", message: `must be a JSON object of name -> ${prefix}... keys` });
      return z.NEVER;
    }
  });
}

const EnvSchema = z.object({
  SUPABASE_URL: z.url(),
  SUPABASE_DB_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// connection string"),
  SUPABASE_ANON_KEY: z.string().min(20),
  SUPABASE_SERVICE_ROLE_KEY: z.string().min(20),
  /** HS256 project secret (legacy projects and the local stack); asymmetric keys come from JWKS. */
  JWT_SECRET: z.string().min(32).optional(),
  /** The project's JSON Web Key Set as Supabase injects it; fetched from SUPABASE_URL when absent. */
  SUPABASE_JWKS: z.string().optional(),
  /** The new API keys as Supabase passes them: JSON dictionaries of name → sb_publishable_... / sb_secret_.... */
  SUPABASE_PUBLISHABLE_KEYS: jsonKeys("sb_publishable_"),
  SUPABASE_SECRET_KEYS: jsonKeys("sb_secret_"),
  /**
   * How many proxies in front of the functions append to X-Forwarded-For and are trusted: the client
   * address is the entry the outermost trusted one added (hops-th from the right). 1 is Supabase's
   * edge and the local gateway, each of which appends the address it accepted the connection from;
   * entries further left were written by the client and are never trusted.
   */
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(1).max(10).default(1),
  /** Automated blocking: failures (401, 422, honeypot hits) per address within the window. */
  IP_BLOCK_THRESHOLD: z.coerce.number().int().min(1).default(50),
  IP_BLOCK_WINDOW_SECONDS: z.coerce.number().int().min(1).default(600),
  IP_BLOCK_SECONDS: z.coerce.number().int().min(1).default(3600),
  /** Addresses and IPv4 CIDR ranges never blocked (comma-separated), e.g. monitoring or office egress. */
  IP_BLOCK_ALLOWLIST: z.string().default(""),
  UPSTASH_REDIS_REST_URL: z.url(),
  UPSTASH_REDIS_REST_TOKEN: z.string().min(1),
  /** JSON object overriding rate-limit classes, e.g. {"leads":{"limit":5,"window":"5 m"}}. */
  RATE_LIMITS: z.string().optional(),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  // Module settings (TRACKING_*, ...) are validated by each module's own schema: shared/<module>/settings.ts.
});

export type Env = z.infer<typeof EnvSchema>;

export class ConfigError extends Error {
  constructor(readonly variables: string[], detail: string) {
    super(`invalid environment: ${detail}`);
    this.name = "ConfigError";
  }
}

/**
 * Validates a settings source against a schema: the kernel's environment here, a module's settings in
 * shared/<module>/settings.ts. A missing or malformed variable fails with its name.
 */
export function parseSettings<S extends z.ZodType>(
  schema: S,
  source: Record<string, string | undefined>,
): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  const detail = result.error.issues
    .map((issue) =>
      `${String(issue.path[0])} ${source[String(issue.path[0])] === undefined ? "is missing" : issue.message}`
    )
    .join("; ");
  throw new ConfigError(variables, detail);
}

export function parseEnv(source: Record<string, string | undefined>): Env {
  return parseSettings(EnvSchema, source);
}

let cached: Env | undefined;

/** The validated environment of this isolate. */
export function env(): Env {
  cached ??= parseEnv(Deno.env.toObject());
  return cached;
}
