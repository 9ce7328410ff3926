// leads: capture from browser forms (anonymous, leads rate class), bulk import of discovered B2B
// leads, and the sales workflow (list, detail, decisions, bulk changes, CSV export, dashboards).
import { z } from "zod";
import { asUser } from "../../shared/db.ts";
import { requireRole } from "../../shared/auth.ts";
import { notFound } from "../../shared/errors.ts";
import { caller, clientIp, createApp, rateLimit, readJson, readQuery } from "../../shared/http.ts";
import { log } from "../../shared/log.ts";
import {
  captureLead,
  flagSuspiciousInput,
  importLeads,
  readImportBody,
  rejectHoneypot,
} from "../../shared/leads/intake.ts";
import { BulkSchema, CaptureSchema, ListQuerySchema, PatchSchema } from "../../shared/leads/schemas.ts";
import { bulkUpdate, exportCsv, getLead, listLeads, updateLead } from "../../shared/leads/workflow.ts";

const app = createApp("leads", { cors: true });

const READERS = ["admin", "analyst", "sales"] as const;
const WORKERS = ["admin", "sales"] as const;

function leadId(raw: string): string {
  const parsed = z.uuid().safeParse(raw);
  if (!parsed.success) throw notFound("No such lead.");
  return parsed.data;
}

app.post("/", rateLimit("leads"), async (c) => {
  const input = await readJson(c, CaptureSchema);
  await rejectHoneypot(input, clientIp(c));
  await flagSuspiciousInput(input, clientIp(c));
  const result = await captureLead(input);
  log("info", "lead captured", {
    requestId: c.get("requestId"),
    leadId: result.id,
    created: result.created,
    status: result.status,
  });
  return c.json(
    { id: result.id, status: result.status, score: result.score, reasons: result.reasons },
    result.created ? 201 : 200,
  );
});

app.post("/import", async (c) => {
  requireRole(await caller(c), ["admin"]);
  const request = await readImportBody(c);
  const result = await importLeads(request);
  return c.json({
    received: request.rows.length,
    imported: result.inserted.length,
    duplicates: result.duplicates,
    inserted: result.inserted,
    errors: result.errors,
  });
});

app.get("/", async (c) => {
  const who = await caller(c);
  requireRole(who, [...READERS]);
  return c.json(await listLeads(who.claims, readQuery(c, ListQuerySchema)));
});

app.get("/export.csv", async (c) => {
  const who = await caller(c);
  requireRole(who, [...READERS]);
  const query = readQuery(c, ListQuerySchema);
  const requestId = c.get("requestId");
  const stream = exportCsv(
    who.claims,
    query,
    (error) => log("error", "lead export failed", { requestId, error: String(error) }),
  );
  return c.body(stream, 200, {
    "Content-Type": "text/csv; charset=utf-8; header=present",
    "Content-Disposition": 'attachment; filename="leads.csv"',
    "Cache-Control": "no-store",
  });
});

const DashboardQuery = z.strictObject({
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  top: z.coerce.number().int().min(1).max(100).default(10),
});

app.get("/dashboard", async (c) => {
  const who = await caller(c);
  requireRole(who, [...READERS]);
  const { from, to, top } = readQuery(c, DashboardQuery);
  const [row] = await asUser(who.claims, (tx) =>
    tx`
    select leads.dashboard_summary(${from}, ${to}) as summary,
           leads.dashboard_distribution(${from}, ${to}) as distribution,
           leads.dashboard_quality_matrix(${from}, ${to}) as "qualityMatrix",
           leads.dashboard_funnel(${from}, ${to}) as funnel,
           leads.dashboard_top_opportunities(${from}, ${to}, ${top}) as "topOpportunities"`);
  return c.json(row);
});

app.post("/bulk", async (c) => {
  const who = await caller(c);
  requireRole(who, [...WORKERS]);
  const bulk = await readJson(c, BulkSchema);
  return c.json(await bulkUpdate(who.claims, bulk));
});

app.get("/:id", async (c) => {
  const who = await caller(c);
  requireRole(who, [...READERS]);
  return c.json(await getLead(who.claims, leadId(c.req.param("id"))));
});

app.patch("/:id", async (c) => {
  const who = await caller(c);
  requireRole(who, [...WORKERS]);
  const id = leadId(c.req.param("id"));
  const patch = await readJson(c, PatchSchema);
  return c.json(await updateLead(who.claims, id, patch));
});

export default app;
