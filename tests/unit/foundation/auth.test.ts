// Token verification: HS256 with the project secret, asymmetric keys from JWKS, opaque keys.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { SignJWT } from "jose";
import { resolveCaller, verifyJwt } from "../../../shared/auth.ts";
import { parseEnv } from "../../../shared/env.ts";
import { HttpError } from "../../../shared/errors.ts";
import { localApiKeys, serviceRoleKey, signEs256, signHs256 } from "../../../supabase/local/stack.ts";

const now = () => Math.floor(Date.now() / 1000);
const bearer = (token: string) => new Headers({ authorization: `Bearer ${token}` });
const isStatus = (status: number) => (error: unknown) =>
  error instanceof HttpError && error.status === status;

Deno.test("HS256 tokens signed with the project secret verify", async () => {
  const claims = await verifyJwt(await signHs256({ sub: "u1", role: "authenticated", exp: now() + 60 }));
  assert.equal(claims.sub, "u1");
});

Deno.test("tokens signed with another secret, expired, or without a role are refused", async () => {
  const foreign = await new SignJWT({ role: "service_role" }).setProtectedHeader({ alg: "HS256" })
    .sign(new TextEncoder().encode("another-secret-another-secret-another-secret"));
  await assert.rejects(() => verifyJwt(foreign), isStatus(401));
  await assert.rejects(
    async () => verifyJwt(await signHs256({ role: "authenticated", exp: now() - 10 })),
    isStatus(401),
  );
  await assert.rejects(async () => verifyJwt(await signHs256({ sub: "x", exp: now() + 60 })), isStatus(401));
  await assert.rejects(() => verifyJwt("not-a-jwt"), isStatus(401));
});

Deno.test("ES256 tokens verify against the project's JWKS", async () => {
  const caller = await resolveCaller(
    bearer(await signEs256({ sub: "u2", role: "authenticated", user_role: "analyst", exp: now() + 60 })),
  );
  assert.equal(caller.role, "authenticated");
  assert.equal(caller.userId, "u2");
  assert.equal(caller.staffRole, "analyst");
});

Deno.test("callers: none is anon, the service key is service_role, a bad opaque key is 401", async () => {
  assert.equal((await resolveCaller(new Headers())).role, "anon");
  assert.equal((await resolveCaller(bearer(await serviceRoleKey()))).role, "service_role");
  assert.equal((await resolveCaller(new Headers({ apikey: await serviceRoleKey() }))).role, "service_role");
  await assert.rejects(() => resolveCaller(bearer("sb_secret_wrong")), isStatus(401));
});

Deno.test("an unknown user_role claim grants nothing", async () => {
  const caller = await resolveCaller(
    bearer(await signHs256({ sub: "u3", role: "authenticated", user_role: "superuser", exp: now() + 60 })),
  );
  assert.equal(caller.role, "authenticated");
  assert.equal(caller.staffRole, null);
});

Deno.test("new API keys: sb_publishable_ is the anonymous caller, sb_secret_ the service role", async () => {
  const keys = await localApiKeys();
  const publishable = await resolveCaller(new Headers({ apikey: keys.publishable }));
  assert.equal(publishable.role, "anon");
  assert.equal(publishable.authenticated, true);
  assert.equal((await resolveCaller(bearer(keys.secret))).role, "service_role");
  assert.equal((await resolveCaller(new Headers({ apikey: keys.secret }))).role, "service_role");
  // A user token wins over the publishable key browsers send beside it.
  const user = await resolveCaller(
    new Headers({
      apikey: keys.publishable,
      authorization: `Bearer ${await signEs256({ sub: "u9", role: "authenticated", exp: now() + 60 })}`,
    }),
  );
  assert.equal(user.userId, "u9");
  await assert.rejects(() => resolveCaller(bearer(`${keys.secret}x`)), isStatus(401));
  await assert.rejects(() => resolveCaller(new Headers({ apikey: "sb_publishable_unknown" })), isStatus(401));
  // A key of another project is refused, however it is sent.
  const other = { ...parseEnv(Deno.env.toObject()), SUPABASE_SECRET_KEYS: { default: "sb_secret_other" } };
  await assert.rejects(() => resolveCaller(bearer(keys.secret), other), isStatus(401));
  assert.equal((await resolveCaller(bearer("sb_secret_other"), other)).role, "service_role");
});

Deno.test("ES256 tokens that do not verify are 401: another key, expired, no kid", async () => {
  const { generateKeyPair } = await import("jose");
  const { privateKey } = await generateKeyPair("ES256");
  const foreign = await new SignJWT({ role: "authenticated", sub: "x", exp: now() + 60 })
    .setProtectedHeader({ alg: "ES256", kid: "someone-elses" }).sign(privateKey);
  await assert.rejects(() => resolveCaller(bearer(foreign)), isStatus(401));
  const expired = await signEs256({ role: "authenticated", sub: "x", exp: now() - 10 });
  await assert.rejects(() => resolveCaller(bearer(expired)), isStatus(401));
});

Deno.test("a verified token is remembered only until its own expiry", async () => {
  const token = await signHs256({ sub: "u4", role: "authenticated", exp: now() + 1 });
  assert.equal((await verifyJwt(token)).sub, "u4");
  assert.equal((await verifyJwt(token)).sub, "u4", "the second check is served from the cache");
  await new Promise((resolve) => setTimeout(resolve, 2100));
  await assert.rejects(() => verifyJwt(token), isStatus(401));
});

Deno.test("a token verified for one project's keys is refused under another's, cache or not", async () => {
  const token = await signHs256({ sub: "u5", role: "authenticated", exp: now() + 60 });
  assert.equal((await verifyJwt(token)).sub, "u5");
  const sameKeys = parseEnv(Deno.env.toObject());
  assert.equal((await verifyJwt(token, sameKeys)).sub, "u5", "another object with the same keys");
  const otherProject = { ...sameKeys, JWT_SECRET: "another-secret-another-secret-another-secret" };
  await assert.rejects(() => verifyJwt(token, otherProject), isStatus(401));
});
