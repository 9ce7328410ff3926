import assert from "node:assert/strict";
import { HttpError } from "../../../shared/errors.ts";
import { signToken, verifyToken } from "../../../shared/marketing/tokens.ts";

const SECRET = "unit-test-marketing-secret-of-32-characters!";
const subscriber = crypto.randomUUID();
const list = crypto.randomUUID();

async function refusal(promise: Promise<unknown>): Promise<HttpError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof HttpError, String(error));
    return error;
  }
  throw new Error("expected a refusal");
}

Deno.test("a signed token verifies and gives back its claims", async () => {
  const token = await signToken(SECRET, { k: "unsubscribe", s: subscriber, l: list });
  assert.deepEqual(await verifyToken(SECRET, token, "unsubscribe"), {
    k: "unsubscribe",
    s: subscriber,
    l: list,
  });
  assert.match(token, /^[\w-]+\.[\w-]{43}$/);
});

Deno.test("a tampered payload, signature, kind or secret is a 400", async () => {
  const token = await signToken(SECRET, { k: "unsubscribe", s: subscriber, l: list });
  const [body, signature] = token.split(".");
  const other = await signToken(SECRET, { k: "unsubscribe", s: crypto.randomUUID() });
  const swapped = `${other.split(".")[0]}.${signature}`;
  const flipped = `${body}.${signature.slice(0, -2)}${signature.endsWith("AA") ? "AB" : "AA"}`;
  for (const bad of [swapped, flipped, `${body}`, `${token}.x`, "", "not a token", "a".repeat(2000)]) {
    const error = await refusal(verifyToken(SECRET, bad, "unsubscribe"));
    assert.equal(error.status, 400);
    assert.equal(error.code, "invalid_token");
  }
  assert.equal((await refusal(verifyToken(SECRET, token, "click"))).status, 400, "another kind");
  assert.equal(
    (await refusal(verifyToken(`${SECRET}x`, token, "unsubscribe"))).status,
    400,
    "another secret",
  );
});

Deno.test("an expired confirm token is a 410", async () => {
  const token = await signToken(SECRET, { k: "confirm", s: subscriber, l: list, e: 1_000 });
  const error = await refusal(verifyToken(SECRET, token, "confirm", 1_001));
  assert.equal(error.status, 410);
  assert.equal(error.code, "token_expired");
  assert.equal((await verifyToken(SECRET, token, "confirm", 999)).e, 1_000);
});
