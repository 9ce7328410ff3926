// Input shapes of the leads API (zod), with the normalizations the database relies on: lower-case
// e-mail, E.164 phone, five-digit ZIP, snake_case industry.
import { z } from "zod";
import { refuseHostile } from "../hostile.ts";

/** E.164 from what people type: "+44 20 7946 0958", "(713) 555-0100", "1-713-555-0100". North
 * American numbers without a country code get +1. Returns null when it cannot be a phone number. */
export function normalizePhone(raw: string): string | null {
  const trimmed = raw.trim();
  if (!/^[+\d\s().-]{7,32}$/.test(trimmed)) return null;
  const digits = trimmed.replace(/\D/g, "");
  if (trimmed.startsWith("+")) return /^[1-9]\d{6,14}$/.test(digits) ? `+${digits}` : null;
  const national = digits.length === 11 && digits.startsWith("1") ? digits.slice(1) : digits;
  // NANP: area code and exchange start with 2-9.
  return /^[2-9]\d{2}[2-9]\d{6}$/.test(national) ? `+1${national}` : null;
}

const text = (max: number) => z.string().trim().min(1).max(max);
const phone = z.string().max(32).transform((value, ctx) => {
  const normalized = normalizePhone(value);
  if (!normalized) {
    ctx.addIssue({ code: "custom", message: "Not a valid phone number (E.164 or a North American number)." });
    return z.NEVER;
  }
  return normalized;
});
const email = z.string().trim().toLowerCase().max(254).pipe(
  z.email({ message: "Not a valid e-mail address." }),
);
const zip = z.string().trim().regex(/^\d{5}(-\d{4})?$/, "A US ZIP code: 12345 or 12345-6789.").transform((
  v,
) => v.slice(0, 5));
const industry = z.string().trim().min(1).max(80).transform((v) => v.toLowerCase().replace(/[\s/-]+/g, "_"));
const latitude = z.number().min(-90).max(90);
const longitude = z.number().min(-180).max(180);

const Plant = z.strictObject({
  name: text(200).optional(),
  city: text(120).optional(),
  state: text(40).optional(),
  latitude: latitude.optional(),
  longitude: longitude.optional(),
  annualKwh: z.number().min(0).max(1e12).optional(),
});

const Utm = z.strictObject({
  source: text(200).optional(),
  medium: text(200).optional(),
  campaign: text(200).optional(),
  term: text(200).optional(),
  content: text(200).optional(),
});

/** Fields a lead may carry, shared by capture and import. */
const leadFields = {
  kind: z.enum(["consumer", "business"]),
  firstName: text(100).optional(),
  lastName: text(100).optional(),
  email: email.optional(),
  phone: phone.optional(),
  zip: zip.optional(),
  city: text(120).optional(),
  companyName: text(200).optional(),
  industry: industry.optional(),
  companySize: z.number().int().min(0).max(10_000_000).optional(),
  plants: z.array(Plant).max(100).optional(),
  latitude: latitude.optional(),
  longitude: longitude.optional(),
  usageKwh: z.number().min(0).max(1e12).optional(),
  moveInDate: z.iso.date().optional(),
  formType: z.string().trim().toLowerCase().regex(/^[a-z0-9_-]{1,60}$/, "Letters, digits, _ and - only.")
    .optional(),
  consent: z.boolean().optional(),
  consentVersion: text(40).optional(),
  utm: Utm.optional(),
  referrer: text(2000).optional(),
  landingPage: text(2000).optional(),
  sessionId: z.uuid().optional(),
};

type LeadLike = {
  kind: "consumer" | "business";
  email?: string;
  phone?: string;
  consent?: boolean;
  latitude?: number;
  longitude?: number;
};

function leadRules(lead: LeadLike, ctx: z.RefinementCtx): void {
  if (!lead.email && !lead.phone) {
    ctx.addIssue({
      code: "custom",
      path: ["email"],
      message: "An e-mail address or a phone number is required.",
    });
  }
  if (lead.kind === "consumer" && lead.consent !== true) {
    ctx.addIssue({ code: "custom", path: ["consent"], message: "Consumer leads need consent: true." });
  }
  if ((lead.latitude === undefined) !== (lead.longitude === undefined)) {
    ctx.addIssue({ code: "custom", path: ["longitude"], message: "Give latitude and longitude together." });
  }
}

/** POST /leads: one lead from a browser form. `website` is a honeypot and must stay empty. */
export const CaptureSchema = z.strictObject({ ...leadFields, website: z.string().max(500).optional() })
  .superRefine(leadRules);
export type CaptureInput = z.infer<typeof CaptureSchema>;

/** One row of POST /leads/import (JSON objects or CSV rows with these column names). */
export const ImportRowSchema = z.strictObject(leadFields).superRefine(leadRules).superRefine(refuseHostile);
export type ImportRow = z.infer<typeof ImportRowSchema>;

export const ImportEnvelopeSchema = z.strictObject({
  source: z.string().trim().min(1).max(120),
  leads: z.array(z.unknown()).min(1).max(5000),
});

const STATUSES = ["new", "hot", "warm", "cold", "accepted", "rejected", "converted"] as const;
export const SORTS = {
  createdAt: "created_at",
  score: "score",
  trustScore: "trust_score",
  updatedAt: "updated_at",
} as const;

const intParam = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** GET /leads and GET /leads/export.csv filters, sort and paging. */
export const ListQuerySchema = z.strictObject({
  status: z.string().transform((v) => v.split(",")).pipe(z.array(z.enum(STATUSES)).min(1).max(7)).optional(),
  kind: z.enum(["consumer", "business"]).optional(),
  industry: industry.optional(),
  officeId: z.uuid().optional(),
  ownerId: z.uuid().optional(),
  minScore: intParam(0, 100).optional(),
  maxScore: intParam(0, 100).optional(),
  createdFrom: z.iso.datetime({ offset: true }).optional(),
  createdTo: z.iso.datetime({ offset: true }).optional(),
  q: z.string().trim().min(1).max(100).optional(),
  sort: z.enum(Object.keys(SORTS) as [keyof typeof SORTS]).default("createdAt"),
  order: z.enum(["asc", "desc"]).default("desc"),
  limit: intParam(1, 200).default(50),
  skip: intParam(0, 10_000).default(0),
  cursor: z.string().max(300).optional(),
});
export type ListQuery = z.infer<typeof ListQuerySchema>;

const reasonCode = z.string().regex(/^[a-z][a-z0-9_]{1,59}$/, "A snake_case reason code.");

/** One rule for PATCH and bulk, so the two doors cannot drift apart on what an accept or reject must
 * carry: the reason code the lead's status history records with it. */
function requireDecisionReason(
  change: { status?: string; reasonCode?: string },
  ctx: z.RefinementCtx,
  message: string,
): void {
  if ((change.status === "accepted" || change.status === "rejected") && !change.reasonCode) {
    ctx.addIssue({ code: "custom", path: ["reasonCode"], message });
  }
}

/** PATCH /leads/:id: a decision (accept / reject need a reason), a reopen, or feedback only. */
export const PatchSchema = z.strictObject({
  status: z.enum(["accepted", "rejected", "converted", "new"]).optional(),
  reasonCode: reasonCode.optional(),
  feedback: z.string().trim().min(1).max(2000).optional(),
}).superRefine((patch, ctx) => {
  if (!patch.status && !patch.feedback) {
    ctx.addIssue({ code: "custom", path: ["status"], message: "Give a status, feedback, or both." });
  }
  requireDecisionReason(patch, ctx, "Accepting or rejecting a lead needs a reason code.");
});
export type PatchInput = z.infer<typeof PatchSchema>;

const MAX_BULK_IDS = 1000;

/** POST /leads/bulk: one status change or one assignment for up to 1,000 leads, all or nothing. */
export const BulkSchema = z.strictObject({
  ids: z.array(z.uuid()).min(1).max(MAX_BULK_IDS),
  action: z.enum(["status", "assign"]),
  status: z.enum(["accepted", "rejected", "converted", "new"]).optional(),
  reasonCode: reasonCode.optional(),
  officeId: z.uuid().optional(),
  ownerId: z.uuid().nullable().optional(),
}).superRefine((bulk, ctx) => {
  if (bulk.action === "status" && !bulk.status) {
    ctx.addIssue({ code: "custom", path: ["status"], message: "A status action needs a status." });
  }
  if (bulk.action === "status") {
    requireDecisionReason(bulk, ctx, "Accepting or rejecting leads needs a reason code.");
  }
  if (bulk.action === "assign" && !bulk.officeId && bulk.ownerId === undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["officeId"],
      message: "An assignment needs an officeId, an ownerId or both.",
    });
  }
});
export type BulkInput = z.infer<typeof BulkSchema>;
