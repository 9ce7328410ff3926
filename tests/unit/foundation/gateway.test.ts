// The local gateway's contract: path rewriting to /<name>/*, verify_jwt, X-Forwarded-For.
import assert from "node:assert/strict";
import { createGateway } from "../../../supabase/local/gateway.ts";
import { anonKey, functionEnv, signHs256, stackConfig } from "../../../supabase/local/stack.ts";

const config = stackConfig();
const info = {
  remoteAddr: { transport: "tcp", hostname: "192.0.2.7", port: 1234 },
} as unknown as Deno.ServeHandlerInfo;
const seen: Request[] = [];
const echo = (request: Request) => {
  seen.push(request);
  return Response.json({
    path: new URL(request.url).pathname + new URL(request.url).search,
    xff: request.headers.get("x-forwarded-for"),
  });
};
const apps = new Map([
  ["open", { name: "open", verifyJwt: false, fetch: echo }],
  ["guarded", { name: "guarded", verifyJwt: true, fetch: echo }],
]);
const gateway = createGateway(apps, config, await functionEnv(config));
const call = (path: string, headers: Record<string, string> = {}) =>
  gateway(new Request(`http://127.0.0.1/functions/v1/${path}`, { headers }), info);

Deno.test("a function sees /<name>/* with the query string, as on Supabase", async () => {
  const body = await (await call("open/a/b?x=1")).json();
  assert.equal(body.path, "/open/a/b?x=1");
  assert.equal(body.xff, "192.0.2.7");
});

Deno.test("X-Forwarded-For keeps the client's chain and appends the peer", async () => {
  const body = await (await call("open", { "x-forwarded-for": "203.0.113.9" })).json();
  assert.equal(body.xff, "203.0.113.9, 192.0.2.7");
});

Deno.test("verify_jwt = true refuses missing and invalid tokens before the function runs", async () => {
  const before = seen.length;
  const missing = await call("guarded");
  assert.equal(missing.status, 401);
  assert.deepEqual(await missing.json(), { code: 401, message: "Missing authorization header" });
  const invalid = await call("guarded", { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x" });
  assert.equal(invalid.status, 401);
  assert.deepEqual(await invalid.json(), { code: 401, message: "Invalid JWT" });
  assert.equal(seen.length, before, "the function never ran");
  const ok = await call("guarded", { authorization: `Bearer ${await anonKey()}` });
  assert.equal(ok.status, 200);
  const user = await call("guarded", {
    authorization: `Bearer ${await signHs256({
      role: "authenticated",
      sub: "u",
      exp: Math.floor(Date.now() / 1000) + 60,
    })}`,
  });
  assert.equal(user.status, 200);
});

Deno.test("unknown functions are 404 and the JWKS is published", async () => {
  assert.equal((await call("missing")).status, 404);
  const jwks = await (await gateway(new Request("http://127.0.0.1/auth/v1/.well-known/jwks.json"), info))
    .json();
  assert.equal(jwks.keys[0].kty, "EC");
  assert.equal(jwks.keys[0].d, undefined, "the private part is never published");
});
