// Staff through HTTP: templates are checked (undeclared variables, oversized preview data), segments with
// fields outside the list are a 422 and nothing is saved, roles are enforced; a campaign goes out to the
// stand-in, and its open pixel and click redirect are signed and only lead to the message's own links.
import assert from "node:assert/strict";
import {
  api,
  createUser,
  dbTest,
  envelope,
  eventually,
  serviceRoleKey,
  sql,
  tokenFor,
} from "../../support/harness.ts";
import { linkIn, mailTo, uniqueEmail } from "./_helpers.ts";

const staff = createUser({ staffRole: "marketing" });
const slug = (tag: string) => `${tag}-${crypto.randomUUID().slice(0, 8)}`;

dbTest("staff routes need the admin or marketing role", async () => {
  const customer = await tokenFor("customer");
  const refused = await api("marketing/templates", { token: customer });
  assert.equal(refused.status, 403);
  assert.equal(envelope(refused).code, "forbidden");
  assert.equal((await api("marketing/templates")).status, 401);
  assert.equal((await api("marketing/templates", { token: (await staff).token })).status, 200);
  assert.equal(
    (await api("marketing/segments", { token: await tokenFor("analyst") })).status,
    200,
    "analysts read segments",
  );
  assert.equal((await api("marketing/templates", { token: await tokenFor("analyst") })).status, 403);
});

dbTest(
  "templates with undeclared variables or bad syntax are refused; previews check their data",
  async () => {
    const { token } = await staff;
    const bad = await api("marketing/templates", {
      token,
      body: { slug: slug("bad"), name: "Bad", subject: "{{ secret }}", bodyHtml: "{% if %}", bodyText: "x" },
    });
    assert.equal(bad.status, 422);
    assert.deepEqual(envelope(bad).details.map((d) => (d as { code?: string }).code), [
      "unknown_variable",
      "template_syntax",
    ]);
    const good = await api("marketing/templates", {
      token,
      body: {
        slug: slug("good"),
        name: "Good",
        subject: "Hi {{ offer }}",
        bodyHtml: "<p>{{ offer }}</p>",
        bodyText: "{{ offer }}",
        variables: ["offer"],
      },
    });
    assert.equal(good.status, 201, good.text);
    const preview = await api(`marketing/templates/${good.body.id}/preview`, {
      token,
      body: { data: { offer: "<i>50%</i>" } },
    });
    assert.equal(preview.status, 200);
    assert.equal(preview.body.html, "<p>&lt;i&gt;50%&lt;/i&gt;</p>");
    const unknown = await api(`marketing/templates/${good.body.id}/preview`, {
      token,
      body: { data: { offer: "x", other: 1 } },
    });
    assert.equal(unknown.status, 422);
    const oversized = await api(`marketing/templates/${good.body.id}/preview`, {
      token,
      body: { data: { offer: "x".repeat(6000) } },
    });
    assert.equal(oversized.status, 422);
    assert.equal((envelope(oversized).details[0] as { code?: string }).code, "too_large");
  },
);

dbTest("a segment condition outside the allowed fields is a 422 and is never saved", async () => {
  const { token } = await staff;
  const segment = slug("seg");
  const bad = await api("marketing/segments", {
    token,
    body: {
      slug: segment,
      name: "Bad",
      definition: { field: "password); drop table marketing.segments; --", op: "eq", value: 1 },
    },
  });
  assert.equal(bad.status, 422);
  assert.equal(envelope(bad).code, "invalid_segment_field");
  assert.equal(
    (await sql()`select count(*)::int as n from marketing.segments where slug = ${segment}`)[0].n,
    0,
  );
  const preview = await api("marketing/segments/preview", {
    token,
    body: { definition: { all: [{ field: "orders_count", op: "gte", value: 1 }] } },
  });
  assert.equal(preview.status, 200, preview.text);
  assert.equal(typeof preview.body.size, "number");
  const wrongType = await api("marketing/segments/preview", {
    token,
    body: { definition: { field: "total_spent", op: "gt", value: "1; select pg_sleep(10)" } },
  });
  assert.equal(wrongType.status, 422);
  assert.equal(envelope(wrongType).code, "invalid_segment_value");
});

dbTest(
  "a scheduled campaign reaches the stand-in; open and click are signed and click only goes to its links",
  async () => {
    const { token } = await staff;
    const list = await api("marketing/lists", {
      token,
      body: {
        slug: slug("cl"),
        name: "Campaign HTTP list",
        optIn: "single",
        consentText: "I agree to campaign mail.",
      },
    });
    assert.equal(list.status, 201, list.text);
    const recipient = uniqueEmail("campaign");
    assert.equal(
      (await api("marketing/subscribe", { body: { email: recipient, list: list.body.slug } })).status,
      202,
    );
    const template = await api("marketing/templates", {
      token,
      body: {
        slug: slug("ct"),
        name: "Campaign",
        subject: "Deals for {{ subscriber.email }}",
        bodyHtml: '<p><a href="https://deals.example/winter?x=1&amp;y=2">Deals</a></p>',
        bodyText: "https://deals.example/winter",
      },
    });
    const campaign = await api("marketing/campaigns", {
      token,
      body: { name: "HTTP campaign", templateId: template.body.id, listId: list.body.id },
    });
    assert.equal(campaign.status, 201, campaign.text);
    const scheduled = await api(`marketing/campaigns/${campaign.body.id}/schedule`, { token, body: {} });
    assert.equal(scheduled.body.status, "scheduled");
    const locked = await api(`marketing/campaigns/${campaign.body.id}/pause`, {
      token,
      body: undefined,
      method: "POST",
    });
    assert.equal(locked.status, 409, "a scheduled campaign cannot be paused (it is not running)");
    // The minute tick, run now instead of waiting for pg_cron.
    await sql()`select private.marketing_tick()`;
    const [mail] = await mailTo(recipient, 1, 30_000);
    assert.equal(mail.subject, `Deals for ${recipient}`);

    const click = linkIn(mail.html!, "/marketing/c/");
    const redirected = await fetch(click, { redirect: "manual" });
    assert.equal(redirected.status, 302);
    assert.equal(redirected.headers.get("location"), "https://deals.example/winter?x=1&y=2");
    await redirected.body?.cancel();
    const forged = await fetch(click.replace(/\/c\/([\w-]+)\./, (_m, body) => `/c/${body}x.`), {
      redirect: "manual",
    });
    assert.equal(forged.status, 400, "a forged click token is refused, not redirected");
    await forged.body?.cancel();
    const pixel = mail.html!.match(/<img src="([^"]+\/marketing\/o\/[^"]+)"/)![1];
    const opened = await fetch(pixel);
    assert.equal(opened.headers.get("content-type"), "image/gif");
    await opened.body?.cancel();

    await eventually(async () => {
      const stats = await api(`marketing/campaigns/${campaign.body.id}/stats`, {
        token: await tokenFor("analyst"),
      });
      return stats.body.sent === 1 && stats.body.uniqueOpens === 1 && stats.body.uniqueClicks === 1 &&
        stats.body.delivered === 1 &&
        stats.body;
    });
    const edit = await api(`marketing/campaigns/${campaign.body.id}`, {
      token,
      method: "PATCH",
      body: { name: "Too late" },
    });
    assert.equal(edit.status, 409);
    assert.equal(envelope(edit).code, "campaign_locked");
  },
);

dbTest("lead.hot nurturing takes the plans energy ranks best for the lead's ZIP and usage", async () => {
  const email = uniqueEmail("hotlead");
  const started = await api("marketing/leads/hot", {
    token: await serviceRoleKey(),
    body: {
      type: "lead.hot",
      lead: { id: crypto.randomUUID(), email, zip: "77002", usageKwh: 1200, consent: true },
    },
  });
  assert.equal(started.status, 200, started.text);
  assert.equal(started.body.started, 1);
  assert.ok(started.body.plans >= 1, "plans were ranked for the ZIP");
  const refused = await api("marketing/leads/hot", {
    token: await tokenFor("admin"),
    body: { lead: { id: crypto.randomUUID() } },
  });
  assert.equal(refused.status, 403, "only the service key relays lead events");
  await sql()`select private.marketing_tick()`;
  const [mail] = await mailTo(email, 1, 30_000);
  assert.equal(mail.subject, "The best electricity plans for 77002");
  assert.match(mail.text!, /1200 kWh a month at 77002/);
});
