// marketing: subscribe (anonymous, rate limited, double opt-in), confirm, one-click unsubscribe
// (RFC 8058), open pixel and click redirect (signed tokens), the Resend webhook (Svix-signed), the
// lead.hot nurturing entry (service role), and the staff API for lists, templates, campaigns,
// automations and segments (admin or marketing; analysts read stats).
import { z } from "zod";
import { requireRole, type StaffRole } from "../../shared/auth.ts";
import { asService } from "../../shared/db.ts";
import { notFound } from "../../shared/errors.ts";
import { type AppContext, caller, clientIp, createApp, rateLimit, readJson } from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import { page, paragraph, PIXEL, unsubscribeForm } from "../../shared/marketing/pages.ts";
import {
  AutomationBody,
  CampaignBody,
  CampaignPatch,
  HotLeadBody,
  ListBody,
  PreviewBody,
  ScheduleBody,
  SegmentBody,
  SegmentPreviewBody,
  SubscribeBody,
  TemplateBody,
  TemplatePatch,
} from "../../shared/marketing/schemas.ts";
import * as staff from "../../shared/marketing/staff.ts";
import {
  checkUnsubscribeToken,
  confirm,
  receiveResendWebhook,
  recordClick,
  recordOpen,
  subscribe,
  unsubscribe,
} from "../../shared/marketing/subscriptions.ts";

const app = createApp("marketing", { cors: true });

const STAFF: StaffRole[] = ["admin", "marketing"];
const READERS: StaffRole[] = ["admin", "marketing", "analyst"];

async function staffClaims(c: AppContext, roles: StaffRole[] = STAFF) {
  const who = await caller(c);
  requireRole(who, roles);
  return who.claims;
}

function uuidParam(c: AppContext, what: string): string {
  const parsed = z.uuid().safeParse(c.req.param("id"));
  if (!parsed.success) throw notFound(`No such ${what}.`);
  return parsed.data;
}

const wantsJson = (c: AppContext) => (c.req.header("accept") ?? "").includes("application/json");

// Subscribers ---------------------------------------------------------------------------------------

app.post("/subscribe", rateLimit("subscribe"), async (c) => {
  const input = await readJson(c, SubscribeBody);
  const who = await caller(c);
  const ownAddress = who.userId && who.email?.toLowerCase() === input.email.toLowerCase();
  const result = await subscribe({
    ...input,
    ip: clientIp(c),
    userAgent: c.req.header("user-agent"),
    accountId: ownAddress ? who.userId : undefined,
  });
  log("info", "marketing subscribe", {
    requestId: c.get("requestId"),
    list: input.list,
    status: result.status,
  });
  // A blocklisted address hears the same as a new one: the form must not reveal who is on file.
  const pending = result.status !== "confirmed";
  return c.json({ status: pending ? "pending_confirmation" : "subscribed", list: input.list }, 202);
});

app.get("/confirm", async (c) => {
  const result = await confirm(c.req.query("token"), clientIp(c), c.req.header("user-agent"));
  if (wantsJson(c)) return c.json(result);
  return page("Subscription confirmed", paragraph("Thank you: your subscription is confirmed."));
});

// GET shows a button instead of acting: mail scanners fetch links, and must not unsubscribe anyone.
app.get("/unsubscribe", async (c) => {
  await checkUnsubscribeToken(c.req.query("token"));
  return page("Unsubscribe", unsubscribeForm(new URL(c.req.url).pathname + new URL(c.req.url).search));
});

// RFC 8058 one-click: the mailbox provider POSTs `List-Unsubscribe=One-Click` to the header's URL, with
// no cookies or login; it takes effect at once.
app.post("/unsubscribe", async (c) => {
  const changed = await unsubscribe(c.req.query("token"), "one_click");
  if (wantsJson(c)) return c.json({ unsubscribed: true, changed });
  return page("Unsubscribed", paragraph("You will not receive these e-mails any more."));
});

app.get("/o/:token", async (c) => {
  await recordOpen(c.req.param("token"));
  return c.body(PIXEL, 200, { "content-type": "image/gif", "cache-control": "no-store, private" });
});

app.get("/c/:token", async (c) => {
  const target = await recordClick(c.req.param("token"));
  return c.redirect(target, 302);
});

app.post("/webhooks/resend", async (c) => {
  const result = await receiveResendWebhook(await c.req.text(), c.req.raw.headers);
  return c.json({ received: true, ...result });
});

// The leads module's lead.hot event (a service-role caller relays it): nurturing with the plans the
// energy module ranks best for the lead's ZIP and usage.
app.post("/leads/hot", async (c) => {
  requireRole(await caller(c), []);
  const body = await readJson(c, HotLeadBody);
  const [row] = await asService((tx) =>
    tx`select marketing.nurture_hot_lead(${tx.json(body.lead as never)}, ${
      body.list ?? "energy-tips"
    }) as result`
  );
  return c.json(row.result);
});

// Staff ---------------------------------------------------------------------------------------------

app.get("/lists", async (c) => c.json({ lists: await staff.listLists(await staffClaims(c, READERS)) }));
app.post("/lists", async (c) => {
  const claims = await staffClaims(c);
  return c.json(await staff.createList(claims, await readJson(c, ListBody)), 201);
});

app.get("/templates", async (c) => c.json({ templates: await staff.listTemplates(await staffClaims(c)) }));
app.post("/templates", async (c) => {
  const claims = await staffClaims(c);
  return c.json(await staff.createTemplate(claims, await readJson(c, TemplateBody)), 201);
});
app.patch("/templates/:id", async (c) => {
  const claims = await staffClaims(c);
  const id = uuidParam(c, "template");
  return c.json(await staff.updateTemplate(claims, id, await readJson(c, TemplatePatch)));
});
app.post("/templates/:id/preview", async (c) => {
  const claims = await staffClaims(c);
  const id = uuidParam(c, "template");
  return c.json(await staff.previewTemplate(claims, id, await readJson(c, PreviewBody)));
});

app.get(
  "/campaigns",
  async (c) => c.json({ campaigns: await staff.listCampaigns(await staffClaims(c, READERS)) }),
);
app.post("/campaigns", async (c) => {
  const claims = await staffClaims(c);
  return c.json(await staff.createCampaign(claims, await readJson(c, CampaignBody)), 201);
});
app.patch("/campaigns/:id", async (c) => {
  const claims = await staffClaims(c);
  const id = uuidParam(c, "campaign");
  return c.json(await staff.updateCampaign(claims, id, await readJson(c, CampaignPatch)));
});
for (const action of ["schedule", "unschedule", "pause", "resume", "cancel"] as const) {
  app.post(`/campaigns/:id/${action}`, async (c) => {
    const claims = await staffClaims(c);
    const id = uuidParam(c, "campaign");
    const sendAt = action === "schedule" ? (await readJson(c, ScheduleBody)).sendAt : undefined;
    return c.json(await staff.changeCampaign(claims, id, action, sendAt));
  });
}
app.get("/campaigns/:id/stats", async (c) => {
  const claims = await staffClaims(c, READERS);
  return c.json(await staff.campaignStats(claims, uuidParam(c, "campaign")));
});

app.get(
  "/automations",
  async (c) => c.json({ automations: await staff.listAutomations(await staffClaims(c)) }),
);
app.post("/automations", async (c) => {
  const claims = await staffClaims(c);
  return c.json(await staff.createAutomation(claims, await readJson(c, AutomationBody)), 201);
});

app.get(
  "/segments",
  async (c) => c.json({ segments: await staff.segmentStats(await staffClaims(c, READERS)) }),
);
app.post("/segments", async (c) => {
  const claims = await staffClaims(c);
  return c.json(await staff.createSegment(claims, await readJson(c, SegmentBody)), 201);
});
app.post("/segments/preview", async (c) => {
  const claims = await staffClaims(c, READERS);
  return c.json(await staff.previewSegment(claims, (await readJson(c, SegmentPreviewBody)).definition));
});

export default app;
