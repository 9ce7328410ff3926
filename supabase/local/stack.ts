// Where the local stack lives and what it tells functions and tests. Instance 0 uses Supabase's
// local ports (API 54321, DB 54322); PB_INSTANCE=n shifts every port by 100*n so that several
// stacks (for parallel work) can run on one machine without touching each other.
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The Supabase CLI's published local-development JWT secret (not a project secret). */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** Fixed local payment secrets (docs/api/commerce.md); real values are Supabase secrets. */
export const LOCAL_PAYMENT_SETTINGS = {
  STRIPE_SECRET_KEY: "sk_test_powerbase_local",
  STRIPE_WEBHOOK_SECRET: "whsec_powerbase_local",
  PAYSTACK_SECRET_KEY: "sk_test_powerbase_local",
  COMMERCE_PROVIDER_TIMEOUT_MS: "1500",
};

/** The local BuyPower sandbox's key: not a secret, like the CLI's local JWT secret. */
export const LOCAL_BUYPOWER_API_KEY = "local-buypower-sandbox-key";

/**
 * Every port the local stack listens on, at instance 0: the one table that the processes, the stand-ins,
 * `./dev status`, the start summary and env.sh read (through stackConfig, which adds 100 * PB_INSTANCE
 * once). API, database and mail catcher sit on the Supabase CLI's local ports; Redis and the Upstash
 * bridge below 9100; Realtime and BuyPower above the CLI's range. A new stand-in adds its line here.
 */
export const BASE_PORTS = {
  /** Functions gateway (two processes, SO_REUSEPORT), /realtime/v1 proxy, /dashboard, JWKS. */
  api: 54321,
  /** PostgreSQL 15 (cluster powerbase<n>). */
  db: 54322,
  /** Resend stand-in with its inbox, at the CLI's mail-catcher port. */
  resend: 54324,
  /** Local Realtime process, proxied by the gateway. */
  realtime: 54340,
  /** BuyPower sandbox stand-in. */
  buypower: 54341,
  /** redis-server. */
  redis: 6379,
  /** Upstash REST bridge in front of Redis. */
  bridge: 8079,
  /** Stripe stand-in (in the first gateway process). */
  stripe: 8090,
  /** Paystack stand-in (in the first gateway process). */
  paystack: 8091,
} as const;

export type PortName = keyof typeof BASE_PORTS;

/** The ports of one instance: BASE_PORTS shifted by 100 * instance. */
export function instancePorts(instance: number): Record<PortName, number> {
  return Object.fromEntries(
    Object.entries(BASE_PORTS).map(([name, port]) => [name, port + instance * 100]),
  ) as Record<PortName, number>;
}

/** The local database password of postgres and supabase_admin, the Supabase CLI's default. */
export const LOCAL_DB_PASSWORD = "postgres";

export interface StackConfig {
  instance: number;
  cluster: string;
  /** This instance's ports (BASE_PORTS shifted); the fields below are named views of it. */
  ports: Record<PortName, number>;
  apiPort: number;
  dbPort: number;
  redisPort: number;
  bridgePort: number;
  /** The local Realtime server; the gateway proxies /realtime/v1/* to it, as Kong does on Supabase. */
  realtimePort: number;
  /** The e-mail provider stand-in (Resend's API and an inbox), at Supabase's mail-catcher port. */
  resendPort: number;
  resendUrl: string;
  stateDir: string;
  dbUrl: string;
  /** As supabase_admin, the bootstrap superuser: for the platform's own processes (the pg_net worker). */
  adminDbUrl: string;
  apiUrl: string;
  bridgeUrl: string;
  /** Local stand-ins of the payment providers (supabase/local/standins/). */
  stripeUrl: string;
  paystackUrl: string;
  /** The BuyPower sandbox stand-in (its API under /v2). */
  buypowerUrl: string;
  bridgeToken: string;
  /** Modules whose migrations and seeds this instance applies; null means all of them. */
  modules: Set<string> | null;
}

/**
 * Instances 1-3 are parallel workbenches, one per module in development, so that one module's
 * unfinished migration never breaks another's stack. PB_MODULES overrides; instance 0 (the README's
 * stack and CI) always applies everything unless told otherwise.
 */
const WORKBENCH_MODULES: Record<number, string[]> = {
  1: ["foundation", "energy", "search"],
  2: ["foundation", "leads"],
  3: ["foundation", "tracking"],
};

export function stackConfig(): StackConfig {
  const instance = Number(Deno.env.get("PB_INSTANCE") ?? "0");
  if (!Number.isInteger(instance) || instance < 0 || instance > 9) throw new Error("PB_INSTANCE must be 0-9");
  const ports = instancePorts(instance);
  const local = (port: number) => `http://127.0.0.1:${port}`;
  return {
    instance,
    cluster: instance === 0 ? "powerbase" : `powerbase${instance}`,
    ports,
    apiPort: ports.api,
    dbPort: ports.db,
    redisPort: ports.redis,
    bridgePort: ports.bridge,
    realtimePort: ports.realtime,
    resendPort: ports.resend,
    resendUrl: local(ports.resend),
    stateDir: `${ROOT}/.local/instance-${instance}`,
    dbUrl: `postgresql://postgres:${LOCAL_DB_PASSWORD}@127.0.0.1:${ports.db}/postgres`,
    adminDbUrl: `postgresql://supabase_admin:${LOCAL_DB_PASSWORD}@127.0.0.1:${ports.db}/postgres`,
    apiUrl: local(ports.api),
    bridgeUrl: local(ports.bridge),
    stripeUrl: local(ports.stripe),
    paystackUrl: local(ports.paystack),
    buypowerUrl: local(ports.buypower),
    bridgeToken: "local-upstash-token",
    modules: Deno.env.get("PB_MODULES")
      ? new Set(Deno.env.get("PB_MODULES")!.split(",").map((m) => m.trim()))
      : WORKBENCH_MODULES[instance]
      ? new Set(WORKBENCH_MODULES[instance])
      : null,
  };
}

const secret = new TextEncoder().encode(LOCAL_JWT_SECRET);

/** HS256 token with the CLI's claims layout; anon/service_role keys come out byte-identical. */
export function signHs256(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", typ: "JWT" }).sign(secret);
}

export const anonKey = () => signHs256({ iss: "supabase-demo", role: "anon", exp: 1983812996 });
export const serviceRoleKey = () =>
  signHs256({ iss: "supabase-demo", role: "service_role", exp: 1983812996 });

/** The ES256 signing key the local stack publishes as its JWKS (asymmetric-key projects). */
export async function signingKey(config = stackConfig()): Promise<JWK> {
  const path = `${config.stateDir}/signing-key.json`;
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    const { privateKey } = await generateKeyPair("ES256", { extractable: true });
    const jwk = { ...(await exportJWK(privateKey)), kid: crypto.randomUUID(), alg: "ES256", use: "sig" };
    await Deno.mkdir(config.stateDir, { recursive: true });
    await Deno.writeTextFile(path, JSON.stringify(jwk));
    return jwk;
  }
}

export async function publicJwks(config = stackConfig()): Promise<{ keys: JWK[] }> {
  const { d: _private, ...publicKey } = await signingKey(config);
  return { keys: [publicKey] };
}

export async function signEs256(claims: Record<string, unknown>, config = stackConfig()): Promise<string> {
  const jwk = await signingKey(config);
  const key = await importJWK(jwk, "ES256");
  return new SignJWT(claims).setProtectedHeader({ alg: "ES256", typ: "JWT", kid: jwk.kid }).sign(key);
}

/**
 * The local project's new-format API keys (sb_publishable_ / sb_secret_), derived from the local JWT
 * secret and the instance so every instance has its own and they survive restarts without a file.
 */
export async function localApiKeys(config = stackConfig()): Promise<{ publishable: string; secret: string }> {
  const key = await crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "sign",
  ]);
  const derive = async (kind: string) => {
    const mac = new Uint8Array(
      await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(`${kind}:${config.instance}`)),
    );
    return btoa(String.fromCharCode(...mac)).replace(/[^A-Za-z0-9]/g, "").slice(0, 32);
  };
  return {
    publishable: `sb_publishable_${await derive("publishable")}`,
    secret: `sb_secret_${await derive("secret")}`,
  };
}

/**
 * The local stand-in's Resend credentials: published local defaults like LOCAL_JWT_SECRET, never a real
 * project's (a deployed project sets its own with `supabase secrets set`).
 */
export const LOCAL_RESEND_API_KEY = "re_local_standin_key";
export const LOCAL_RESEND_WEBHOOK_SECRET = "whsec_bG9jYWwtcmVzZW5kLXN0YW5kaW4tc2VjcmV0";
export const LOCAL_MARKETING_TOKEN_SECRET = "local-marketing-token-secret-at-least-32-chars";

/** The environment Supabase gives every edge function, plus this project's own secrets. */
export async function functionEnv(config = stackConfig()): Promise<Record<string, string>> {
  return {
    SUPABASE_URL: config.apiUrl,
    SUPABASE_DB_URL: config.dbUrl,
    SUPABASE_ANON_KEY: await anonKey(),
    SUPABASE_SERVICE_ROLE_KEY: await serviceRoleKey(),
    SUPABASE_JWKS: JSON.stringify(await publicJwks(config)),
    JWT_SECRET: LOCAL_JWT_SECRET,
    UPSTASH_REDIS_REST_URL: config.bridgeUrl,
    ...LOCAL_PAYMENT_SETTINGS,
    STRIPE_API_BASE: config.stripeUrl,
    PAYSTACK_API_BASE: config.paystackUrl,
    UPSTASH_REDIS_REST_TOKEN: config.bridgeToken,
    // The local BuyPower sandbox (supabase/local/standins/buypower.ts) in place of idev.buypower.ng.
    BUYPOWER_API_BASE: `${config.buypowerUrl}/v2`,
    BUYPOWER_API_KEY: LOCAL_BUYPOWER_API_KEY,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: (await localApiKeys(config)).publishable }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: (await localApiKeys(config)).secret }),
    // Tests and benches that simulate many clients run as one more trusted proxy (PB_TRUSTED_PROXY_HOPS=2).
    ...(Deno.env.get("PB_TRUSTED_PROXY_HOPS")
      ? { TRUSTED_PROXY_HOPS: Deno.env.get("PB_TRUSTED_PROXY_HOPS")! }
      : {}),
    RESEND_API_BASE: config.resendUrl,
    RESEND_API_KEY: LOCAL_RESEND_API_KEY,
    RESEND_WEBHOOK_SECRET: LOCAL_RESEND_WEBHOOK_SECRET,
    MARKETING_TOKEN_SECRET: LOCAL_MARKETING_TOKEN_SECRET,
  };
}
