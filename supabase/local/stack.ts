// Where the local stack lives and what it tells functions and tests. Instance 0 uses Supabase's
// local ports (API 54321, DB 54322); PB_INSTANCE=n shifts every port by 100*n so that several
// stacks (for parallel work) can run on one machine without touching each other.
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";
import { LOCAL_BUYPOWER_API_KEY, standinPort } from "./standins/buypower.ts";

export const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");

/** The Supabase CLI's published local-development JWT secret (not a project secret). */
export const LOCAL_JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

/** The local database password of postgres and supabase_admin, the Supabase CLI's default. */
export const LOCAL_DB_PASSWORD = "postgres";

export interface StackConfig {
  instance: number;
  cluster: string;
  apiPort: number;
  dbPort: number;
  redisPort: number;
  bridgePort: number;
  /** The local Realtime server; the gateway proxies /realtime/v1/* to it, as Kong does on Supabase. */
  realtimePort: number;
  stateDir: string;
  dbUrl: string;
  /** As supabase_admin, the bootstrap superuser: for the platform's own processes (the pg_net worker). */
  adminDbUrl: string;
  apiUrl: string;
  bridgeUrl: string;
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
  const shift = instance * 100;
  const dbPort = 54322 + shift;
  const apiPort = 54321 + shift;
  const bridgePort = 8079 + shift;
  return {
    instance,
    cluster: instance === 0 ? "powerbase" : `powerbase${instance}`,
    apiPort,
    dbPort,
    redisPort: 6379 + shift,
    bridgePort,
    realtimePort: 54340 + shift,
    stateDir: `${ROOT}/.local/instance-${instance}`,
    dbUrl: `postgresql://postgres:${LOCAL_DB_PASSWORD}@127.0.0.1:${dbPort}/postgres`,
    adminDbUrl: `postgresql://supabase_admin:${LOCAL_DB_PASSWORD}@127.0.0.1:${dbPort}/postgres`,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    bridgeUrl: `http://127.0.0.1:${bridgePort}`,
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
    UPSTASH_REDIS_REST_TOKEN: config.bridgeToken,
    // The local BuyPower sandbox (supabase/local/standins/buypower.ts) in place of idev.buypower.ng.
    BUYPOWER_API_BASE: `http://127.0.0.1:${standinPort(config.instance)}/v2`,
    BUYPOWER_API_KEY: LOCAL_BUYPOWER_API_KEY,
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: (await localApiKeys(config)).publishable }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: (await localApiKeys(config)).secret }),
    // Tests and benches that simulate many clients run as one more trusted proxy (PB_TRUSTED_PROXY_HOPS=2).
    ...(Deno.env.get("PB_TRUSTED_PROXY_HOPS")
      ? { TRUSTED_PROXY_HOPS: Deno.env.get("PB_TRUSTED_PROXY_HOPS")! }
      : {}),
  };
}
