// Request bodies of the marketing, loyalty and staff endpoints (zod; strict objects, so an unknown field
// is a 422 rather than silently dropped).
import { z } from "zod";

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]{1,60}$/, "lower-case letters, digits and dashes");

export const SubscribeBody = z.strictObject({
  email: z.email().max(254),
  list: slug,
  name: z.string().trim().min(1).max(120).optional(),
  source: z.string().regex(/^[\w-]{1,40}$/).default("form"),
});

const variableName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,40}$/);

export const TemplateBody = z.strictObject({
  slug,
  name: z.string().min(1).max(120),
  kind: z.enum(["marketing", "transactional"]).default("marketing"),
  subject: z.string().min(1).max(300),
  bodyHtml: z.string().min(1).max(200_000),
  bodyText: z.string().min(1).max(100_000),
  variables: z.array(variableName).max(50).default([]),
});
export const TemplatePatch = TemplateBody.omit({ slug: true }).partial().refine(
  (patch) => Object.keys(patch).length > 0,
  "give at least one field",
);

export const PreviewBody = z.strictObject({
  data: z.record(z.string(), z.unknown()).default({}),
  subscriber: z.strictObject({ name: z.string().max(120).optional(), email: z.email().optional() })
    .optional(),
});

export const ListBody = z.strictObject({
  slug,
  name: z.string().min(1).max(120),
  description: z.string().max(500).optional(),
  optIn: z.enum(["single", "double"]).default("double"),
  consentText: z.string().min(10).max(2000),
  consentVersion: z.string().min(1).max(60).default("v1"),
});

export const CampaignBody = z.strictObject({
  name: z.string().min(1).max(200),
  templateId: z.uuid(),
  listId: z.uuid(),
  segmentId: z.uuid().optional(),
});
export const CampaignPatch = CampaignBody.partial().extend({ segmentId: z.uuid().nullable().optional() })
  .refine(
    (patch) => Object.keys(patch).length > 0,
    "give at least one field",
  );
export const ScheduleBody = z.strictObject({ sendAt: z.iso.datetime({ offset: true }).optional() });

const StepCondition = z.strictObject({
  field: variableName,
  op: z.enum(["eq", "neq", "gt", "gte", "lt", "lte", "exists"]),
  value: z.union([z.string().max(200), z.number(), z.boolean()]).optional(),
});

export const AutomationBody = z.strictObject({
  slug,
  name: z.string().min(1).max(120),
  trigger: z.enum([
    "subscription.confirmed",
    "lead.hot",
    "order.placed",
    "order.shipped",
    "cart.abandoned",
    "loyalty.tier_upgraded",
    "loyalty.points_expiring",
    "price.dropped",
  ]),
  listId: z.uuid().optional(),
  active: z.boolean().default(true),
  steps: z.array(z.strictObject({
    templateId: z.uuid(),
    delayMinutes: z.number().int().min(0).max(60 * 24 * 365).default(0),
    condition: StepCondition.optional(),
  })).min(1).max(20),
});

// Segment definitions are checked for shape here and for fields, operators and values by
// marketing.compile_segment, the one authority on what may run.
export type SegmentNode = { all: SegmentNode[] } | { any: SegmentNode[] } | { not: SegmentNode } | {
  field: string;
  op: string;
  value?: unknown;
};
export const SegmentBody = z.strictObject({
  slug,
  name: z.string().min(1).max(120),
  definition: z.record(z.string(), z.unknown()),
});
export const SegmentPreviewBody = z.strictObject({ definition: z.record(z.string(), z.unknown()) });

export const HotLeadBody = z.strictObject({
  type: z.literal("lead.hot").optional(),
  occurredAt: z.string().optional(),
  lead: z.looseObject({
    id: z.uuid(),
    email: z.email().nullable().optional(),
    firstName: z.string().nullable().optional(),
    zip: z.string().regex(/^\d{5}$/).nullable().optional(),
    usageKwh: z.number().int().positive().max(20000).nullable().optional(),
    consent: z.boolean().optional(),
  }),
  list: slug.optional(),
});

export const RedeemBody = z.strictObject({
  reward: slug,
  idempotencyKey: z.string().regex(/^[\w-]{8,80}$/),
});

export const EarnBody = z.strictObject({
  userId: z.uuid(),
  rule: z.string().regex(/^[a-z0-9][a-z0-9_-]{1,60}$/),
  sourceKey: z.string().min(1).max(200),
  amount: z.number().positive().max(1_000_000).optional(),
  pendingUntil: z.iso.datetime({ offset: true }).optional(),
});
