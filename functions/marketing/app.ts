// marketing: subscribe (anonymous, rate limited, double opt-in), confirm, one-click unsubscribe
// (RFC 8058), open pixel and click redirect (signed tokens), the Resend webhook (Svix-signed), the
// lead.hot nurturing entry (service key), and the staff API for lists, templates, campaigns,
// automations and segments (admin or marketing; analysts read lists, campaigns and segment stats).
import { z } from "zod";
import { asService, asUser, rpc, rpcRows } from "../../shared/db.ts";
import { notFound } from "../../shared/errors.ts";
import {
  type AppContext,
  caller,
  clientIp,
  createApp,
  jsonBody,
  jsonResponse,
  rateLimit,
  requireRoles,
  requireService,
  requireUser,
  route,
} from "../../shared/http.ts";
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

const app = createApp("marketing", {
  cors: true,
  // Resend's signed events, mail-proxy pixel and link fetches and one-click unsubscribes arrive in
  // bursts from a few provider addresses; the per-IP global class would refuse them mid-campaign.
  globalRateLimitExempt: ["/webhooks/resend", "/o/{token}", "/c/{token}", "/unsubscribe"],
  description:
    "E-mail marketing: subscriptions, sending, campaigns, automations, segments (docs/api/marketing.md).",
});

const staffOnly = requireRoles("admin", "marketing");
const readers = requireRoles("admin", "marketing", "analyst");
const TOKEN_ERRORS = { 400: "invalid_token: the link was altered or is not one of ours." } as const;
const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const Row = (id: string) => z.looseObject({}).meta({ id, description: "See docs/api/marketing.md." });
const IdParam = z.object({ id: z.uuid() });
const TokenQuery = z.object({ token: z.string().min(1).max(4096) });
const wantsJson = (c: AppContext) => (c.req.header("accept") ?? "").includes("application/json");

// Subscribers ---------------------------------------------------------------------------------------

app.openapi(
  route({
    method: "post",
    path: "/subscribe",
    summary: "Subscribe an address to a list (double opt-in sends the confirmation e-mail)",
    tags: ["subscribers"],
    middleware: [rateLimit("subscribe")],
    request: { body: jsonBody(SubscribeBody) },
    responses: {
      202: jsonResponse(
        z.object({ status: z.enum(["pending_confirmation", "subscribed"]), list: z.string() }),
        "Accepted; a blocklisted address gets the same answer as a new one.",
      ),
    },
    errors: { 404: "list_not_found: no list with that slug." },
  }),
  async (c) => {
    const input = c.req.valid("json");
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
    // The form must not reveal who is on file: blocklisted answers like a new address.
    const status = result.status === "confirmed" ? "subscribed" as const : "pending_confirmation" as const;
    return c.json({ status, list: input.list }, 202);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/confirm",
    summary: "Confirm a double opt-in subscription (the link in the confirmation e-mail)",
    tags: ["subscribers"],
    request: { query: TokenQuery },
    responses: { 200: html("The confirmation page (JSON {status, changed} with Accept: application/json).") },
    errors: {
      ...TOKEN_ERRORS,
      404: "subscription_not_found",
      409: "unsubscribed: the subscription was cancelled after this link was sent.",
      410: "token_expired: the confirmation link is older than its lifetime.",
    },
  }),
  async (c) => {
    const result = await confirm(c.req.valid("query").token, clientIp(c), c.req.header("user-agent"));
    if (wantsJson(c)) return c.json(result, 200);
    return page("Subscription confirmed", paragraph("Thank you: your subscription is confirmed."));
  },
);

// GET shows a button instead of acting: mail scanners fetch links and must not unsubscribe anyone.
app.openapi(
  route({
    method: "get",
    path: "/unsubscribe",
    summary: "The unsubscribe page (a button that posts the one-click request)",
    tags: ["subscribers"],
    request: { query: TokenQuery },
    responses: { 200: html("A page with the unsubscribe button.") },
    errors: TOKEN_ERRORS,
  }),
  async (c) => {
    await checkUnsubscribeToken(c.req.valid("query").token);
    const url = new URL(c.req.url);
    return page("Unsubscribe", unsubscribeForm(url.pathname + url.search));
  },
);

// RFC 8058 one-click: the mailbox provider POSTs `List-Unsubscribe=One-Click` (form-encoded) to the
// List-Unsubscribe URL, without cookies or login; it takes effect at once.
app.openapi(
  route({
    method: "post",
    path: "/unsubscribe",
    summary: "One-click unsubscribe (RFC 8058): takes effect at once, no login",
    tags: ["subscribers"],
    request: { query: TokenQuery },
    responses: {
      200: html("The confirmation page (JSON {unsubscribed, changed} with Accept: application/json)."),
    },
    errors: { ...TOKEN_ERRORS, 404: "subscriber_not_found" },
  }),
  async (c) => {
    const changed = await unsubscribe(c.req.valid("query").token, "one_click");
    if (wantsJson(c)) return c.json({ unsubscribed: true, changed }, 200);
    return page("Unsubscribed", paragraph("You will not receive these e-mails any more."));
  },
);

app.openapi(
  route({
    method: "get",
    path: "/o/{token}",
    summary: "Open pixel (signed per message)",
    tags: ["tracking"],
    request: { params: z.object({ token: z.string().min(1).max(4096) }) },
    responses: { 200: { description: "A 1x1 GIF.", content: { "image/gif": { schema: z.string() } } } },
    errors: TOKEN_ERRORS,
  }),
  async (c) => {
    await recordOpen(c.req.valid("param").token);
    return c.body(PIXEL, 200, { "content-type": "image/gif", "cache-control": "no-store, private" });
  },
);

app.openapi(
  route({
    method: "get",
    path: "/c/{token}",
    summary: "Click redirect: only to a link that was in the message (no open redirect)",
    tags: ["tracking"],
    request: { params: z.object({ token: z.string().min(1).max(4096) }) },
    responses: { 302: { description: "Redirect to the message's link." } },
    errors: { ...TOKEN_ERRORS, 404: "link_not_found: the message had no link at that position." },
  }),
  async (c) => c.redirect(await recordClick(c.req.valid("param").token), 302),
);

// The body is read raw: the Svix signature covers the exact bytes sent.
app.openapi(
  route({
    method: "post",
    path: "/webhooks/resend",
    summary: "Resend e-mail events (Svix-signed): delivered, bounced, complained, opened, clicked",
    tags: ["provider"],
    responses: {
      200: jsonResponse(
        z.object({ received: z.boolean(), recorded: z.number().int(), type: z.string().nullable() }),
        "Recorded (recorded 0 for a redelivery or an untracked type).",
      ),
    },
    errors: {
      401: "invalid_signature: svix-id / svix-timestamp / svix-signature do not verify (or are stale).",
      422: "validation_failed: the body is not a Resend e-mail event.",
    },
  }),
  async (c) =>
    c.json({ received: true, ...(await receiveResendWebhook(await c.req.text(), c.req.raw.headers)) }, 200),
);

app.openapi(
  route({
    method: "post",
    path: "/leads/hot",
    summary: "Start nurturing a hot energy lead with the plans its ZIP and usage rank best",
    tags: ["automations"],
    middleware: [requireService()],
    request: { body: jsonBody(HotLeadBody) },
    responses: {
      200: jsonResponse(z.looseObject({ started: z.number().int() }), "Runs started (0 with a reason)."),
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const result = await asService((tx) =>
      rpc<{ started: number }>(tx, "marketing.nurture_hot_lead", { lead: body.lead, list_slug: body.list })
    );
    return c.json(result, 200);
  },
);

// Recommendations (public: pairs are aggregates over at least min_pair_orders orders) -----------------

const Recommendation = z.object({
  productId: z.uuid(),
  ordersTogether: z.number().int(),
  support: z.number(),
  confidence: z.number(),
  lift: z.number(),
}).meta({ id: "Recommendation", description: "A product often bought with the one asked for." });

app.openapi(
  route({
    method: "get",
    path: "/recommendations",
    summary: "Products frequently bought together with a product, best first",
    tags: ["recommendations"],
    middleware: [rateLimit("api")],
    request: {
      query: z.object({
        productId: z.uuid(),
        limit: z.coerce.number().int().min(1).max(50).default(5),
      }),
    },
    responses: {
      200: jsonResponse(
        z.object({ productId: z.uuid(), items: z.array(Recommendation) }),
        "The recommendations (empty when the product has none yet).",
      ),
    },
  }),
  async (c) => {
    const { productId, limit } = c.req.valid("query");
    const rows = await asUser((await caller(c)).claims, (tx) =>
      rpcRows<{
        related_product_id: string;
        orders_together: number;
        support: string;
        confidence: string;
        lift: string;
      }>(tx, "marketing.frequently_bought_together", { product_id: productId, max_rows: limit }));
    return c.json({
      productId,
      items: rows.map((row) => ({
        productId: row.related_product_id,
        ordersTogether: Number(row.orders_together),
        support: Number(row.support),
        confidence: Number(row.confidence),
        lift: Number(row.lift),
      })),
    }, 200);
  },
);

// Price alerts (the signed-in customer's own, under RLS) ---------------------------------------------

const AlertBody = z.strictObject({
  zip: z.string().regex(/^\d{5}$/),
  usageKwh: z.number().int().min(1).max(20000),
  planId: z.number().int().positive().optional(),
  targetMonthly: z.number().positive().max(100_000),
});
const Alert = z.looseObject({}).meta({
  id: "PriceAlert",
  description: "See docs/api/marketing.md#price-alerts.",
});
const ALERT_COLUMNS =
  `id, zip, usage_kwh as "usageKwh", plan_id as "planId", target_monthly::float8 as "targetMonthly",
  armed, last_price::float8 as "lastPrice", checked_at as "checkedAt", notified_at as "notifiedAt"`;

app.openapi(
  route({
    method: "get",
    path: "/alerts",
    summary: "The caller's energy plan price alerts",
    tags: ["alerts"],
    middleware: [requireUser()],
    responses: { 200: jsonResponse(z.object({ alerts: z.array(Alert) }), "The alerts.") },
  }),
  async (c) => {
    const alerts = await asUser(
      (await caller(c)).claims,
      (tx) => tx.unsafe(`select ${ALERT_COLUMNS} from marketing.price_alerts order by created_at`),
    );
    return c.json({ alerts: [...alerts] }, 200);
  },
);
app.openapi(
  route({
    method: "post",
    path: "/alerts",
    summary: "Watch an energy plan's price (or the cheapest plan's) at a ZIP and monthly usage",
    tags: ["alerts"],
    middleware: [requireUser()],
    request: { body: jsonBody(AlertBody) },
    responses: { 201: jsonResponse(Alert, "The alert, armed.") },
  }),
  async (c) => {
    const input = c.req.valid("json");
    const [alert] = await asUser((await caller(c)).claims, (tx) =>
      tx.unsafe(
        `insert into marketing.price_alerts (zip, usage_kwh, plan_id, target_monthly) values ($1, $2, $3, $4)
         returning ${ALERT_COLUMNS}`,
        [input.zip, input.usageKwh, input.planId ?? null, input.targetMonthly],
      ));
    return c.json(alert, 201);
  },
);
app.openapi(
  route({
    method: "delete",
    path: "/alerts/{id}",
    summary: "Stop watching",
    tags: ["alerts"],
    middleware: [requireUser()],
    request: { params: IdParam },
    responses: { 200: jsonResponse(z.object({ deleted: z.boolean() }), "Deleted.") },
    errors: { 404: "not_found: no such alert of yours." },
  }),
  async (c) => {
    const rows = await asUser(
      (await caller(c)).claims,
      (tx) => tx`delete from marketing.price_alerts where id = ${c.req.valid("param").id} returning id`,
    );
    if (rows.length === 0) throw notFound("No such alert of yours.");
    return c.json({ deleted: true }, 200);
  },
);

// Staff ---------------------------------------------------------------------------------------------

app.openapi(
  route({
    method: "get",
    path: "/lists",
    summary: "Lists with their confirmed subscriber counts",
    tags: ["staff"],
    middleware: [readers],
    responses: { 200: jsonResponse(z.object({ lists: z.array(Row("MarketingList")) }), "The lists.") },
  }),
  async (c) => c.json({ lists: await staff.listLists((await caller(c)).claims) }, 200),
);
app.openapi(
  route({
    method: "post",
    path: "/lists",
    summary: "Create a list",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { body: jsonBody(ListBody) },
    responses: { 201: jsonResponse(Row("MarketingList"), "The list.") },
    errors: { 409: "a list with that slug exists." },
  }),
  async (c) => c.json(await staff.createList((await caller(c)).claims, c.req.valid("json")), 201),
);

app.openapi(
  route({
    method: "get",
    path: "/templates",
    summary: "Templates",
    tags: ["staff"],
    middleware: [staffOnly],
    responses: { 200: jsonResponse(z.object({ templates: z.array(Row("Template")) }), "The templates.") },
  }),
  async (c) => c.json({ templates: await staff.listTemplates((await caller(c)).claims) }, 200),
);
app.openapi(
  route({
    method: "post",
    path: "/templates",
    summary: "Create a template (liquid; checked: syntax, and every variable built in or declared)",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { body: jsonBody(TemplateBody) },
    responses: { 201: jsonResponse(Row("Template"), "The template.") },
  }),
  async (c) => c.json(await staff.createTemplate((await caller(c)).claims, c.req.valid("json")), 201),
);
app.openapi(
  route({
    method: "patch",
    path: "/templates/{id}",
    summary: "Change a template",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(TemplatePatch) },
    responses: { 200: jsonResponse(Row("Template"), "The template.") },
    errors: { 404: "not_found: no such template." },
  }),
  async (c) =>
    c.json(
      await staff.updateTemplate((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);
app.openapi(
  route({
    method: "post",
    path: "/templates/{id}/preview",
    summary: "Render a template with sample data (unknown or oversized variables are a 422)",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(PreviewBody) },
    responses: {
      200: jsonResponse(
        z.object({ subject: z.string(), html: z.string(), text: z.string() }),
        "The rendering.",
      ),
    },
    errors: { 404: "not_found: no such template." },
  }),
  async (c) =>
    c.json(
      await staff.previewTemplate((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);

app.openapi(
  route({
    method: "get",
    path: "/campaigns",
    summary: "Campaigns, newest first",
    tags: ["staff"],
    middleware: [readers],
    responses: { 200: jsonResponse(z.object({ campaigns: z.array(Row("Campaign")) }), "The campaigns.") },
  }),
  async (c) => c.json({ campaigns: await staff.listCampaigns((await caller(c)).claims) }, 200),
);
app.openapi(
  route({
    method: "post",
    path: "/campaigns",
    summary: "Create a draft campaign to a list (optionally narrowed to a segment)",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { body: jsonBody(CampaignBody) },
    responses: { 201: jsonResponse(Row("Campaign"), "The campaign.") },
  }),
  async (c) => c.json(await staff.createCampaign((await caller(c)).claims, c.req.valid("json")), 201),
);
app.openapi(
  route({
    method: "patch",
    path: "/campaigns/{id}",
    summary: "Edit a campaign (only while draft or scheduled)",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(CampaignPatch) },
    responses: { 200: jsonResponse(Row("Campaign"), "The campaign.") },
    errors: { 404: "not_found: no such campaign.", 409: "campaign_locked: the campaign is running or over." },
  }),
  async (c) =>
    c.json(
      await staff.updateCampaign((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);
app.openapi(
  route({
    method: "post",
    path: "/campaigns/{id}/schedule",
    summary: "Schedule a draft campaign (sendAt, default now); pg_cron starts it when due",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(ScheduleBody) },
    responses: { 200: jsonResponse(Row("Campaign"), "The campaign.") },
    errors: { 404: "not_found: no such campaign.", 409: "invalid_transition" },
  }),
  async (c) =>
    c.json(
      await staff.changeCampaign(
        (await caller(c)).claims,
        c.req.valid("param").id,
        "schedule",
        c.req.valid("json").sendAt,
      ),
      200,
    ),
);
for (const action of ["unschedule", "pause", "resume", "cancel"] as const) {
  app.openapi(
    route({
      method: "post",
      path: `/campaigns/{id}/${action}`,
      summary: `${action[0].toUpperCase()}${action.slice(1)} a campaign`,
      tags: ["staff"],
      middleware: [staffOnly],
      request: { params: IdParam },
      responses: { 200: jsonResponse(Row("Campaign"), "The campaign.") },
      errors: { 404: "not_found: no such campaign.", 409: "invalid_transition" },
    }),
    async (c) =>
      c.json(await staff.changeCampaign((await caller(c)).claims, c.req.valid("param").id, action), 200),
  );
}
app.openapi(
  route({
    method: "get",
    path: "/campaigns/{id}/stats",
    summary: "Per-campaign analytics: sent, delivered, unique opens and clicks, unsubscribes, bounces",
    tags: ["staff"],
    middleware: [readers],
    request: { params: IdParam },
    responses: { 200: jsonResponse(z.looseObject({ campaignId: z.uuid() }), "The figures.") },
    errors: { 404: "campaign_not_found" },
  }),
  async (c) => c.json(await staff.campaignStats((await caller(c)).claims, c.req.valid("param").id), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/automations",
    summary: "Automations with their steps and run counts",
    tags: ["staff"],
    middleware: [staffOnly],
    responses: {
      200: jsonResponse(z.object({ automations: z.array(Row("Automation")) }), "The automations."),
    },
  }),
  async (c) => c.json({ automations: await staff.listAutomations((await caller(c)).claims) }, 200),
);
app.openapi(
  route({
    method: "post",
    path: "/automations",
    summary: "Create an automation: a trigger and steps with delays and conditions",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { body: jsonBody(AutomationBody) },
    responses: { 201: jsonResponse(Row("Automation"), "The automation.") },
  }),
  async (c) => c.json(await staff.createAutomation((await caller(c)).claims, c.req.valid("json")), 201),
);

app.openapi(
  route({
    method: "get",
    path: "/segments",
    summary: "Segments with size, revenue and average order value",
    tags: ["staff"],
    middleware: [readers],
    responses: { 200: jsonResponse(z.object({ segments: z.array(Row("Segment")) }), "The segments.") },
  }),
  async (c) => c.json({ segments: await staff.segmentStats((await caller(c)).claims) }, 200),
);
app.openapi(
  route({
    method: "post",
    path: "/segments",
    summary: "Create a segment from a definition (fields and operators outside the list are a 422)",
    tags: ["staff"],
    middleware: [staffOnly],
    request: { body: jsonBody(SegmentBody) },
    responses: { 201: jsonResponse(Row("Segment"), "The segment.") },
  }),
  async (c) => c.json(await staff.createSegment((await caller(c)).claims, c.req.valid("json")), 201),
);
app.openapi(
  route({
    method: "post",
    path: "/segments/preview",
    summary: "Size and revenue a definition would have now, without saving it",
    tags: ["staff"],
    middleware: [readers],
    request: { body: jsonBody(SegmentPreviewBody) },
    responses: {
      200: jsonResponse(z.object({ size: z.number().int(), revenue: z.number() }), "The preview."),
    },
  }),
  async (c) =>
    c.json(await staff.previewSegment((await caller(c)).claims, c.req.valid("json").definition), 200),
);

export default app;
