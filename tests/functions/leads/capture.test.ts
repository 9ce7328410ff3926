// POST /functions/v1/leads: anonymous capture over real HTTP, against the real database and Redis.
import assert from "node:assert/strict";
import { api, dbTest, envelope, eventually, sql, uniqueIp } from "../../support/harness.ts";
import { uniqueEmail, uniquePhone } from "./_helpers.ts";

const consumer = (extra: Record<string, unknown> = {}) => ({
  kind: "consumer",
  firstName: "Jo",
  lastName: "Rivera",
  email: uniqueEmail("Capture").toUpperCase(),
  phone: uniquePhone().local,
  zip: "77002",
  consent: true,
  consentVersion: "2026-01",
  formType: "quote",
  usageKwh: 2000,
  utm: { source: "google", medium: "cpc", campaign: "winter", term: "cheap power", content: "ad-1" },
  sessionId: crypto.randomUUID(),
  ...extra,
});

const countByEmail = async (email: string) =>
  (await sql()`select count(*)::int as n from leads.leads where email = ${email.toLowerCase()}`)[0].n;

dbTest("capture creates a scored, routed lead with normalized contact data (201)", async () => {
  const phone = uniquePhone();
  const body = consumer({ phone: phone.local });
  const response = await api("leads", { body });
  assert.equal(response.status, 201, response.text);
  assert.deepEqual(Object.keys(response.body).sort(), ["id", "reasons", "score", "status"]);
  // quote 25 + usage 10 + phone 10, and 15 more for a deregulated ZIP once energy.zips knows it.
  const [zip] = await sql()`select deregulated from energy.zip_facts(array['77002'])`;
  assert.equal(response.body.score, 45 + (zip?.deregulated ? 15 : 0));
  assert.equal(response.body.status, "warm");
  assert.ok(response.body.reasons.some((r: { code: string }) => r.code === "high_intent_form"));

  const [lead] = await sql()`select * from leads.leads where id = ${response.body.id}`;
  assert.equal(lead.email, body.email.toLowerCase());
  assert.equal(lead.phone, phone.e164);
  assert.equal(lead.session_id, body.sessionId);
  assert.equal(lead.utm_campaign, "winter");
  assert.equal(lead.utm_term, "cheap power");
  assert.equal(lead.consent_version, "2026-01");
  assert.ok(lead.consent_at instanceof Date);
  assert.ok(lead.office_id, "the lead is routed");
  const events = await sql()`select type from leads.events where lead_id = ${response.body.id} order by id`;
  assert.deepEqual(events.map((e) => e.type), ["created", "status_changed", "score_changed", "assigned"]);
});

dbTest("a repeat within 24 hours on e-mail or phone merges and answers 200 with the same id", async () => {
  const phone = uniquePhone();
  const first = consumer({ phone: phone.local });
  const created = await api("leads", { body: first });
  assert.equal(created.status, 201, created.text);
  const repeat = await api("leads", {
    body: consumer({ email: first.email.toLowerCase(), phone: undefined, formType: "enroll" }),
  });
  assert.equal(repeat.status, 200, repeat.text);
  assert.equal(repeat.body.id, created.body.id);
  assert.ok(repeat.body.score > created.body.score, "the repeat submission adds to the score");
  const byPhone = await api("leads", {
    body: { kind: "consumer", phone: phone.e164.replace(/^\+1/, "+1 "), consent: true },
  });
  assert.equal(byPhone.status, 200, byPhone.text);
  assert.equal(byPhone.body.id, created.body.id);
  const [lead] = await sql()`select submissions from leads.leads where id = ${created.body.id}`;
  assert.equal(lead.submissions, 3);
});

dbTest("bad input is a 4xx envelope and writes nothing", async (t) => {
  const cases: Array<[string, unknown, number, string]> = [
    ["bad e-mail", consumer({ email: "not-an-email" }), 422, "email"],
    ["bad phone", consumer({ phone: "12" }), 422, "phone"],
    ["no contact", consumer({ email: undefined, phone: undefined }), 422, "email"],
    ["consumer without consent", consumer({ consent: false }), 422, "consent"],
    ["unknown field", consumer({ isAdmin: true }), 422, ""],
    ["wrong kind", consumer({ kind: "robot" }), 422, "kind"],
    ["oversized name", consumer({ firstName: "x".repeat(101) }), 422, "firstName"],
    ["latitude alone", consumer({ latitude: 30 }), 422, "longitude"],
  ];
  for (const [name, body, status, path] of cases) {
    await t.step(name, async () => {
      const response = await api("leads", { body });
      assert.equal(response.status, status, response.text);
      const error = envelope(response);
      assert.equal(error.code, "validation_failed");
      assert.ok(
        (error.details as Array<{ path: string }>).some((d) => d.path === path),
        JSON.stringify(error.details),
      );
      const email = (body as { email?: string }).email;
      if (email && email.includes("@")) assert.equal(await countByEmail(email), 0);
    });
  }
  await t.step("malformed JSON", async () => {
    const response = await api("leads", {
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 400);
    assert.equal(envelope(response).code, "malformed_json");
  });
  await t.step("oversized body", async () => {
    const response = await api("leads", {
      body: JSON.stringify({ kind: "consumer", firstName: "x".repeat(1_100_000) }),
    });
    assert.equal(response.status, 413);
    assert.equal(envelope(response).code, "payload_too_large");
  });
});

dbTest("a filled honeypot is refused and recorded as abuse", async () => {
  const ip = uniqueIp();
  const body = consumer({ website: "http://spam.example" });
  const response = await api("leads", { body, ip });
  assert.equal(response.status, 400);
  assert.equal(envelope(response).code, "spam_detected");
  assert.equal(await countByEmail(body.email), 0);
  const [event] = await sql()`select kind, function_name from ops.security_events where ip = ${ip}::inet`;
  assert.equal(event?.kind, "lead_honeypot");
  assert.equal(event.function_name, "leads");
});

dbTest("scripts and SQL in text fields are stored literally and flagged", async () => {
  const ip = uniqueIp();
  const script = `<script>alert("x")</script>`;
  const injection = `Robert'); DROP TABLE leads.leads;--`;
  const response = await api("leads", {
    body: { kind: "business", email: uniqueEmail("xss"), firstName: script, companyName: injection },
    ip,
  });
  assert.equal(response.status, 201, response.text);
  const [lead] = await sql()`select first_name, company_name from leads.leads where id = ${response.body.id}`;
  assert.equal(lead.first_name, script);
  assert.equal(lead.company_name, injection);
  const [event] =
    await sql()`select details from ops.security_events where ip = ${ip}::inet and kind = 'suspicious_input'`;
  assert.deepEqual(event?.details.fields.sort(), ["companyName", "firstName"]);
});

dbTest(
  "the leads rate class allows 5 captures per 5 minutes per IP, then 429 with an abuse event",
  async () => {
    const ip = uniqueIp();
    for (let i = 0; i < 5; i++) {
      const response = await api("leads", { body: consumer(), ip });
      assert.equal(response.status, 201, response.text);
    }
    const body = consumer();
    const refused = await api("leads", { body, ip });
    assert.equal(refused.status, 429);
    assert.equal(envelope(refused).code, "rate_limited");
    assert.ok(Number(refused.headers.get("retry-after")) >= 1);
    assert.equal(refused.headers.get("ratelimit-limit"), "5");
    assert.equal(await countByEmail(body.email), 0);
    await eventually(async () =>
      (await sql()`select 1 from ops.security_events where ip = ${ip}::inet and kind = 'rate_limited'`)
        .length > 0
    );
  },
);

dbTest("a client cannot escape the leads limit by writing its own X-Forwarded-For entries", async () => {
  const ip = uniqueIp();
  // The harness is the trusted proxy in front of the gateway: everything left of its entry is the
  // client's own writing, a different "address" on every request.
  const spoofed = (i: number) => `198.51.100.${i + 1}, ${ip}`;
  for (let i = 0; i < 5; i++) {
    const response = await api("leads", { body: consumer(), ip: spoofed(i) });
    assert.equal(response.status, 201, response.text);
  }
  const refused = await api("leads", { body: consumer(), ip: spoofed(5) });
  assert.equal(refused.status, 429);
  assert.equal(envelope(refused).code, "rate_limited");
});

dbTest("a business lead gets product recommendations and a hot band", async () => {
  const response = await api("leads", {
    body: {
      kind: "business",
      email: uniqueEmail("plant"),
      phone: uniquePhone().e164,
      companyName: "Gulf Plastics",
      industry: "Plastics",
      companySize: 800,
      formType: "contact_sales",
      plants: [{ name: "Baytown", latitude: 29.73, longitude: -94.98, annualKwh: 5_000_000 }, {
        name: "Pasadena",
      }],
    },
  });
  assert.equal(response.status, 201, response.text);
  assert.equal(response.body.status, "hot");
  const recommendations = await sql()`
    select p.code from leads.lead_recommendations r join leads.products p on p.id = r.product_id
    where r.lead_id = ${response.body.id} order by r.rank`;
  assert.equal(recommendations[0].code, "INDEX-BLOCK");
  assert.ok(recommendations.some((r) => r.code === "MULTI-SITE"));
  const [lead] = await sql()`select reason_codes from leads.leads where id = ${response.body.id}`;
  assert.ok(lead.reason_codes.includes("plant_location"), "routed from the first plant's coordinates");
});
