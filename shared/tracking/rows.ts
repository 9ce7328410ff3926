// Validated items in the snake_case shape tracking.ingest_* read with jsonb_to_recordset.
import type { z } from "zod";
import type { EventSchema, MetricSchema, SnapshotSchema } from "./schemas.ts";

export const toEventRow = (event: z.infer<typeof EventSchema>) => ({
  id: event.id,
  type: event.type,
  category: event.category ?? null,
  element_id: event.elementId ?? null,
  value: event.value ?? null,
  previous_value: event.previousValue ?? null,
  time_spent_ms: event.timeSpentMs ?? null,
  occurred_at: event.occurredAt,
  props: event.props ?? null,
});

export const toSnapshotRow = (snapshot: z.infer<typeof SnapshotSchema>) => ({
  id: snapshot.id,
  configuration: snapshot.configuration,
  total_price: snapshot.totalPrice ?? null,
  completion_percentage: snapshot.completionPercentage ?? null,
  trigger: snapshot.trigger,
  occurred_at: snapshot.occurredAt,
});

export const toMetricRow = (metric: z.infer<typeof MetricSchema>) => ({
  id: metric.id,
  name: metric.name,
  value: metric.value,
  route: metric.route ?? null,
  extra: metric.extra ?? null,
  occurred_at: metric.occurredAt,
});
