// POST /functions/v1/leads/import: discovered B2B leads in bulk, JSON or CSV, per-row errors with
// the good rows kept. Service role or admin only.
import assert from "node:assert/strict";
import { api, createUser, dbTest, envelope, serviceRoleKey, sql, tokenFor } from "../../support/harness.ts";
import { uniqueEmail, uniquePhone } from "./_helpers.ts";

dbTest("a JSON import keeps good rows, reports bad ones per row, and scores what it keeps", async () => {
  const good = uniqueEmail("import");
  const plantPhone = uniquePhone().e164;
  const response = await api("leads/import", {
    token: await serviceRoleKey(),
    body: {
      source: "texas-comptroller-registry",
      leads: [
        {
          kind: "business",
          email: good,
          companyName: "Permian Pumps",
          industry: "Oil and Gas",
          companySize: 120,
          plants: [{ name: "Odessa", latitude: 31.85, longitude: -102.37 }],
        },
        { kind: "business", companyName: "No Contact LLC" },
        { kind: "business", email: "broken@", companyName: "Bad Mail" },
        { kind: "business", phone: plantPhone, companyName: "Phone Only", unexpected: true },
        { kind: "business", phone: plantPhone, companyName: "Phone Only" },
        { kind: "business", email: good.toUpperCase(), companyName: "Permian Pumps (again)" },
      ],
    },
  });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.received, 6);
  assert.equal(response.body.imported, 2);
  assert.deepEqual(response.body.errors.map((e: { row: number }) => e.row), [1, 2, 3]);
  assert.deepEqual(response.body.duplicates.map((d: { row: number }) => d.row), [5]);
  const [permian] = await sql()`
    select l.industry, l.trust_score, l.reason_codes, o.name as office, s.name as source
    from leads.leads l join leads.regional_offices o on o.id = l.office_id join leads.sources s on s.id = l.source_id
    where l.email = ${good}`;
  assert.equal(permian.industry, "oil_and_gas");
  assert.equal(permian.source, "texas-comptroller-registry");
  assert.equal(permian.office, "Midland", "routed from the plant's coordinates to the nearest office");
  assert.ok(permian.reason_codes.includes("source_highly_trusted"));
  assert.equal(response.body.duplicates[0].id, response.body.inserted[0].id);
  const [source] = await sql()`
    select last_crawled_at from leads.sources where name = 'texas-comptroller-registry'`;
  assert.ok(
    Date.now() - source.last_crawled_at.getTime() < 60_000,
    "the import stamps the source's last crawl",
  );
});

dbTest("a CSV import (admin) maps columns, utm_* and plants JSON", async () => {
  const admin = await tokenFor("admin");
  const email = uniqueEmail("csv");
  const csv = [
    "kind,email,companyName,industry,companySize,utm_source,plants",
    `business,${email},"Lone Star Foods, Inc",Food Processing,75,directory,"[{""name"":""Plant 1"",""latitude"":29.42,""longitude"":-98.49}]"`,
    "business,,Missing Contact,retail,3,,",
    "business,not-an-email,Bad,retail,abc,,",
  ].join("\r\n");
  const response = await api("leads/import?source=industrial-directory", {
    token: admin,
    body: csv,
    headers: { "content-type": "text/csv" },
  });
  assert.equal(response.status, 200, response.text);
  assert.equal(response.body.imported, 1);
  assert.deepEqual(response.body.errors.map((e: { row: number }) => e.row), [1, 2]);
  const [lead] = await sql()`
    select l.company_name, l.utm_source, l.company_size, o.name as office
    from leads.leads l join leads.regional_offices o on o.id = l.office_id where l.email = ${email}`;
  assert.equal(lead.company_name, "Lone Star Foods, Inc");
  assert.equal(lead.utm_source, "directory");
  assert.equal(lead.company_size, 75);
  assert.equal(lead.office, "San Antonio");
});

dbTest("import refuses the wrong callers and bad envelopes", async () => {
  const sales = await tokenFor("sales");
  const body = { source: "csv-import", leads: [{ kind: "business", email: uniqueEmail("nope") }] };
  assert.equal((await api("leads/import", { body })).status, 401);
  assert.equal((await api("leads/import", { token: sales, body })).status, 403);
  assert.equal((await api("leads/import", { token: (await createUser()).token, body })).status, 403);

  const admin = await tokenFor("admin");
  const unknown = await api("leads/import", { token: admin, body: { ...body, source: "no-such-source" } });
  assert.equal(unknown.status, 422);
  assert.equal(envelope(unknown).code, "validation_failed");
  const empty = await api("leads/import", { token: admin, body: { source: "csv-import", leads: [] } });
  assert.equal(empty.status, 422);
  const noSource = await api("leads/import", {
    token: admin,
    body: "kind,email\r\n",
    headers: { "content-type": "text/csv" },
  });
  assert.equal(noSource.status, 422);
  const unterminated = await api("leads/import?source=csv-import", {
    token: admin,
    body: 'kind,email\r\nbusiness,"open',
    headers: { "content-type": "text/csv" },
  });
  assert.equal(unterminated.status, 400);
  assert.equal(envelope(unterminated).code, "malformed_csv");
  const rows = await sql()`select 1 from leads.leads where email = ${body.leads[0].email}`;
  assert.equal(rows.length, 0);
});
