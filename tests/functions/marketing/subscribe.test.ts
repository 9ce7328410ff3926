// Double opt-in end to end through the gateway: subscribe (anonymous), the confirmation e-mail arrives at
// the Resend stand-in with RFC 8058 headers, the signed confirm link confirms, one-click unsubscribe works
// without login, and tampered links are refused with the envelope and change nothing.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql, uniqueIp } from "../../support/harness.ts";
import { linkIn, mailTo, uniqueEmail } from "./_helpers.ts";

async function subscription(email: string) {
  const [row] = await sql()`
    select x.status, s.id as subscriber_id from marketing.subscriptions x
    join marketing.subscribers s on s.id = x.subscriber_id join marketing.lists l on l.id = x.list_id
    where s.email = ${email} and l.slug = 'newsletter'`;
  return row;
}

dbTest(
  "subscribe sends the double opt-in mail; its signed link confirms; one-click unsubscribes",
  async () => {
    const email = uniqueEmail("optin");
    const response = await api("marketing/subscribe", {
      body: { email, list: "newsletter", name: "Ola <b>" },
    });
    assert.equal(response.status, 202, response.text);
    assert.deepEqual(response.body, { status: "pending_confirmation", list: "newsletter" });
    assert.equal((await subscription(email)).status, "unconfirmed");

    const [mail] = await mailTo(email);
    assert.equal(mail.subject, "Please confirm your subscription to Powerbase newsletter");
    assert.match(mail.html!, /Hello Ola &lt;b&gt;,/, "variables are HTML-escaped");
    assert.match(
      mail.headers["List-Unsubscribe"],
      /^<http:\/\/127\.0\.0\.1:\d+\/functions\/v1\/marketing\/unsubscribe\?token=[\w.-]+>$/,
    );
    assert.equal(mail.headers["List-Unsubscribe-Post"], "List-Unsubscribe=One-Click");
    assert.ok(mail.idempotencyKey, "sent with the outbox row as Idempotency-Key");

    const confirmUrl = linkIn(mail.html!, "/confirm?token=");
    const tampered = confirmUrl.replace(/token=(.)/, (_m, c) => `token=${c === "A" ? "B" : "A"}`);
    const refused = await fetch(tampered, { headers: { accept: "application/json" } });
    assert.equal(refused.status, 400);
    assert.equal(
      envelope({ status: 400, headers: refused.headers, body: await refused.json(), text: "" }).code,
      "invalid_token",
    );
    assert.equal((await subscription(email)).status, "unconfirmed", "a tampered link changes nothing");

    const confirmed = await fetch(confirmUrl, { headers: { accept: "application/json" } });
    assert.equal(confirmed.status, 200);
    assert.deepEqual(await confirmed.json(), { status: "confirmed", changed: true });
    assert.equal((await subscription(email)).status, "confirmed");
    const page = await fetch(confirmUrl);
    assert.match(
      await page.text(),
      /Subscription confirmed/,
      "a browser gets a page; a second click is harmless",
    );

    // The stand-in posts signed delivery events to the webhook, as Resend does.
    await eventually(async () => {
      const [row] = await sql()`
      select delivered_at from marketing.messages m join marketing.subscribers s on s.id = m.subscriber_id
      where s.email = ${email}`;
      return row?.delivered_at;
    });

    // One-click unsubscribe (RFC 8058): a POST of the header's URL, no login, effective at once.
    const unsubscribeUrl = mail.headers["List-Unsubscribe"].slice(1, -1);
    const badUnsubscribe = await fetch(unsubscribeUrl.slice(0, -3) + "xyz", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(badUnsubscribe.status, 400);
    await badUnsubscribe.body?.cancel();
    assert.equal(
      (await subscription(email)).status,
      "confirmed",
      "a tampered unsubscribe token changes nothing",
    );
    const preview = await fetch(unsubscribeUrl);
    assert.match(
      await preview.text(),
      /<form method="post"/,
      "GET only shows the button (link scanners do not unsubscribe)",
    );
    assert.equal((await subscription(email)).status, "confirmed");
    const oneClick = await fetch(unsubscribeUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    assert.equal(oneClick.status, 200);
    await oneClick.body?.cancel();
    assert.equal((await subscription(email)).status, "unsubscribed");
    const [consent] = await sql()`
    select array_agg(action order by id) as actions from marketing.consent_log
    where subscriber_id = ${(await subscription(email)).subscriber_id}`;
    assert.deepEqual(consent.actions, ["subscribe", "confirm", "unsubscribe"]);
  },
);

dbTest("subscribe validates its body and answers unknown lists with the envelope", async () => {
  const invalid = await api("marketing/subscribe", { body: { email: "not-an-address", list: "newsletter" } });
  assert.equal(invalid.status, 422);
  assert.equal(envelope(invalid).code, "validation_failed");
  const extra = await api("marketing/subscribe", {
    body: { email: uniqueEmail("x"), list: "newsletter", admin: true },
  });
  assert.equal(extra.status, 422, "unknown fields are refused");
  const unknown = await api("marketing/subscribe", {
    body: { email: uniqueEmail("x"), list: "no-such-list" },
  });
  assert.equal(unknown.status, 404);
  assert.equal(envelope(unknown).code, "list_not_found");
  const malformed = await api("marketing/subscribe", {
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(malformed.status, 400);
});

dbTest("subscribe is rate limited per client address", async () => {
  const ip = uniqueIp();
  let last = 0;
  for (let i = 0; i < 11; i++) {
    last = (await api("marketing/subscribe", { body: { email: uniqueEmail("rl"), list: "energy-tips" }, ip }))
      .status;
  }
  assert.equal(last, 429);
});
