// Signed tokens for the links in marketing e-mail: confirm (double opt-in, expiring), unsubscribe
// (one-click, RFC 8058), open pixel and click redirect. A token is base64url(JSON claims) "."
// base64url(HMAC-SHA256(secret, that first part)), made and checked with Web Crypto; verification is
// crypto.subtle.verify, which compares in constant time. Anything tampered with is a 400, never a hint
// about which part failed.
import { z } from "zod";
import { HttpError } from "../errors.ts";

export type TokenKind = "confirm" | "unsubscribe" | "open" | "click";

const Claims = z.strictObject({
  k: z.enum(["confirm", "unsubscribe", "open", "click"]),
  /** subscriber id */
  s: z.uuid(),
  /** list id (confirm; unsubscribe from one list) */
  l: z.uuid().optional(),
  /** message id (open, click, unsubscribe from a message) */
  m: z.uuid().optional(),
  /** link position in the message (click) */
  i: z.number().int().min(0).max(999).optional(),
  /** the link's URL (click): signed, so the redirect needs no lookup and goes nowhere else */
  u: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  /** expiry, unix seconds */
  e: z.number().int().optional(),
});
export type TokenClaims = z.infer<typeof Claims>;

const encoder = new TextEncoder();
const keys = new Map<string, Promise<CryptoKey>>();

function keyFor(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", encoder.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keys.set(secret, key);
  }
  return key;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

export async function signToken(secret: string, claims: TokenClaims): Promise<string> {
  const body = toBase64Url(encoder.encode(JSON.stringify(Claims.parse(claims))));
  const signature = new Uint8Array(
    await crypto.subtle.sign("HMAC", await keyFor(secret), encoder.encode(body)),
  );
  return `${body}.${toBase64Url(signature)}`;
}

const invalid = () => new HttpError(400, "invalid_token", "This link is not valid.");

/** The claims of a token this secret signed, of the expected kind and not expired; otherwise a 4xx. */
export async function verifyToken(
  secret: string,
  token: string | undefined,
  kind: TokenKind,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<TokenClaims> {
  if (!token || token.length > 4096) throw invalid();
  const [body, signature, extra] = token.split(".");
  if (!body || !signature || extra !== undefined) throw invalid();
  const signatureBytes = fromBase64Url(signature);
  if (!signatureBytes || signatureBytes.length !== 32) throw invalid();
  const valid = await crypto.subtle.verify(
    "HMAC",
    await keyFor(secret),
    signatureBytes as Uint8Array<ArrayBuffer>,
    encoder.encode(body),
  );
  if (!valid) throw invalid();
  let claims: TokenClaims;
  try {
    claims = Claims.parse(JSON.parse(new TextDecoder().decode(fromBase64Url(body)!)));
  } catch {
    throw invalid();
  }
  if (claims.k !== kind) throw invalid();
  if (claims.e !== undefined && claims.e < nowSeconds) {
    throw new HttpError(410, "token_expired", "This link has expired; subscribe again to get a new one.");
  }
  return claims;
}
