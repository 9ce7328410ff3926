// Token checks as supabase/realtime makes them (RealtimeWeb.ChannelsAuthorization.authorize_conn and
// RealtimeWeb.JwtVerification): the signature against the project's secret (HS256) or its JWKS,
// then `role` and `exp` must be present; each failure carries the server's own code and message.
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from "jose";

export type Claims = JWTPayload & { role: string; exp: number; sub?: string };

export type TokenErrorCode = "MalformedJWT" | "JwtSignatureError" | "InvalidJWTToken" | "JwtSignerError";

export class TokenError extends Error {
  constructor(readonly code: TokenErrorCode, readonly detail: string) {
    super(`${code}: ${detail}`);
  }
}

export interface ProjectKeys {
  jwtSecret: string;
  /** The project's public JWKS (asymmetric signing keys). */
  jwks: { keys: Record<string, unknown>[] };
}

export class TokenVerifier {
  readonly #secret: Uint8Array;
  readonly #jwks: ReturnType<typeof createLocalJWKSet>;

  constructor(keys: ProjectKeys) {
    this.#secret = new TextEncoder().encode(keys.jwtSecret);
    this.#jwks = createLocalJWKSet(keys.jwks as Parameters<typeof createLocalJWKSet>[0]);
  }

  /** The verified claims, or a TokenError naming why not. */
  async verify(rawToken: unknown, now = Date.now()): Promise<Claims> {
    if (typeof rawToken !== "string") {
      throw new TokenError("MalformedJWT", "The token provided is not a valid JWT");
    }
    // Realtime URI-decodes the token and strips whitespace before verifying.
    let token: string;
    try {
      token = decodeURIComponent(rawToken).replace(/\s/g, "");
    } catch {
      throw new TokenError("MalformedJWT", "The token provided is not a valid JWT");
    }
    let alg: string | undefined;
    let unverified: JWTPayload;
    try {
      alg = decodeProtectedHeader(token).alg;
      unverified = decodeJwt(token);
    } catch {
      throw new TokenError("MalformedJWT", "The token provided is not a valid JWT");
    }
    let payload: JWTPayload;
    try {
      ({ payload } = alg === "HS256"
        ? await jwtVerify(token, this.#secret, { algorithms: ["HS256"], currentDate: new Date(now) })
        : await jwtVerify(token, this.#jwks, {
          algorithms: ["ES256", "RS256", "EdDSA"],
          currentDate: new Date(now),
        }));
    } catch (error) {
      const name = (error as Error).name;
      if (name === "JWTExpired" && typeof unverified.exp === "number") {
        const ago = Math.floor(now / 1000) - unverified.exp;
        throw new TokenError("InvalidJWTToken", `Token has expired ${ago} seconds ago`);
      }
      if (name === "JWKSNoMatchingKey") {
        const kid = decodeProtectedHeader(token).kid;
        throw new TokenError(
          "JwtSignerError",
          `Failed to generate JWT signer for key ID (kid) "${kid}", check your JWT secret or JWKS configuration`,
        );
      }
      throw new TokenError("JwtSignatureError", "Failed to validate JWT signature");
    }
    if (typeof payload.role !== "string" || typeof payload.exp !== "number") {
      throw new TokenError("InvalidJWTToken", "Fields `role` and `exp` are required in JWT");
    }
    return payload as Claims;
  }
}
