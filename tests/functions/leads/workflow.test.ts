// The sales workflow over HTTP: list/detail/decide/bulk/export, each under the caller's RLS. A sales
// token must not reach another office's leads through any endpoint.
import assert from "node:assert/strict";
import { api, createUser, dbTest, envelope, sql, tokenFor } from "../../support/harness.ts";
import { parseCsv } from "../../../shared/csv.ts";
import { createOffice, leadAt, staffIn } from "./_helpers.ts";

const north = await createOffice("North");
const south = await createOffice("South");
const northRep = await staffIn(north);
const southRep = await staffIn(south);
const northLeads = [
  await leadAt(north, { companyName: '=HYPERLINK("http://evil","x")', industry: "manufacturing" }),
  await leadAt(north, { companyName: 'Acme "Quoted", Inc', formType: "quote", industry: "manufacturing" }),
  await leadAt(north, { companyName: "Plain North" }),
];
const southLead = await leadAt(south, { companyName: "South Secret" });

const SEED_ENVELOPE = ["currentPage", "hasNext", "items", "nextCursor", "nextSkip", "pageSize", "totalCount"];

dbTest("sales list their office's leads in seed 001's page envelope", async () => {
  const page = await api(`leads?officeId=${north.id}&limit=2&sort=createdAt&order=asc`, {
    token: northRep.token,
  });
  assert.equal(page.status, 200, page.text);
  assert.deepEqual(Object.keys(page.body).sort(), SEED_ENVELOPE);
  assert.equal(page.body.totalCount, 3);
  assert.equal(page.body.pageSize, 2);
  assert.equal(page.body.currentPage, 0);
  assert.equal(page.body.hasNext, true);
  assert.equal(page.body.nextSkip, 2);
  assert.deepEqual(page.body.items.map((l: { id: string }) => l.id), northLeads.slice(0, 2));

  const second = await api(`leads?officeId=${north.id}&limit=2&sort=createdAt&order=asc&skip=2`, {
    token: northRep.token,
  });
  assert.deepEqual(second.body.items.map((l: { id: string }) => l.id), [northLeads[2]]);
  assert.equal(second.body.currentPage, 1);
  assert.equal(second.body.hasNext, false);
  assert.equal(second.body.nextSkip, null);

  const keyset = await api(
    `leads?officeId=${north.id}&limit=2&sort=createdAt&order=asc&cursor=${page.body.nextCursor}`,
    { token: northRep.token },
  );
  assert.deepEqual(
    keyset.body.items.map((l: { id: string }) => l.id),
    [northLeads[2]],
    "the cursor continues the same order",
  );
});

dbTest("filters narrow the list: status, score range, industry, text", async () => {
  const hotOnly = await api(`leads?officeId=${north.id}&minScore=20`, { token: northRep.token });
  const scores = hotOnly.body.items.map((l: { score: number }) => l.score);
  assert.ok(scores.length >= 1 && scores.every((s: number) => s >= 20), JSON.stringify(scores));
  const industry = await api(`leads?officeId=${north.id}&industry=manufacturing`, { token: northRep.token });
  assert.equal(industry.body.totalCount, 2);
  const text = await api(`leads?officeId=${north.id}&q=${encodeURIComponent("quoted")}`, {
    token: northRep.token,
  });
  assert.deepEqual(text.body.items.map((l: { id: string }) => l.id), [northLeads[1]]);
  const bad = await api(`leads?status=lukewarm`, { token: northRep.token });
  assert.equal(bad.status, 422);
  assert.equal(envelope(bad).code, "validation_failed");
  const badCursor = await api(`leads?cursor=nonsense`, { token: northRep.token });
  assert.equal(badCursor.status, 422);
  assert.equal(envelope(badCursor).code, "invalid_cursor");
});

dbTest("a sales token cannot reach another office's leads through any endpoint", async (t) => {
  const token = northRep.token;
  await t.step("list filtered to the other office is empty", async () => {
    const page = await api(`leads?officeId=${south.id}`, { token });
    assert.equal(page.status, 200);
    assert.equal(page.body.totalCount, 0);
  });
  await t.step("deep pages and cursors never show it", async () => {
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string; officeId: string }>; nextCursor: string | null } } =
        await api(
          `leads?limit=200${cursor ? `&cursor=${cursor}` : ""}`,
          { token },
        );
      ids.push(...page.body.items.map((l) => l.id));
      assert.ok(page.body.items.every((l) => l.officeId === north.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    assert.ok(!ids.includes(southLead));
    assert.ok(northLeads.every((id) => ids.includes(id)));
  });
  await t.step("detail is 404", async () => {
    const response = await api(`leads/${southLead}`, { token });
    assert.equal(response.status, 404);
    envelope(response);
  });
  await t.step("patch is 404 and changes nothing", async () => {
    const response = await api(`leads/${southLead}`, {
      method: "PATCH",
      token,
      body: { status: "rejected", reasonCode: "spam" },
    });
    assert.equal(response.status, 404);
    const [lead] = await sql()`select status from leads.leads where id = ${southLead}`;
    assert.notEqual(lead.status, "rejected");
  });
  await t.step("bulk including it is refused as a whole", async () => {
    const response = await api("leads/bulk", {
      token,
      body: {
        ids: [northLeads[2], southLead],
        action: "status",
        status: "rejected",
        reasonCode: "not_interested",
      },
    });
    assert.equal(response.status, 404);
    assert.equal(envelope(response).code, "leads_not_found");
    const rows = await sql()`select status from leads.leads where id in ${sql()([northLeads[2], southLead])}`;
    assert.ok(rows.every((r) => r.status !== "rejected"), "nothing was half-written");
  });
  await t.step("bulk assignment into the other office is refused", async () => {
    const response = await api("leads/bulk", {
      token,
      body: { ids: [northLeads[2]], action: "assign", officeId: south.id },
    });
    assert.equal(response.status, 403);
    const [lead] = await sql()`select office_id from leads.leads where id = ${northLeads[2]}`;
    assert.equal(lead.office_id, north.id);
  });
  await t.step("export leaves it out", async () => {
    const response = await api(`leads/export.csv`, { token });
    assert.equal(response.status, 200);
    assert.ok(!response.text.includes(southLead) && !response.text.includes("South Secret"));
  });
  await t.step("dashboards count only their office", async () => {
    const from = new Date(Date.now() - 3600_000).toISOString();
    const to = new Date(Date.now() + 3600_000).toISOString();
    const response = await api(`leads/dashboard?from=${from}&to=${to}`, { token });
    assert.equal(response.status, 200, response.text);
    const regions = response.body.distribution.byRegion.map((r: { officeId: string }) => r.officeId);
    assert.deepEqual(regions, [north.id]);
  });
});

dbTest("decisions need a reason; feedback and status land in the history with the actor", async () => {
  const id = northLeads[2];
  const missing = await api(`leads/${id}`, {
    method: "PATCH",
    token: northRep.token,
    body: { status: "accepted" },
  });
  assert.equal(missing.status, 422);
  assert.ok(envelope(missing).details.some((d) => (d as { path: string }).path === "reasonCode"));

  const accepted = await api(`leads/${id}`, {
    method: "PATCH",
    token: northRep.token,
    body: { status: "accepted", reasonCode: "budget_confirmed", feedback: "Signed NDA" },
  });
  assert.equal(accepted.status, 200, accepted.text);
  assert.equal(accepted.body.status, "accepted");
  const feedback = await api(`leads/${id}`, {
    method: "PATCH",
    token: northRep.token,
    body: { feedback: "Site visit booked" },
  });
  assert.equal(feedback.status, 200, feedback.text);

  const detail = await api(`leads/${id}`, { token: northRep.token });
  assert.equal(detail.status, 200);
  const decision = detail.body.events.find((e: { type: string; to: string }) =>
    e.type === "status_changed" && e.to === "accepted"
  );
  assert.equal(decision.reasonCode, "budget_confirmed");
  assert.equal(decision.note, "Signed NDA");
  assert.equal(decision.actorId, northRep.id);
  assert.equal(decision.actorRole, "sales");
  assert.ok(
    detail.body.events.some((e: { type: string; note: string }) =>
      e.type === "feedback" && e.note === "Site visit booked"
    ),
  );
  assert.ok(Array.isArray(detail.body.recommendations));
});

dbTest("roles: analysts read but cannot change; customers and anon are kept out", async () => {
  const analyst = await tokenFor("analyst");
  const list = await api(`leads?officeId=${south.id}`, { token: analyst });
  assert.equal(list.status, 200);
  assert.equal(list.body.totalCount, 1, "analysts see every office");
  const patch = await api(`leads/${southLead}`, {
    method: "PATCH",
    token: analyst,
    body: { feedback: "hi" },
  });
  assert.equal(patch.status, 403);
  const bulk = await api("leads/bulk", {
    token: analyst,
    body: { ids: [southLead], action: "status", status: "converted" },
  });
  assert.equal(bulk.status, 403);
  const customer = await createUser();
  assert.equal((await api("leads", { token: customer.token })).status, 403);
  assert.equal((await api("leads")).status, 401);
  assert.equal((await api(`leads/${southLead}`)).status, 401);
});

dbTest("bulk: 1,001 ids is a 422; a valid bulk changes every lead in one go", async () => {
  const tooMany = Array.from({ length: 1001 }, () => crypto.randomUUID());
  const refused = await api("leads/bulk", {
    token: southRep.token,
    body: { ids: tooMany, action: "status", status: "converted" },
  });
  assert.equal(refused.status, 422);
  assert.equal(envelope(refused).code, "validation_failed");

  const admin = await tokenFor("admin");
  const ids = [await leadAt(south), await leadAt(south)];
  const done = await api("leads/bulk", {
    token: admin,
    body: { ids, action: "status", status: "rejected", reasonCode: "duplicate" },
  });
  assert.equal(done.status, 200, done.text);
  assert.equal(done.body.updated, 2);
  const events = await sql()`
    select count(*)::int as n from leads.events
    where lead_id in ${
    sql()(ids)
  } and type = 'status_changed' and to_value = 'rejected' and reason_code = 'duplicate'`;
  assert.equal(events[0].n, 2);

  const reopened = await api("leads/bulk", { token: admin, body: { ids, action: "status", status: "new" } });
  assert.equal(reopened.status, 200, reopened.text);
  const bands = await sql()`select distinct status from leads.leads where id in ${sql()(ids)}`;
  assert.deepEqual(bands.map((b) => b.status), ["cold"], "reopened leads return to their score band");

  const assign = await api("leads/bulk", {
    token: southRep.token,
    body: { ids, action: "assign", ownerId: southRep.id },
  });
  assert.equal(assign.status, 200, assign.text);
  const owners = await sql()`select distinct owner_id from leads.leads where id in ${sql()(ids)}`;
  assert.deepEqual(owners.map((o) => o.owner_id), [southRep.id]);
  const stranger = await api("leads/bulk", {
    token: southRep.token,
    body: { ids, action: "assign", ownerId: northRep.id },
  });
  assert.equal(stranger.status, 409, "owners must work for the lead's office");
});

dbTest("CSV export is RFC 4180 and safe from formula injection", async () => {
  const response = await api(`leads/export.csv?officeId=${north.id}&sort=createdAt&order=asc`, {
    token: northRep.token,
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /^text\/csv/);
  assert.ok(response.text.endsWith("\r\n"));
  const [header, ...rows] = parseCsv(response.text);
  assert.equal(header[0], "id");
  assert.equal(rows.length, 3);
  const company = header.indexOf("companyName");
  assert.equal(rows[0][company], `'=HYPERLINK("http://evil","x")`);
  assert.equal(rows[1][company], 'Acme "Quoted", Inc');
  assert.ok(response.text.includes('"Acme ""Quoted"", Inc"'));
});
