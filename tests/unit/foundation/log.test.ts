import assert from "node:assert/strict";
import { maskText, maskValue } from "../../../shared/log.ts";

Deno.test("masks e-mail addresses but keeps the domain", () => {
  assert.equal(maskText("lead from jane.doe+promo@example.com arrived"), "lead from ***@example.com arrived");
});

Deno.test("masks international and North American phone numbers", () => {
  const masked = maskText("call +2348031234567 or (713) 555-0100 or 713.555.0199");
  assert.ok(!masked.includes("8031234567"), masked);
  assert.ok(!masked.includes("555-0100"), masked);
  assert.ok(!masked.includes("555.0199"), masked);
  assert.match(masked, /\[phone:67\]/);
});

Deno.test("masks meter numbers and card-like numbers", () => {
  const masked = maskText("meter 45031234567 card 4242 4242 4242 4242 and 5555-5555-5555-4444");
  assert.equal(masked, "meter [meter:567] card [card:4242] and [card:4444]");
});

Deno.test("masks JWTs, bearer tokens, API keys and secrets in query strings", () => {
  const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlLWJ5dGVz";
  const masked = maskText(`Bearer ${jwt} sk_live_abcdef123456 /cb?token=abc123&x=1 sb_secret_0123456789abc`);
  assert.ok(!masked.includes("eyJ"), masked);
  assert.ok(!masked.includes("sk_live_abcdef123456"), masked);
  assert.ok(!masked.includes("abc123"), masked);
  assert.ok(!masked.includes("0123456789abc"), masked);
  assert.match(masked, /token=\[token\]&x=1/);
});

Deno.test("masks key=value secrets wherever they appear, e.g. in error messages", () => {
  assert.equal(
    maskText("connect failed: password=hunter2 host=db"),
    "connect failed: password=[token] host=db",
  );
  assert.equal(maskText('{"note":"secret:abc123"}'), '{"note":"secret:[token]"}');
});

Deno.test("leaves request ids, dates and small numbers readable", () => {
  const text =
    "request 00000000-0000-4000-8000-000000000001 at 2026-11-22T01:02:03Z took 12.5 ms, status 201";
  assert.equal(maskText(text), text);
});

Deno.test("maskValue masks nested strings and drops secret-named fields", () => {
  const masked = maskValue({
    user: { email: "a@b.co", phones: ["+14155550100"] },
    authorization: "Bearer x",
    n: 3,
  });
  assert.deepEqual(masked, {
    user: { email: "***@b.co", phones: ["[phone:00]"] },
    authorization: "[redacted]",
    n: 3,
  });
});
