// track: lossless, non-blocking ingest of interaction events, configuration snapshots and
// performance metrics from browsers (application/json, or the text/plain body of sendBeacon).
// Answers 202 with { accepted, duplicates, rejected, shed } and never reads tracking data back.
import { caller, createApp, readJson } from "../../shared/http.ts";
import { ingest } from "../../shared/tracking/ingest.ts";
import { toEventRow, toMetricRow, toSnapshotRow } from "../../shared/tracking/rows.ts";
import {
  checkItems,
  EventBatchSchema,
  EventSchema,
  MetricBatchSchema,
  MetricSchema,
  SnapshotBatchSchema,
  SnapshotSchema,
} from "../../shared/tracking/schemas.ts";

const app = createApp("track", { cors: true });

app.post("/events", async (c) => {
  const batch = await readJson(c, EventBatchSchema);
  const { userId } = await caller(c);
  const checked = checkItems(batch.events, EventSchema);
  const result = await ingest({
    kind: "events",
    sessionId: batch.sessionId,
    userId: userId ?? null,
    session: batch.session,
    rows: checked.valid.map(toEventRow),
    duplicatesInBatch: checked.duplicates,
    rejected: checked.rejected,
  });
  return c.json(result, 202);
});

app.post("/snapshots", async (c) => {
  const batch = await readJson(c, SnapshotBatchSchema);
  const { userId } = await caller(c);
  const checked = checkItems(batch.snapshots, SnapshotSchema);
  const result = await ingest({
    kind: "snapshots",
    sessionId: batch.sessionId,
    userId: userId ?? null,
    session: batch.session,
    rows: checked.valid.map(toSnapshotRow),
    duplicatesInBatch: checked.duplicates,
    rejected: checked.rejected,
  });
  return c.json(result, 202);
});

app.post("/performance", async (c) => {
  const batch = await readJson(c, MetricBatchSchema);
  const { userId } = await caller(c);
  const checked = checkItems(batch.metrics, MetricSchema);
  const result = await ingest({
    kind: "metrics",
    sessionId: batch.sessionId ?? null,
    userId: userId ?? null,
    session: batch.session,
    rows: checked.valid.map(toMetricRow),
    duplicatesInBatch: checked.duplicates,
    rejected: checked.rejected,
  });
  return c.json(result, 202);
});

export default app;
