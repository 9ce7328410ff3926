import assert from "node:assert/strict";
import { HttpError } from "../../../shared/errors.ts";
import { toMessageEvent, verifyResendWebhook } from "../../../shared/marketing/webhooks.ts";
import { svixHeaders } from "../../support/fakes/resend.ts";

const SECRET = "whsec_dW5pdC10ZXN0LXN2aXgtc2VjcmV0LWJ5dGVz";
const body = JSON.stringify({
  type: "email.bounced",
  created_at: "2026-12-01T10:00:00.000Z",
  data: { email_id: "re-1", bounce: { type: "Permanent", subType: "General", message: "No such user" } },
});

Deno.test("a Svix-signed Resend event verifies and maps to a hard bounce", () => {
  const headers = new Headers(svixHeaders(SECRET, body));
  const event = toMessageEvent(headers.get("svix-id")!, verifyResendWebhook(SECRET, body, headers));
  assert.deepEqual(
    event && { type: event.type, id: event.providerMessageId, key: event.key.startsWith("resend:msg_") },
    {
      type: "bounced_hard",
      id: "re-1",
      key: true,
    },
  );
});

Deno.test("a changed body, another secret or a stale timestamp is a 401", () => {
  const cases: Array<[string, Headers]> = [
    [body.replace("Permanent", "Transient"), new Headers(svixHeaders(SECRET, body))],
    [body, new Headers(svixHeaders("whsec_b3RoZXItc2VjcmV0LW9mLXNvbWUtbGVuZ3Ro", body))],
    [body, new Headers(svixHeaders(SECRET, body, new Date(Date.now() - 10 * 60_000)))],
    [body, new Headers({ "content-type": "application/json" })],
  ];
  for (const [raw, headers] of cases) {
    assert.throws(() => verifyResendWebhook(SECRET, raw, headers), (e: HttpError) => e.status === 401);
  }
});

Deno.test("event types map as listmonk counts them", () => {
  const map = (type: string, data: Record<string, unknown> = {}) =>
    toMessageEvent("msg_1", { type, data: { email_id: "re-2", ...data } })?.type ?? null;
  assert.equal(map("email.bounced", { bounce: { type: "Transient" } }), "bounced_soft");
  assert.equal(map("email.bounced", { bounce: { type: "Undetermined" } }), "bounced_soft");
  assert.equal(map("email.complained"), "complained");
  assert.equal(map("email.delivered"), "delivered");
  assert.equal(map("email.opened"), "opened");
  assert.equal(map("email.clicked", { click: { link: "https://x.example" } }), "clicked");
  assert.equal(map("email.sent"), null);
  assert.throws(
    () => toMessageEvent("msg_1", { type: "email.delivered", data: {} }),
    (e: HttpError) => e.status === 422,
  );
});
