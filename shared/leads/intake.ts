// How leads enter: web capture (one lead, anonymous callers) and bulk import of discovered B2B leads
// (JSON or CSV). Both validate first and hand the database one statement, so nothing half-writes.
import { asService } from "../db.ts";
import { abusive, badRequest, type ErrorDetail, unprocessable, zodDetails } from "../errors.ts";
import { type AppContext, readJson } from "../http.ts";
import { recordSecurityEvent } from "../security.ts";
import { CsvError, csvObjects } from "../csv.ts";
import { type CaptureInput, ImportEnvelopeSchema, type ImportRow, ImportRowSchema } from "./schemas.ts";

export interface CaptureResult {
  id: string;
  created: boolean;
  status: string;
  score: number;
  trustScore: number;
  reasons: Array<{ code: string; signal: string; points: number; dimension: string }>;
  officeId: string | null;
}

const SUSPICIOUS =
  /<\s*\/?\s*script|javascript:|\bon\w+\s*=|\bunion\s+(all\s+)?select\b|;\s*(drop|delete|truncate)\s+|'\s*or\s+'?1'?\s*=\s*'?1/i;

/** Names of string fields that look like script or SQL injection attempts (stored literally anyway). */
export function suspiciousFields(input: Record<string, unknown>, prefix = ""): string[] {
  return Object.entries(input).flatMap(([key, value]) => {
    if (typeof value === "string") return SUSPICIOUS.test(value) ? [`${prefix}${key}`] : [];
    if (value && typeof value === "object" && !Array.isArray(value)) {
      return suspiciousFields(value as Record<string, unknown>, `${prefix}${key}.`);
    }
    return [];
  });
}

/** Rejects a filled honeypot (bots fill every field) and records the attempt. */
export async function rejectHoneypot(input: CaptureInput, ip: string): Promise<void> {
  if (!input.website) return;
  await recordSecurityEvent({
    kind: "lead_honeypot",
    severity: "warning",
    ip,
    functionName: "leads",
    details: { formType: input.formType ?? null },
  });
  throw abusive(400, "spam_detected", "The submission was rejected.");
}

/** Records (without blocking) inputs that carry script or SQL fragments. */
export async function flagSuspiciousInput(input: Record<string, unknown>, ip: string): Promise<void> {
  const fields = suspiciousFields(input);
  if (fields.length === 0) return;
  await recordSecurityEvent({
    kind: "suspicious_input",
    severity: "info",
    ip,
    functionName: "leads",
    details: { fields },
  });
}

export async function captureLead(input: CaptureInput): Promise<CaptureResult> {
  const { website: _honeypot, ...lead } = input;
  const [row] = await asService((tx) => tx`select leads.capture(${tx.json(lead as never)}) as result`);
  return row.result as CaptureResult;
}

const NUMERIC_COLUMNS = new Set(["companySize", "latitude", "longitude", "usageKwh"]);
const UTM_COLUMN = /^utm[._]?(source|medium|campaign|term|content)$/i;

/** A CSV record (strings) as the JSON shape rows have; values that do not convert stay strings so
 * validation reports them. */
export function csvRecordToLead(record: Record<string, string>): Record<string, unknown> {
  const lead: Record<string, unknown> = {};
  const utm: Record<string, string> = {};
  for (const [column, value] of Object.entries(record)) {
    const utmPart = column.match(UTM_COLUMN)?.[1];
    if (utmPart) utm[utmPart.toLowerCase()] = value;
    else if (NUMERIC_COLUMNS.has(column)) {
      lead[column] = Number.isFinite(Number(value)) ? Number(value) : value;
    } else if (column === "consent") {
      lead[column] = /^(true|yes|1)$/i.test(value) ? true : /^(false|no|0)$/i.test(value) ? false : value;
    } else if (column === "plants") {
      try {
        lead[column] = JSON.parse(value);
      } catch {
        lead[column] = value;
      }
    } else lead[column] = value;
  }
  if (Object.keys(utm).length) lead.utm = utm;
  return lead;
}

export interface ImportRequest {
  source: string;
  rows: unknown[];
}

/** The body of POST /leads/import: {"source", "leads": [...]} as JSON, or CSV with ?source=. */
export async function readImportBody(c: AppContext): Promise<ImportRequest> {
  if (/^text\/csv/i.test(c.req.header("content-type") ?? "")) {
    return parseCsvImport(await c.req.text(), c.req.query("source"));
  }
  const { source, leads } = await readJson(c, ImportEnvelopeSchema, { itemized: true });
  return { source, rows: leads };
}

function parseCsvImport(body: string, sourceParam?: string): ImportRequest {
  if (!sourceParam) throw unprocessable("CSV imports need ?source=<lead source name>.");
  let rows: Record<string, string>[];
  try {
    rows = csvObjects(body);
  } catch (error) {
    const line = error instanceof CsvError ? error.line : 0;
    throw badRequest("malformed_csv", "The CSV body could not be parsed.", [{
      line,
      message: String((error as Error).message),
    }]);
  }
  if (rows.length === 0) throw unprocessable("The CSV has no data rows.");
  if (rows.length > 5000) throw unprocessable("At most 5,000 rows per import.");
  return { source: sourceParam, rows: rows.map(csvRecordToLead) };
}

export interface ImportResult {
  inserted: Array<{ row: number; id: string }>;
  duplicates: Array<{ row: number; id: string }>;
  errors: Array<{ row: number; details: ErrorDetail[] }>;
}

/** Validates every row, imports the good ones in one statement, and reports the rest per row. */
export async function importLeads(request: ImportRequest): Promise<ImportResult> {
  const good: Array<ImportRow & { row: number }> = [];
  const errors: ImportResult["errors"] = [];
  request.rows.forEach((raw, row) => {
    const parsed = ImportRowSchema.safeParse(raw);
    if (parsed.success) good.push({ ...parsed.data, row });
    else errors.push({ row, details: zodDetails(parsed.error) });
  });
  if (good.length === 0) return { inserted: [], duplicates: [], errors };
  try {
    const [result] = await asService((tx) =>
      tx`select leads.import_leads(${
        tx.json(good.map(({ row: _row, ...lead }) => lead) as never)
      }, ${request.source}) as r`
    );
    const { inserted, duplicates } = result.r as Omit<ImportResult, "errors">;
    // The database numbers the rows it was given; map them back to the request's row numbers.
    const original = (n: number) => good[n].row;
    return {
      inserted: inserted.map((item) => ({ ...item, row: original(item.row) })),
      duplicates: duplicates.map((item) => ({ ...item, row: original(item.row) })),
      errors,
    };
  } catch (error) {
    // leads.import_leads refuses an unknown source with PT422 (hint unknown_source); the API names the field.
    if ((error as { code?: string; hint?: string }).hint === "unknown_source") {
      throw unprocessable(`Unknown lead source "${request.source}".`, [{
        path: "source",
        message: "unknown source",
      }]);
    }
    throw error;
  }
}
