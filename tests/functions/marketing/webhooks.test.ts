// The Resend webhook through the gateway: Svix-signed events apply (a hard bounce or complaint
// blocklists, a soft bounce counts), redeliveries are recorded once, and a bad signature is a 401 that
// changes nothing.
import assert from "node:assert/strict";
import { LOCAL_RESEND_WEBHOOK_SECRET } from "../../../supabase/local/stack.ts";
import { api, dbTest, envelope, sql } from "../../support/harness.ts";
import { svixHeaders } from "../../support/fakes/resend.ts";
import { uniqueEmail } from "./_helpers.ts";

async function sentMessage(email: string) {
  await sql()`select marketing.subscribe(${email}, 'energy-tips')`;
  const providerId = `re_${crypto.randomUUID()}`;
  await sql()`
    update marketing.messages m set status = 'sent', provider_message_id = ${providerId}, sent_at = now()
    from marketing.subscribers s where s.id = m.subscriber_id and s.email = ${email}`;
  // A message of our own, as the send job leaves it.
  const [row] = await sql()`
    insert into marketing.messages (subscriber_id, template_id, kind, status, provider_message_id, sent_at)
    select s.id, t.id, 'transactional', 'sent', ${providerId}, now() from marketing.subscribers s, marketing.templates t
    where s.email = ${email} and t.slug = 'welcome'
    on conflict do nothing returning id`;
  return { providerId, messageId: row?.id };
}

const post = (body: string, headers: Record<string, string>) =>
  api("marketing/webhooks/resend", { body, headers, method: "POST" });

const subscriber = async (email: string) =>
  (await sql()`select status, soft_bounces, blocklisted_reason from marketing.subscribers where email = ${email}`)[
    0
  ];

dbTest("a signed hard bounce blocklists; its redelivery is recorded once", async () => {
  const email = uniqueEmail("bounce");
  const { providerId } = await sentMessage(email);
  const body = JSON.stringify({
    type: "email.bounced",
    created_at: new Date().toISOString(),
    data: { email_id: providerId, bounce: { type: "Permanent", subType: "Suppressed", message: "gone" } },
  });
  const headers = svixHeaders(LOCAL_RESEND_WEBHOOK_SECRET, body);
  const first = await post(body, headers);
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body, { received: true, recorded: 1, type: "bounced_hard" });
  assert.deepEqual(await subscriber(email), {
    status: "blocklisted",
    soft_bounces: 0,
    blocklisted_reason: "hard_bounce",
  });
  const again = await post(body, headers);
  assert.equal(again.body.recorded, 0, "Svix redelivers with the same svix-id: recorded once");
});

dbTest("a soft bounce is counted; a complaint blocklists", async () => {
  const email = uniqueEmail("soft");
  const { providerId } = await sentMessage(email);
  const soft = JSON.stringify({
    type: "email.bounced",
    data: { email_id: providerId, bounce: { type: "Transient" } },
  });
  assert.equal((await post(soft, svixHeaders(LOCAL_RESEND_WEBHOOK_SECRET, soft))).status, 200);
  assert.deepEqual(await subscriber(email), { status: "enabled", soft_bounces: 1, blocklisted_reason: null });
  const complaint = JSON.stringify({ type: "email.complained", data: { email_id: providerId } });
  assert.equal((await post(complaint, svixHeaders(LOCAL_RESEND_WEBHOOK_SECRET, complaint))).status, 200);
  assert.equal((await subscriber(email)).blocklisted_reason, "complaint");
});

dbTest("a bad or missing signature is a 401 and changes nothing", async () => {
  const email = uniqueEmail("forged");
  const { providerId } = await sentMessage(email);
  const body = JSON.stringify({ type: "email.complained", data: { email_id: providerId } });
  const forged = await post(body, svixHeaders("whsec_Zm9yZ2VkLXNlY3JldC1ieS1hbi1hdHRhY2tlcg==", body));
  assert.equal(forged.status, 401);
  assert.equal(envelope(forged).code, "invalid_signature");
  const unsigned = await post(body, { "content-type": "application/json" });
  assert.equal(unsigned.status, 401);
  const stale = await post(
    body,
    svixHeaders(LOCAL_RESEND_WEBHOOK_SECRET, body, new Date(Date.now() - 3600_000)),
  );
  assert.equal(stale.status, 401, "a replay outside the tolerance is refused");
  assert.equal((await subscriber(email)).status, "enabled");
});
