// POST /pipeline/plans-import: imports a PowerToChoose CSV export, sent as the body (text/csv) or
// fetched from {"feedUrl"} (what the 6-hourly pg_cron job sends). Good rows land, every rejected row
// is reported with its line and reason; a file that is not an export at all is refused with 422 and
// only its rejection report is kept. A successful import refreshes market stats and search documents.
import { z } from "zod";
import { asService, db, rpc } from "../../../shared/db.ts";
import { type DownloadedFeed, FeedError, fetchFeed, rememberFeed } from "../../../shared/energy/feed.ts";
import { ExportFormatError, parseExport, type RowRejection } from "../../../shared/energy/powertochoose.ts";
import { HttpError, unprocessable } from "../../../shared/errors.ts";
import { type AppContext, readJson } from "../../../shared/http.ts";
import { log } from "../../../shared/log.ts";
import type { PipelineJob } from "./job.ts";

const FeedRequest = z.object({
  feedUrl: z.url({ protocol: /^https?$/ }),
  /** How long to wait for the feed (default 30 s). */
  timeoutMs: z.number().int().min(100).max(120_000).optional(),
}).strict();

interface ImportSummary {
  importId: number;
  status: string;
  rowsAccepted: number;
  [key: string]: unknown;
}

const REPORTED_REJECTIONS = 200;

/** Records an import refused as a whole, with its one-line rejection report. */
async function recordRefusal(source: string, status: string, reason: string, feedUrl: string | null) {
  return await rpc<{ importId: number }>(db(), "private.record_failed_import", {
    source,
    status,
    error: reason,
    rejections: [{ line: 1, idKey: null, reason }],
    feed_url: feedUrl,
  });
}

/** The CSV to import: the request body, or the feed it names (null when the feed is unchanged). */
interface ExportInput {
  csv: string | null;
  source: "upload" | "feed";
  feedUrl: string | null;
  note?: string;
  feed?: DownloadedFeed;
}

async function readExport(c: AppContext): Promise<ExportInput> {
  const type = c.req.header("content-type")?.split(";")[0].trim().toLowerCase() ?? "";
  if (type === "text/csv" || type === "text/plain") {
    return { csv: await c.req.text(), source: "upload", feedUrl: null };
  }
  if (type !== "application/json") {
    throw new HttpError(
      415,
      "unsupported_media_type",
      'Send the export as text/csv, or {"feedUrl"} as JSON.',
    );
  }
  const { feedUrl, timeoutMs } = await readJson(c, FeedRequest);
  try {
    const feed = await fetchFeed(db(), feedUrl, timeoutMs);
    if (!feed.changed) return { csv: null, source: "feed", feedUrl, note: feed.reason };
    return { csv: feed.body, source: "feed", feedUrl, feed };
  } catch (error) {
    if (!(error instanceof FeedError)) throw error;
    const { importId } = await recordRefusal("feed", "failed", error.message, feedUrl);
    throw new HttpError(502, "feed_unavailable", error.message, [{ message: error.message, importId }]);
  }
}

async function refreshDerivedData(): Promise<Record<string, unknown>> {
  const [row] = await db()`
    select private.run_job('energy-market-analytics', 'select private.refresh_market_stats()') as market_run,
           private.run_job('search-refresh-documents', 'select private.refresh_search_documents()') as search_run`;
  return { marketAnalyticsRunId: Number(row.market_run), searchRefreshRunId: Number(row.search_run) };
}

async function run(c: AppContext): Promise<Record<string, unknown>> {
  const input = await readExport(c);
  if (input.csv === null) return { status: "unchanged", reason: input.note, feedUrl: input.feedUrl };
  let parsed;
  try {
    parsed = parseExport(input.csv);
  } catch (error) {
    if (!(error instanceof ExportFormatError)) throw error;
    const { importId } = await recordRefusal(input.source, "rejected", error.message, input.feedUrl);
    throw new HttpError(422, error.code, error.message, [{ message: error.message, importId }]);
  }
  const { summary, rejections } = await asService(async (tx) => {
    const summary = await rpc<ImportSummary>(tx, "private.import_plans", {
      source: input.source,
      plan_rows: parsed.rows,
      parse_rejections: parsed.rejections,
      feed_url: input.feedUrl,
      rows_total: parsed.rowsTotal,
    });
    const rejections = await tx<RowRejection[]>`
      select line, id_key as "idKey", reason from energy.plan_import_rejections
      where import_id = ${summary.importId} order by line limit ${REPORTED_REJECTIONS}`;
    return { summary, rejections };
  });
  log("info", "plans imported", { ...summary, feedUrl: input.feedUrl });
  if (summary.status === "rejected") {
    throw unprocessable("No row of the export could be imported.", [
      { message: "import rejected", importId: summary.importId },
      ...rejections.map((r) => ({ path: `line ${r.line}`, message: r.reason, line: r.line, idKey: r.idKey })),
    ]);
  }
  if (input.feed && input.feedUrl) await rememberFeed(db(), input.feedUrl, input.feed);
  const derived = await refreshDerivedData();
  return { ...summary, rejections, ...derived };
}

export const plansImport: PipelineJob = {
  name: "plans-import",
  description: "Imports a PowerToChoose CSV export (body text/csv, or JSON {feedUrl}).",
  request: {
    body: {
      // Not required as JSON: the export itself is the other media type (checked by parseExport).
      required: false,
      content: {
        "application/json": { schema: FeedRequest },
        "text/csv": { schema: z.string().meta({ description: "A PowerToChoose CSV export." }) },
        "text/plain": { schema: z.string().meta({ description: "The same export, as text/plain." }) },
      },
    },
  },
  errors: {
    415: "unsupported_media_type: send the export as text/csv, or {feedUrl} as JSON.",
    422:
      "validation_failed / not_an_export: the body or the file is not an export; its rejection is recorded.",
    502: "feed_unavailable: the feed could not be fetched; the failure is recorded.",
  },
  run,
};
