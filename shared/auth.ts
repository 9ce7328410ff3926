// Who is calling. Bearer tokens are verified with jose: HS256 against the project secret (legacy
// projects and the local stack) or the project's asymmetric keys from its JWKS. An unverified claim
// is never trusted.
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeProtectedHeader,
  type JWTPayload,
  jwtVerify,
} from "jose";
import type { Claims } from "./db.ts";
import { type Env, env } from "./env.ts";
import { forbidden, unauthorized } from "./errors.ts";

export type StaffRole = "admin" | "analyst" | "sales" | "support" | "marketing";

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

type KeyResolver = ReturnType<typeof createLocalJWKSet>;
type VerifiedCache = Map<string, { claims: Claims; expiresAt: number }>;

/**
 * What verifying needs for one project's keys: its JWKS resolver and the tokens already verified
 * against them. Keyed by the key material, not by the Env object: the local gateway and the function
 * it hosts parse the same environment into different objects and must share one keyring, while a
 * token checked against one project's keys is never taken as checked against another's.
 */
interface Keyring {
  jwks?: KeyResolver;
  verified: VerifiedCache;
}
const keyrings = new Map<string, Keyring>();

function keyringFor(config: Env): Keyring {
  const keys = `${config.JWT_SECRET ?? ""}\u0000${config.SUPABASE_JWKS ?? config.SUPABASE_URL}`;
  let keyring = keyrings.get(keys);
  if (!keyring) keyrings.set(keys, keyring = { verified: new Map() });
  return keyring;
}

function jwksFor(keyring: Keyring, config: Env): KeyResolver {
  keyring.jwks ??= config.SUPABASE_JWKS
    ? createLocalJWKSet(JSON.parse(config.SUPABASE_JWKS))
    : createRemoteJWKSet(new URL("/auth/v1/.well-known/jwks.json", config.SUPABASE_URL)) as KeyResolver;
  return keyring.jwks;
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
  const claims = await verifySignature(token, config, keyring);
  remember(keyring.verified, token, claims);
  return claims;
}

async function verifySignature(token: string, config: Env, keyring: Keyring): Promise<Claims> {
  let payload: JWTPayload;
  try {
    const { alg } = decodeProtectedHeader(token);
    if (alg === "HS256") {
      if (!config.JWT_SECRET) throw new Error("HS256 token but no JWT_SECRET configured");
      ({ payload } = await jwtVerify(token, new TextEncoder().encode(config.JWT_SECRET), {
        algorithms: ["HS256"],
      }));
    } else {
      ({ payload } = await jwtVerify(token, jwksFor(keyring, config), {
        algorithms: ["ES256", "RS256", "EdDSA"],
      }));
    }
  } catch {
    throw unauthorized("The bearer token is invalid or expired.");
  }
  if (typeof payload.role !== "string") throw unauthorized("The bearer token carries no role.");
  return payload as Claims;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = new TextEncoder().encode(a);
  const right = new TextEncoder().encode(b);
  let diff = left.length ^ right.length;
  for (let i = 0; i < Math.max(left.length, right.length); i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

const STAFF_ROLES = new Set<string>(["admin", "analyst", "sales", "support", "marketing"]);

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

/** Resolves the caller from `Authorization: Bearer` (or the `apikey` header browsers also send). */
export async function resolveCaller(headers: Headers, config: Env = env()): Promise<Caller> {
  const bearer = headers.get("authorization")?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = bearer ?? headers.get("apikey") ?? undefined;
  if (!token) return anonymousCaller();
  // Opaque secret keys (sb_secret_...) are compared, not decoded.
  if (!token.startsWith("eyJ")) {
    if (constantTimeEqual(token, config.SUPABASE_SERVICE_ROLE_KEY)) {
      return callerFromClaims({ role: "service_role" });
    }
    throw unauthorized("The API key is not valid for this project.");
  }
  return callerFromClaims(await verifyJwt(token, config));
}

/** Throws 401 for anonymous callers and 403 unless the caller is service_role or holds a role. */
export function requireRole(caller: Caller, roles: StaffRole[]): void {
  if (caller.role === "service_role") return;
  if (caller.role !== "authenticated") throw unauthorized();
  if (!caller.staffRole || !roles.includes(caller.staffRole)) {
    throw forbidden(
      roles.length
        ? `This needs one of the roles: ${roles.join(", ")}.`
        : "Only the service role may call this.",
    );
  }
}
