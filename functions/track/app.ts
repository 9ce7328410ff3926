// track: lossless, non-blocking ingest of interaction events, configuration snapshots and
// performance metrics from browsers (application/json, or the text/plain body of sendBeacon).
// Answers 202 with { accepted, duplicates, rejected, shed } and never reads tracking data back.
import type { RouteConfig } from "@hono/zod-openapi";
import { z } from "zod";
import { caller, createApp, jsonResponse, readJson, route } from "../../shared/http.ts";
import { ingest, type IngestKind } from "../../shared/tracking/ingest.ts";
import { toEventRow, toMetricRow, toSnapshotRow } from "../../shared/tracking/rows.ts";
import {
  checkItems,
  EventBatchSchema,
  EventSchema,
  MAX_ITEMS_PER_BATCH,
  MetricBatchSchema,
  MetricSchema,
  SessionSchema,
  SnapshotBatchSchema,
  SnapshotSchema,
} from "../../shared/tracking/schemas.ts";

const app = createApp("track", {
  cors: true,
  description: "Lossless ingest of events, configuration snapshots and performance metrics.",
});

const IngestAnswer = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), code: z.string(), field: z.string().optional() })),
  shed: z.boolean(),
}).meta({ id: "IngestAnswer" });

/**
 * The documented body: the envelope with its items' own schema. It is documented, not handed to
 * zod-openapi's validator, because sendBeacon can only send text/plain, which that validator never
 * parses; the handler reads both media types with the kernel's readJson (400 / 422 as usual) and
 * checks each item on its own, so one bad item is rejected by index while the rest land.
 */
type DocumentedSchema = Exclude<
  NonNullable<
    Extract<
      NonNullable<NonNullable<RouteConfig["request"]>["body"]>["content"][string],
      { schema?: unknown }
    >[
      "schema"
    ]
  >,
  z.ZodType
>;

function documentedBody(envelope: z.ZodObject, itemsKey: string, item: z.ZodType) {
  const { $schema: _dialect, ...schema } = z.toJSONSchema(
    envelope.extend({ [itemsKey]: z.array(item).min(1).max(MAX_ITEMS_PER_BATCH) }),
    { target: "draft-2020-12", io: "input", unrepresentable: "any" },
  ) as DocumentedSchema & { $schema?: string };
  return {
    required: true,
    content: { "application/json": { schema }, "text/plain": { schema } },
  };
}

interface Batch {
  sessionId?: string;
  session?: z.infer<typeof SessionSchema>;
}

/**
 * One ingest route: validate the envelope, check each item on its own (bad items are rejected by
 * index while the rest land), and store the valid ones in one statement.
 */
function ingestRoute<B extends Batch, T extends { id: string; occurredAt: string }>(
  kind: IngestKind,
  path: string,
  summary: string,
  batchSchema: z.ZodObject & z.ZodType<B>,
  itemsKey: keyof B & string,
  itemSchema: z.ZodType<T>,
  toRow: (item: T) => Record<string, unknown>,
) {
  app.openapi(
    route({
      method: "post",
      path,
      summary,
      tags: ["ingest"],
      // Declared so route() documents 400/413/415/422; validation itself is readJson's, see above.
      request: { body: documentedBody(batchSchema, itemsKey, itemSchema) },
      responses: { 202: jsonResponse(IngestAnswer, "Stored (or shed under overload) — never read back.") },
      errors: { 503: "ingest_unavailable: the database is overloaded; retry later with the same ids." },
    }),
    async (c) => {
      const batch = await readJson(c, batchSchema, { itemized: true });
      const { userId } = await caller(c);
      const checked = checkItems(batch[itemsKey] as unknown[], itemSchema);
      const result = await ingest({
        kind,
        sessionId: batch.sessionId ?? null,
        userId: userId ?? null,
        session: batch.session,
        rows: checked.valid.map(toRow),
        duplicatesInBatch: checked.duplicates,
        rejected: checked.rejected,
      });
      return c.json(result, 202);
    },
  );
}

ingestRoute(
  "events",
  "/events",
  "Ingest up to 500 interaction events",
  EventBatchSchema,
  "events",
  EventSchema,
  toEventRow,
);
ingestRoute(
  "snapshots",
  "/snapshots",
  "Ingest configuration snapshots",
  SnapshotBatchSchema,
  "snapshots",
  SnapshotSchema,
  toSnapshotRow,
);
ingestRoute(
  "metrics",
  "/performance",
  "Ingest performance metrics",
  MetricBatchSchema,
  "metrics",
  MetricSchema,
  toMetricRow,
);

export default app;
