// track: lossless, non-blocking ingest of interaction events, configuration snapshots and
// performance metrics from browsers (application/json, or the text/plain body of sendBeacon).
// Answers 202 with { accepted, duplicates, rejected, shed } and never reads tracking data back.
import type { z } from "zod";
import { type AppContext, caller, createApp, readJson } from "../../shared/http.ts";
import { ingest, type IngestKind } from "../../shared/tracking/ingest.ts";
import { toEventRow, toMetricRow, toSnapshotRow } from "../../shared/tracking/rows.ts";
import {
  checkItems,
  EventBatchSchema,
  EventSchema,
  MetricBatchSchema,
  MetricSchema,
  type SessionInput,
  SnapshotBatchSchema,
  SnapshotSchema,
} from "../../shared/tracking/schemas.ts";

const app = createApp("track", { cors: true });

interface Batch {
  sessionId?: string;
  session?: SessionInput;
}

/**
 * One ingest route: validate the envelope, check each item on its own (bad items are rejected by
 * index while the rest land), and store the valid ones in one statement.
 */
function ingestRoute<B extends Batch, T extends { id: string; occurredAt: string }>(
  kind: IngestKind,
  batchSchema: z.ZodType<B>,
  itemsOf: (batch: B) => unknown[],
  itemSchema: z.ZodType<T>,
  toRow: (item: T) => Record<string, unknown>,
) {
  return async (c: AppContext) => {
    const batch = await readJson(c, batchSchema);
    const { userId } = await caller(c);
    const checked = checkItems(itemsOf(batch), itemSchema);
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
  };
}

app.post("/events", ingestRoute("events", EventBatchSchema, (b) => b.events, EventSchema, toEventRow));
app.post(
  "/snapshots",
  ingestRoute("snapshots", SnapshotBatchSchema, (b) => b.snapshots, SnapshotSchema, toSnapshotRow),
);
app.post(
  "/performance",
  ingestRoute("metrics", MetricBatchSchema, (b) => b.metrics, MetricSchema, toMetricRow),
);

export default app;
