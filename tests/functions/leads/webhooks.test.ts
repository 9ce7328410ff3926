// Hot leads reach the CRM through the durable ops outbox: pg_net sends the signed webhook after the
// capture commits, a 5xx is retried by the delivery job, a bad signature is refused by the receiver,
// and the live dashboard gets a realtime broadcast.
import assert from "node:assert/strict";
import { api, dbTest, eventually, sql } from "../../support/harness.ts";
import { startFakeCrm } from "../../support/fakes/crm.ts";
import { uniqueEmail, uniquePhone } from "./_helpers.ts";

async function endpointFor(url: string, secret: string): Promise<string> {
  const name = `crm-test-${crypto.randomUUID().slice(0, 8)}`;
  await sql()`select vault.create_secret(${secret}, ${name}, 'test CRM signing secret')`;
  const [endpoint] = await sql()`
    insert into ops.webhook_endpoints (name, url, secret_name, event_types, max_attempts, timeout_ms)
    values (${name}, ${url}, ${name}, array['lead.hot'], 5, 3000) returning id`;
  return endpoint.id;
}

const hotLead = () => ({
  kind: "business",
  email: uniqueEmail("hot"),
  phone: uniquePhone().e164,
  companyName: "Hot Chemicals",
  industry: "chemicals",
  companySize: 900,
  formType: "quote",
  plants: [{ name: "Deer Park", latitude: 29.7, longitude: -95.1 }, { name: "Freeport" }],
});

const hookFor = async (endpointId: string, leadId: string) =>
  (await sql()`
    select id, status, attempts, last_status_code from ops.outbound_webhooks
    where endpoint_id = ${endpointId} and payload #>> '{lead,id}' = ${leadId}`)[0];

async function retryNow(hookId: number) {
  await sql()`update ops.outbound_webhooks set next_attempt_at = now() where id = ${hookId}`;
  await sql()`select ops.deliver_outbound_webhooks()`;
}

dbTest("a hot lead is delivered to the CRM, signed, after one retry", async () => {
  const crm = startFakeCrm({ secret: "crm-secret-1", failFirst: 1 });
  const endpointId = await endpointFor(`${crm.url}/hooks`, "crm-secret-1");
  try {
    const captured = await api("leads", { body: hotLead() });
    assert.equal(captured.status, 201, captured.text);
    assert.equal(captured.body.status, "hot");
    const leadId = captured.body.id;

    // First attempt: sent by pg_net after commit, refused with a 503.
    await eventually(() => Promise.resolve(crm.requests.some((r) => r.body.includes(leadId))));
    await eventually(async () => {
      await sql()`select ops.deliver_outbound_webhooks()`;
      return (await hookFor(endpointId, leadId))?.status === "pending";
    });
    const failed = await hookFor(endpointId, leadId);
    assert.equal(failed.last_status_code, 503);
    assert.equal(failed.attempts, 1);

    // Retry: accepted, then settled as delivered.
    await retryNow(failed.id);
    await eventually(() =>
      Promise.resolve(crm.accepted.some((e) => (e.payload.lead as { id: string }).id === leadId))
    );
    await eventually(async () => {
      await sql()`select ops.deliver_outbound_webhooks()`;
      return (await hookFor(endpointId, leadId))?.status === "delivered";
    });
    const event = crm.accepted.find((e) => (e.payload.lead as { id: string }).id === leadId)!;
    assert.equal(event.type, "lead.hot");
    assert.equal((event.payload.lead as { score: number }).score, captured.body.score);
    assert.equal(crm.rejectedSignatures, 0);

    const [broadcast] = await sql()`
      select event from realtime.messages where topic = 'leads:dashboard' and payload ->> 'id' = ${leadId}`;
    assert.equal(broadcast?.event, "lead_hot");
  } finally {
    await sql()`update ops.webhook_endpoints set active = false where id = ${endpointId}`;
    await crm.close();
  }
});

dbTest(
  "a receiver with another secret refuses the signature; the outbox keeps the webhook for retry",
  async () => {
    const crm = startFakeCrm({ secret: "the-receivers-secret" });
    const endpointId = await endpointFor(`${crm.url}/hooks`, "a-different-secret");
    try {
      const captured = await api("leads", { body: hotLead() });
      assert.equal(captured.status, 201, captured.text);
      await eventually(() => Promise.resolve(crm.requests.some((r) => r.body.includes(captured.body.id))));
      await eventually(async () => {
        await sql()`select ops.deliver_outbound_webhooks()`;
        return (await hookFor(endpointId, captured.body.id))?.status === "pending";
      });
      const hook = await hookFor(endpointId, captured.body.id);
      assert.equal(hook.last_status_code, 401);
      assert.ok(crm.rejectedSignatures >= 1);
      assert.equal(crm.accepted.length, 0);
    } finally {
      await sql()`update ops.webhook_endpoints set active = false where id = ${endpointId}`;
      await crm.close();
    }
  },
);

dbTest("cold leads send nothing", async () => {
  const crm = startFakeCrm({ secret: "cold-secret" });
  const endpointId = await endpointFor(`${crm.url}/hooks`, "cold-secret");
  try {
    const captured = await api("leads", { body: { kind: "business", email: uniqueEmail("cold") } });
    assert.equal(captured.status, 201);
    assert.equal(captured.body.status, "cold");
    assert.equal(await hookFor(endpointId, captured.body.id), undefined);
  } finally {
    await sql()`update ops.webhook_endpoints set active = false where id = ${endpointId}`;
    await crm.close();
  }
});
