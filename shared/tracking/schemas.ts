// What the ingest endpoints accept. The envelope (session id, session descriptor, item count) is
// validated as a whole: a bad envelope is a 4xx. Items are validated one by one, so one bad event is
// rejected with its index while the valid ones land.
import { z } from "zod";
import { hostileIssues, hostileText } from "../hostile.ts";

export const MAX_ITEMS_PER_BATCH = 500;
/** Clocks drift; anything further in the future than this is refused. */
const MAX_FUTURE_SKEW_MS = 5 * 60 * 1000;
/** Late delivery (offline tabs, retries) is accepted up to this age; retention must exceed it. */
const MAX_LATENESS_MS = 7 * 24 * 3600 * 1000;

// PostgreSQL text and jsonb cannot hold NUL or lone surrogates; refusing them here keeps such an item
// a rejection by index (the kernel refuses nesting deeper than 64 levels before parsing).
const text = (max: number) =>
  z.string().max(max).refine(
    (value) => hostileText(value) === null,
    "must not contain NUL or lone surrogates",
  );
const jsonObject = z.record(z.string(), z.unknown()).refine(
  (value) => hostileIssues(value).length === 0,
  "must not contain NUL, lone surrogates or nesting deeper than 64 levels",
);
const timestamp = z.iso.datetime({ offset: true });
/** A performance metric's name, as ingest stores it and analytics asks for it. */
export const MetricName = z.string().regex(/^[a-z][a-z0-9_.:-]{0,79}$/);

export const SessionSchema = z.object({
  visitorId: text(128).optional(),
  device: z.enum(["desktop", "mobile", "tablet", "other", "unknown"]).optional(),
  viewportWidth: z.number().int().min(0).max(100000).optional(),
  viewportHeight: z.number().int().min(0).max(100000).optional(),
  referrer: text(2048).optional(),
  utm: z.record(z.string().max(64), text(256)).refine(
    (utm) => Object.keys(utm).length <= 10,
    "at most 10 keys",
  )
    .optional(),
}).strict();
export type SessionInput = z.infer<typeof SessionSchema>;

const items = z.array(z.unknown()).min(1).max(MAX_ITEMS_PER_BATCH);

export const EventBatchSchema = z.object({
  sessionId: z.uuid(),
  session: SessionSchema.optional(),
  events: items,
}).strict();

export const SnapshotBatchSchema = z.object({
  sessionId: z.uuid(),
  session: SessionSchema.optional(),
  snapshots: items,
}).strict();

export const MetricBatchSchema = z.object({
  sessionId: z.uuid().optional(),
  session: SessionSchema.optional(),
  metrics: items,
}).strict();

export const EventSchema = z.object({
  id: z.uuid(),
  type: z.enum(["click", "hover", "scroll", "selection", "page_view"]),
  category: text(100).optional(),
  elementId: text(200).optional(),
  value: text(500).nullable().optional(),
  previousValue: text(500).nullable().optional(),
  timeSpentMs: z.number().int().min(0).max(86_400_000).optional(),
  occurredAt: timestamp,
  props: jsonObject.optional(),
}).strict();

export const SnapshotSchema = z.object({
  id: z.uuid(),
  configuration: jsonObject,
  totalPrice: z.number().min(0).max(999_999_999_999).optional(),
  completionPercentage: z.number().min(0).max(100).optional(),
  trigger: z.enum(["auto_save", "page_exit", "order_attempt"]),
  occurredAt: timestamp,
}).strict();

export const MetricSchema = z.object({
  id: z.uuid(),
  name: MetricName,
  value: z.number().gt(-1e12).lt(1e12),
  route: text(300).optional(),
  extra: jsonObject.optional(),
  occurredAt: timestamp,
}).strict();

export interface Rejection {
  index: number;
  code: string;
  field?: string;
}

const FIELD_CODES: Record<string, string> = {
  id: "invalid_id",
  type: "invalid_type",
  occurredAt: "invalid_timestamp",
  trigger: "invalid_trigger",
  name: "invalid_name",
  value: "invalid_value",
};

export interface CheckedItems<T> {
  valid: T[];
  rejected: Rejection[];
  duplicates: number;
}

/**
 * Validates each item, refuses timestamps outside [now - lateness, now + skew], and drops repeats of
 * an id within the batch (they count as duplicates: the first one is what gets stored).
 */
export function checkItems<T extends { id: string; occurredAt: string }>(
  raw: unknown[],
  schema: z.ZodType<T>,
  now = Date.now(),
): CheckedItems<T> {
  const valid: T[] = [];
  const rejected: Rejection[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  raw.forEach((item, index) => {
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      rejected.push({ index, code: "invalid_item" });
      return;
    }
    const parsed = schema.safeParse(item);
    if (!parsed.success) {
      const field = String(parsed.error.issues[0]?.path[0] ?? "");
      rejected.push({ index, code: FIELD_CODES[field] ?? "invalid_field", field: field || undefined });
      return;
    }
    const at = Date.parse(parsed.data.occurredAt);
    if (at > now + MAX_FUTURE_SKEW_MS) {
      rejected.push({ index, code: "in_future", field: "occurredAt" });
      return;
    }
    if (at < now - MAX_LATENESS_MS) {
      rejected.push({ index, code: "too_old", field: "occurredAt" });
      return;
    }
    const id = parsed.data.id.toLowerCase();
    if (seen.has(id)) {
      duplicates++;
      return;
    }
    seen.add(id);
    valid.push(parsed.data);
  });
  return { valid, rejected, duplicates };
}
