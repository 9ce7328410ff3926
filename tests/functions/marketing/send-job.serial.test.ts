// The send job against a fake Resend that fails like the real one: a job killed after the provider
// accepted a message re-sends under the same Idempotency-Key and the provider keeps one message;
// timeouts, 429 and 5xx retry with backoff until sent; a refused request is dead after one attempt;
// suppression is decided at send time. Serial: the job claims whatever is due, so it runs after the
// parallel tests, whose mail the local stack's own job sends.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { rpc, rpcRows } from "../../../shared/db.ts";
import { buildEmail, type ClaimedMessage, runSendJob } from "../../../shared/marketing/sender.ts";
import { resendClient } from "../../../shared/marketing/resend.ts";
import { parseSettings } from "../../../shared/marketing/settings.ts";
import { LOCAL_RESEND_API_KEY } from "../../../supabase/local/stack.ts";
import { dbTest, sql } from "../../support/harness.ts";
import { startFakeResend } from "../../support/fakes/resend.ts";
import { uniqueEmail } from "./_helpers.ts";

const fake = startFakeResend({ apiKey: LOCAL_RESEND_API_KEY, hangMs: 800 });
const config = parseSettings({
  ...Deno.env.toObject(),
  RESEND_API_BASE: fake.url,
  MARKETING_PROVIDER_TIMEOUT_MS: "300",
  MARKETING_SEND_RATE: "200",
});

/** A queued transactional message to a fresh address; returns its id. */
async function queue(email: string): Promise<string> {
  await sql()`insert into marketing.subscribers (email) values (${email})`;
  await sql()`
    insert into marketing.templates (slug, name, kind, subject, body_html, body_text)
    values ('send-job-test', 'Send job test', 'transactional', 'Test for {{ subscriber.email }}',
            '<p>Hello <a href="https://example.com/x">x</a></p>', 'Hello')
    on conflict (slug) do nothing`;
  const [row] = await sql()`
    insert into marketing.messages (subscriber_id, template_id, kind)
    select s.id, t.id, 'transactional' from marketing.subscribers s, marketing.templates t
    where s.email = ${email} and t.slug = 'send-job-test' returning id`;
  return row.id;
}

const message = async (id: string) =>
  (await sql()`select status, attempts, provider_message_id, last_error from marketing.messages where id = ${id}`)[
    0
  ];
const delivered = (email: string) => fake.standin.messages.filter((m) => m.to.includes(email));
const due = (id: string) => sql()`update marketing.messages set next_attempt_at = now() where id = ${id}`;

// The job claims whatever is due. Mail other tests left queued (automation steps the minute tick has not
// sent yet) is held back a while, so each run here handles this test's message and the fake's queued
// failures meet it.
const holdOthers = (id: string) =>
  sql()`update marketing.messages set next_attempt_at = now() + interval '10 minutes'
        where status = 'queued' and next_attempt_at <= now() and id <> ${id}`;

dbTest("a job killed after the provider accepted re-sends under the same key: one e-mail", async () => {
  const email = uniqueEmail("killed");
  const id = await queue(email);
  await holdOthers(id);
  // The killed job: claimed, rendered and accepted by the provider, then gone before settling.
  const [claimed] = (await rpcRows<ClaimedMessage>(sql(), "marketing.claim_messages", {
    batch_size: 1000,
    lease_seconds: 60,
  }))
    .filter((row) => row.message_id === id);
  assert.ok(claimed, "the message was claimed");
  const client = resendClient({ baseUrl: fake.url, apiKey: LOCAL_RESEND_API_KEY, timeoutMs: 2000 });
  const first = await client.send((await buildEmail(claimed, config)).email, id);
  assert.equal(first.outcome, "sent");
  assert.equal((await message(id)).status, "sending");
  // Its lease runs out; the next job takes the row over.
  await sql()`update marketing.messages set leased_until = now() - interval '1 second' where id = ${id}`;
  await runSendJob({ config, deadlineMs: 5000 });
  const row = await message(id);
  assert.equal(row.status, "sent");
  assert.equal(
    row.provider_message_id,
    (first as { id: string }).id,
    "the provider answered with the first send",
  );
  assert.equal(delivered(email).length, 1, "one e-mail, however often it was handed over");
  assert.equal(fake.keys().filter((key) => key === id).length, 2, "both attempts carried the row id as key");
});

dbTest("timeouts, 429 and 5xx are retried with backoff until the message goes out", async () => {
  const email = uniqueEmail("flaky");
  const id = await queue(email);
  await holdOthers(id);
  fake.fail("timeout", 429, 503);
  const errors: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    await runSendJob({ config, deadlineMs: 5000 });
    const row = await message(id);
    assert.equal(row.status, "queued", `attempt ${attempt} failed and is queued again`);
    assert.equal(row.attempts, attempt);
    errors.push(row.last_error);
    await due(id);
  }
  assert.match(errors[0], /timeout after 300 ms/);
  assert.match(errors[1], /HTTP 429/);
  assert.match(errors[2], /HTTP 503/);
  await runSendJob({ config, deadlineMs: 5000 });
  assert.equal((await message(id)).status, "sent");
  assert.equal(
    delivered(email).length <= 2,
    true,
    "a timed-out request may have arrived; never more than once more",
  );
  assert.equal(new Set(delivered(email).map((m) => m.idempotencyKey)).size, 1);
});

dbTest("a request the provider refuses (4xx) is dead after one attempt", async () => {
  const email = uniqueEmail("refused");
  const id = await queue(email);
  await holdOthers(id);
  const wrongKey = parseSettings({
    ...Deno.env.toObject(),
    RESEND_API_BASE: fake.url,
    RESEND_API_KEY: "re_not_the_right_key",
  });
  await runSendJob({ config: wrongKey, deadlineMs: 5000 });
  const row = await message(id);
  assert.equal(row.status, "dead");
  assert.match(row.last_error, /HTTP 403/);
  assert.equal(delivered(email).length, 0);
});

dbTest("suppression is checked at send time", async () => {
  const email = uniqueEmail("suppressed");
  const id = await queue(email);
  await holdOthers(id);
  await sql()`update marketing.subscribers set status = 'blocklisted' where email = ${email}`;
  await runSendJob({ config, deadlineMs: 5000 });
  const row = await message(id);
  assert.deepEqual([row.status, row.last_error], ["suppressed", "blocklisted"]);
  assert.equal(delivered(email).length, 0);
  assert.equal(
    await rpc<number>(sql(), "marketing.settle_messages", { outcomes: [{ id, outcome: "sent" }] }),
    0,
  );
});

dbTest("close the fake", async () => {
  await fake.close();
});
