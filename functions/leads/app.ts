// leads: capture from browser forms (anonymous, leads rate class), bulk import of discovered B2B
// leads, and the sales workflow (list, detail, decisions, bulk changes, CSV export, dashboards).
import { z } from "zod";
import { asUser } from "../../shared/db.ts";
import { notFound } from "../../shared/errors.ts";
import {
  caller,
  clientIp,
  createApp,
  jsonBody,
  jsonResponse,
  pageSchema,
  rateLimit,
  requireRoles,
  route,
} from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import {
  captureLead,
  flagSuspiciousInput,
  importLeads,
  readImportBody,
  rejectHoneypot,
} from "../../shared/leads/intake.ts";
import {
  BulkSchema,
  CaptureSchema,
  ImportEnvelopeSchema,
  ListQuerySchema,
  PatchSchema,
} from "../../shared/leads/schemas.ts";
import { bulkUpdate, exportCsv, getLead, listLeads, updateLead } from "../../shared/leads/workflow.ts";

const app = createApp("leads", {
  cors: true,
  description: "Lead capture, bulk import and the sales workflow (docs/api/leads.md).",
});

const readers = requireRoles("admin", "analyst", "sales");
const workers = requireRoles("admin", "sales");

const CaptureAnswer = z.object({
  id: z.uuid(),
  status: z.string(),
  score: z.number(),
  reasons: z.array(z.looseObject({ code: z.string(), signal: z.string(), points: z.number() })),
}).meta({ id: "LeadCaptureAnswer" });

const LeadObject = z.looseObject({}).meta({
  id: "Lead",
  description: "A lead as docs/api/leads.md describes it.",
});
const LeadPage = pageSchema(LeadObject, "LeadPage");

const LeadIdParams = z.object({
  // Any text is accepted here and anything but a UUID answers 404, like an id nobody may see.
  id: z.string().meta({ description: "The lead's id (a UUID).", example: crypto.randomUUID() }),
});

function leadId(raw: string): string {
  const parsed = z.uuid().safeParse(raw);
  if (!parsed.success) throw notFound("No such lead.");
  return parsed.data;
}

app.openapi(
  route({
    method: "post",
    path: "/",
    summary: "Capture one lead from a web form",
    description: "Anonymous. `website` is a honeypot and must stay empty. 201 new, 200 a known lead.",
    tags: ["capture"],
    middleware: [rateLimit("leads")],
    request: { body: jsonBody(CaptureSchema) },
    responses: {
      201: jsonResponse(CaptureAnswer, "The lead was created and scored."),
      200: jsonResponse(CaptureAnswer, "The lead was already known (same contact); its current state."),
    },
  }),
  async (c) => {
    const input = c.req.valid("json");
    await rejectHoneypot(input, clientIp(c));
    await flagSuspiciousInput(input, clientIp(c));
    const result = await captureLead(input);
    log("info", "lead captured", {
      requestId: c.get("requestId"),
      leadId: result.id,
      created: result.created,
      status: result.status,
    });
    const answer = { id: result.id, status: result.status, score: result.score, reasons: result.reasons };
    return result.created ? c.json(answer, 201) : c.json(answer, 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/import",
    summary: "Import discovered leads (JSON or CSV)",
    description:
      'JSON {"source", "leads": [...]}, or text/csv with ?source=<lead source>. At most 5,000 rows.',
    tags: ["import"],
    middleware: [requireRoles("admin")],
    request: {
      query: z.object({ source: z.string().max(120).optional() }),
      body: {
        // Not required as JSON: text/csv is the other documented media type (validated by the CSV path).
        required: false,
        content: {
          "application/json": { schema: ImportEnvelopeSchema },
          "text/csv": { schema: z.string().meta({ description: "A header row and one lead per line." }) },
        },
      },
    },
    responses: {
      200: jsonResponse(
        z.looseObject({
          received: z.number().int(),
          imported: z.number().int(),
          duplicates: z.array(z.object({ row: z.number().int(), id: z.uuid() })),
          inserted: z.array(z.object({ row: z.number().int(), id: z.uuid() })),
          errors: z.array(z.looseObject({})),
        }),
        "What was imported, which rows were duplicates and why others were refused.",
      ),
    },
  }),
  async (c) => {
    const request = await readImportBody(c);
    const result = await importLeads(request);
    return c.json({
      received: request.rows.length,
      imported: result.inserted.length,
      duplicates: result.duplicates,
      inserted: result.inserted,
      errors: result.errors,
    }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "List the leads the caller may see",
    tags: ["workflow"],
    middleware: [readers],
    request: { query: ListQuerySchema },
    responses: { 200: jsonResponse(LeadPage, "One page of leads, with offset and keyset paging.") },
  }),
  async (c) => c.json(await listLeads((await caller(c)).claims, c.req.valid("query")), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/export.csv",
    summary: "Export the filtered leads as CSV (streamed)",
    tags: ["workflow"],
    middleware: [readers],
    request: { query: ListQuerySchema },
    responses: {
      200: {
        description: "text/csv with a header row; streamed in batches.",
        content: { "text/csv": { schema: z.string() } },
      },
    },
  }),
  async (c) => {
    const who = await caller(c);
    const requestId = c.get("requestId");
    const stream = exportCsv(
      who.claims,
      c.req.valid("query"),
      (error) => log("error", "lead export failed", { requestId, error: String(error) }),
    );
    return c.body(stream, 200, {
      "Content-Type": "text/csv; charset=utf-8; header=present",
      "Content-Disposition": 'attachment; filename="leads.csv"',
      "Cache-Control": "no-store",
    });
  },
);

const DashboardQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  top: z.coerce.number().int().min(1).max(100).default(10),
});

app.openapi(
  route({
    method: "get",
    path: "/dashboard",
    summary: "Lead dashboard over [from, to)",
    tags: ["workflow"],
    middleware: [readers],
    request: { query: DashboardQuery },
    responses: {
      200: jsonResponse(
        z.object({
          summary: z.unknown(),
          distribution: z.unknown(),
          qualityMatrix: z.unknown(),
          funnel: z.unknown(),
          topOpportunities: z.unknown(),
        }),
        "Summary, distribution, quality matrix, funnel and top opportunities.",
      ),
    },
  }),
  async (c) => {
    const { from, to, top } = c.req.valid("query");
    const [row] = await asUser((await caller(c)).claims, (tx) =>
      tx`
      select leads.dashboard_summary(${from}, ${to}) as summary,
             leads.dashboard_distribution(${from}, ${to}) as distribution,
             leads.dashboard_quality_matrix(${from}, ${to}) as "qualityMatrix",
             leads.dashboard_funnel(${from}, ${to}) as funnel,
             leads.dashboard_top_opportunities(${from}, ${to}, ${top}) as "topOpportunities"`);
    return c.json({
      summary: row.summary,
      distribution: row.distribution,
      qualityMatrix: row.qualityMatrix,
      funnel: row.funnel,
      topOpportunities: row.topOpportunities,
    }, 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/bulk",
    summary: "Change the status or assignment of up to 1,000 leads, all or nothing",
    tags: ["workflow"],
    middleware: [workers],
    request: { body: jsonBody(BulkSchema) },
    responses: { 200: jsonResponse(z.looseObject({}), "How many leads changed.") },
    errors: { 404: "not_found: some of the ids are not leads the caller may change (nothing changed)." },
  }),
  async (c) => c.json(await bulkUpdate((await caller(c)).claims, c.req.valid("json")), 200),
);

// Lists callers need to build requests (import sources, office and owner ids for filters and
// assignments); registered before /{id}, which would otherwise take their names for ids.
const LeadSource = z.object({
  id: z.uuid(),
  name: z.string(),
  type: z.string(),
  trustScore: z.number().int(),
  active: z.boolean(),
}).meta({ id: "LeadSource" });

app.openapi(
  route({
    method: "get",
    path: "/sources",
    summary: "Lead sources (the `source` of an import)",
    tags: ["reference"],
    middleware: [readers],
    responses: { 200: jsonResponse(z.object({ sources: z.array(LeadSource) }), "Every source, by name.") },
  }),
  async (c) => {
    const sources = await asUser((await caller(c)).claims, (tx) =>
      tx`
      select id, name, type, trust_score as "trustScore", active from leads.sources order by name`);
    return c.json({ sources: sources.map((row) => LeadSource.parse(row)) }, 200);
  },
);

const Office = z.object({
  id: z.uuid(),
  name: z.string(),
  region: z.string(),
  city: z.string().nullable(),
  active: z.boolean(),
  isDefault: z.boolean(),
  owners: z.array(z.object({ userId: z.uuid(), displayName: z.string().nullable() })),
}).meta({ id: "Office", description: "An office with the active members leads can be assigned to." });

app.openapi(
  route({
    method: "get",
    path: "/offices",
    summary: "Regional offices and their owners (for officeId / ownerId filters and assignments)",
    description: "An owner's display name is null where the caller may not read that profile.",
    tags: ["reference"],
    middleware: [readers],
    responses: { 200: jsonResponse(z.object({ offices: z.array(Office) }), "Every office, by name.") },
  }),
  async (c) => {
    const offices = await asUser((await caller(c)).claims, (tx) =>
      tx`
      select o.id, o.name, o.region, o.city, o.active, o.is_default as "isDefault",
             coalesce((select jsonb_agg(jsonb_build_object('userId', m.user_id, 'displayName', p.display_name)
                                        order by p.display_name nulls last, m.user_id)
                       from leads.office_members m left join public.profiles p on p.id = m.user_id
                       where m.office_id = o.id and m.active), '[]'::jsonb) as owners
      from leads.regional_offices o order by o.name`);
    return c.json({ offices: offices.map((row) => Office.parse(row)) }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/{id}",
    summary: "One lead with its history and recommendations",
    tags: ["workflow"],
    middleware: [readers],
    request: { params: LeadIdParams },
    responses: { 200: jsonResponse(LeadObject, "The lead.") },
    errors: { 404: "not_found: no lead with this id is visible to the caller." },
  }),
  async (c) => c.json(await getLead((await caller(c)).claims, leadId(c.req.valid("param").id)), 200),
);

app.openapi(
  route({
    method: "patch",
    path: "/{id}",
    summary: "Decide on a lead (accept, reject, convert, reopen) or leave feedback",
    tags: ["workflow"],
    middleware: [workers],
    request: { params: LeadIdParams, body: jsonBody(PatchSchema) },
    responses: { 200: jsonResponse(LeadObject, "The lead after the change.") },
    errors: {
      404: "not_found: no lead with this id is visible to the caller.",
      409: "invalid_transition: the lead's status does not allow this change.",
    },
  }),
  async (c) => {
    const id = leadId(c.req.valid("param").id);
    return c.json(await updateLead((await caller(c)).claims, id, c.req.valid("json")), 200);
  },
);

export default app;
