// Who is calling. Supabase's own server SDK (@supabase/server) verifies what it knows: the new API
// keys (sb_publishable_ as the anonymous key, sb_secret_ as a service key, from
// SUPABASE_PUBLISHABLE_KEYS / SUPABASE_SECRET_KEYS) and user tokens signed with the project's
// asymmetric signing keys (SUPABASE_JWKS or the project's JWKS endpoint). It refuses legacy
// HS256 tokens and the legacy anon / service_role JWT keys by design, which Supabase still issues
// until the end of 2026; those are verified here with jose against the project's JWT secret. An
// unverified claim is never trusted.
import { extractCredentials, verifyCredentials } from "@supabase/server/core";
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";
import type { Claims } from "./db.ts";
import { type Env, env } from "./env.ts";
import { unauthorized } from "./errors.ts";

export type StaffRole = "admin" | "analyst" | "sales" | "support";

export interface Caller {
  /** The database role the Data API would use: anon, authenticated or service_role. */
  role: "anon" | "authenticated" | "service_role";
  userId?: string;
  email?: string;
  staffRole: StaffRole | null;
  claims: Claims;
  /** False when no credential came with the request at all. */
  authenticated: boolean;
}

const ANON_CLAIMS: Claims = { role: "anon" };

const anonymousCaller = (): Caller => ({
  role: "anon",
  staffRole: null,
  claims: ANON_CLAIMS,
  authenticated: false,
});

type VerifiedCache = Map<string, { claims: Claims; expiresAt: number }>;

/**
 * What verifying needs for one project's keys: its JWKS resolver and the tokens already verified
 * against them. Keyed by the key material, not by the Env object: the local gateway and the function
 * it hosts parse the same environment into different objects and must share one keyring, while a
 * token checked against one project's keys is never taken as checked against another's.
 */
interface Keyring {
  verified: VerifiedCache;
  sdk?: SdkEnv;
}
const keyrings = new Map<string, Keyring>();

const keyringOfEnv = new WeakMap<Env, Keyring>();

function keyringFor(config: Env): Keyring {
  let keyring = keyringOfEnv.get(config);
  if (keyring) return keyring;
  const keys = [
    config.JWT_SECRET ?? "",
    config.SUPABASE_JWKS ?? config.SUPABASE_URL,
    config.SUPABASE_SERVICE_ROLE_KEY,
    JSON.stringify(config.SUPABASE_SECRET_KEYS),
    JSON.stringify(config.SUPABASE_PUBLISHABLE_KEYS),
  ].join("\u0000");
  keyring = keyrings.get(keys);
  if (!keyring) keyrings.set(keys, keyring = { verified: new Map() });
  keyringOfEnv.set(config, keyring);
  return keyring;
}

/** What @supabase/server verifies against, from this project's environment (not the process's). */
type SdkEnv = ReturnType<typeof buildSdkEnv>;

function sdkEnv(config: Env): SdkEnv {
  const keyring = keyringFor(config);
  keyring.sdk ??= buildSdkEnv(config);
  return keyring.sdk;
}

function buildSdkEnv(config: Env) {
  const legacyService: Record<string, string> = config.SUPABASE_SERVICE_ROLE_KEY.startsWith("sb_secret_")
    ? { default: config.SUPABASE_SERVICE_ROLE_KEY }
    : {};
  return {
    url: config.SUPABASE_URL,
    publishableKeys: config.SUPABASE_PUBLISHABLE_KEYS,
    secretKeys: { ...legacyService, ...config.SUPABASE_SECRET_KEYS },
    jwks: config.SUPABASE_JWKS
      ? JSON.parse(config.SUPABASE_JWKS)
      : new URL("/auth/v1/.well-known/jwks.json", config.SUPABASE_URL),
  };
}

// Verified tokens, by their exact text: a browser sends the same token with every request until
// it refreshes, and a signature check costs more than the rest of a small request. An entry is only
// used while the token's own `exp` lies ahead, so caching never extends a token's life.
const VERIFIED_CACHE_SIZE = 2048;

function cachedClaims(verified: VerifiedCache, token: string): Claims | undefined {
  const entry = verified.get(token);
  if (!entry) return undefined;
  if (entry.expiresAt <= Date.now()) {
    verified.delete(token);
    return undefined;
  }
  return entry.claims;
}

function remember(verified: VerifiedCache, token: string, claims: Claims): void {
  const expiresAt = typeof claims.exp === "number" ? claims.exp * 1000 : Date.now() + 60_000;
  if (verified.size >= VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
  verified.set(token, { claims, expiresAt });
}

/** Verifies a JWT and returns its claims; throws 401 on any failure. */
export async function verifyJwt(token: string, config: Env = env()): Promise<Claims> {
  const keyring = keyringFor(config);
  const known = cachedClaims(keyring.verified, token);
  if (known) return known;
  const claims = await verifySignature(token, config);
  remember(keyring.verified, token, claims);
  return claims;
}

async function verifySignature(token: string, config: Env): Promise<Claims> {
  let payload: JWTPayload;
  let alg: string | undefined;
  try {
    ({ alg } = decodeProtectedHeader(token));
  } catch {
    throw unauthorized("The bearer token is invalid or expired.");
  }
  if (alg === "HS256") {
    // Legacy: the project's shared JWT secret (legacy projects, legacy API keys, the local stack).
    try {
      if (!config.JWT_SECRET) throw new Error("HS256 token but no JWT_SECRET configured");
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(config.JWT_SECRET), {
        algorithms: ["HS256"],
      }));
    } catch {
      throw unauthorized("The bearer token is invalid or expired.");
    }
  } else {
    const { data, error } = await verifyCredentials({ token, apikey: null }, {
      auth: "user",
      env: sdkEnv(config),
    });
    if (error || !data?.jwtClaims) throw unauthorized("The bearer token is invalid or expired.");
    payload = data.jwtClaims as JWTPayload;
  }
  if (typeof payload.role !== "string") throw unauthorized("The bearer token carries no role.");
  return payload as Claims;
}

const STAFF_ROLES = new Set<string>(["admin", "analyst", "sales", "support"]);

export function callerFromClaims(claims: Claims): Caller {
  const role = claims.role === "service_role" || claims.role === "authenticated" ? claims.role : "anon";
  const staffRole = typeof claims.user_role === "string" && STAFF_ROLES.has(claims.user_role)
    ? claims.user_role as StaffRole
    : null;
  return {
    role,
    userId: role === "authenticated" ? claims.sub : undefined,
    email: typeof claims.email === "string" ? claims.email : undefined,
    staffRole,
    claims,
    authenticated: true,
  };
}

/** An opaque API key (sb_publishable_ / sb_secret_) as the caller it stands for; 401 when unknown. */
async function callerForApiKey(key: string, config: Env): Promise<Caller> {
  const { data } = await verifyCredentials({ token: null, apikey: key }, {
    auth: ["secret:*", "publishable:*"],
    env: sdkEnv(config),
  });
  if (data?.authMode === "secret") return callerFromClaims({ role: "service_role" });
  if (data?.authMode === "publishable") return { ...anonymousCaller(), authenticated: true };
  throw unauthorized("The API key is not valid for this project.");
}

/**
 * Resolves the caller from `Authorization: Bearer` (a user token, a legacy JWT key, or an sb_ key)
 * or, without one, the `apikey` header browsers also send. No credential at all is the anonymous
 * caller; a credential that does not verify is 401, never a silent downgrade to anonymous.
 */
export async function resolveCaller(source: Request | Headers, config: Env = env()): Promise<Caller> {
  const request = source instanceof Request
    ? source
    : new Request("http://caller.invalid/", { headers: source });
  const { token: bearer, apikey } = extractCredentials(request);
  const token = bearer?.trim() || apikey?.trim() || undefined;
  if (!token) return anonymousCaller();
  if (token.startsWith("sb_")) return await callerForApiKey(token, config);
  if (!token.startsWith("eyJ")) throw unauthorized("The API key is not valid for this project.");
  return callerFromClaims(await verifyJwt(token, config));
}
