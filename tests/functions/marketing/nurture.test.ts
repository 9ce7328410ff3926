// Hot energy leads reach marketing through the leads module's published feed (leads.hot_feed): the
// cron consumer starts the nurturing automation once per lead with the plans energy ranks best for the
// lead's ZIP and usage, only with the lead's consent, and the mail arrives at the Resend stand-in.
import assert from "node:assert/strict";
import { dbTest, eventually, sql } from "../../support/harness.ts";
import { mailTo, uniqueEmail } from "./_helpers.ts";

async function hotLead(lead: Record<string, string | number | boolean>): Promise<string> {
  const [{ id }] = await sql()`select (leads.capture(${sql().json(lead)}) ->> 'id')::uuid as id`;
  // Staff (or scoring) move it to hot; the history's status change is what the feed serves.
  await sql()`update leads.leads set status = 'hot' where id = ${id} and status <> 'hot'`;
  return id;
}

async function nurtureRuns(leadId: string): Promise<number> {
  const [row] = await sql()`
    select count(*)::int as n from marketing.automation_runs r join marketing.automations a on a.id = r.automation_id
    where a.slug = 'hot-lead-nurture' and r.trigger_event = ${"lead:" + leadId}`;
  return row.n;
}

dbTest(
  "nurture: a hot consenting lead from the leads feed gets the plans its ZIP and usage rank best",
  async () => {
    const email = uniqueEmail("nurture");
    const leadId = await hotLead({
      kind: "consumer",
      email,
      firstName: "Nia",
      zip: "77002",
      usageKwh: 1350,
      consent: true,
    });
    await eventually(async () => {
      await sql()`select private.marketing_consume_hot_leads()`;
      return (await nurtureRuns(leadId)) === 1;
    }, 20_000);
    const [run] = await sql()`
    select r.payload from marketing.automation_runs r where r.trigger_event = ${"lead:" + leadId}`;
    assert.equal(run.payload.zip, "77002");
    assert.equal(run.payload.usageKwh, 1350);
    assert.ok(run.payload.plans.length >= 1, "energy ranked plans for the ZIP");

    await sql()`select private.marketing_tick()`;
    const [mail] = await mailTo(email, 1, 30_000);
    assert.equal(mail.subject, "The best electricity plans for 77002");
    assert.match(mail.text ?? "", /1350 kWh a month at 77002/);
    assert.ok(mail.text?.includes(run.payload.plans[0].name), "the best-ranked plan is in the mail");

    // Hot again later (cold, then hot): the same lead is nurtured once.
    await sql()`update leads.leads set status = 'cold' where id = ${leadId}`;
    await sql()`update leads.leads set status = 'hot' where id = ${leadId}`;
    await eventually(async () => {
      await sql()`select private.marketing_consume_hot_leads()`;
      const [cursor] = await sql()`
      select tx from private.marketing_feed_cursors where consumer = 'hot-leads'`;
      const [event] = await sql()`
      select (max(tx_id)::text)::bigint as tx from leads.events where lead_id = ${leadId} and to_value = 'hot'`;
      return BigInt(cursor.tx) >= BigInt(event.tx);
    }, 20_000);
    assert.equal(await nurtureRuns(leadId), 1, "one nurturing run per lead");
  },
);

dbTest("nurture: a hot business lead without consent is not nurtured", async () => {
  const email = uniqueEmail("nocons");
  const leadId = await hotLead({ kind: "business", email, companyName: "No Consent Inc", zip: "77002" });
  await eventually(async () => {
    await sql()`select private.marketing_consume_hot_leads()`;
    const [cursor] = await sql()`select tx from private.marketing_feed_cursors where consumer = 'hot-leads'`;
    const [event] = await sql()`
      select (max(tx_id)::text)::bigint as tx from leads.events where lead_id = ${leadId} and to_value = 'hot'`;
    return BigInt(cursor.tx) >= BigInt(event.tx);
  }, 20_000);
  assert.equal(await nurtureRuns(leadId), 0, "no consent, no marketing mail");
  const [subscriber] =
    await sql()`select count(*)::int as n from marketing.subscribers where email = ${email}`;
  assert.equal(subscriber.n, 0, "and the address is not subscribed");
});
