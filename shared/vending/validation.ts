// Input rules for vends, shared by the JSON routes and the CSV rows: meter numbers (11 or 13 digits
// for prepaid; postpaid account numbers vary), DISCO codes, Nigerian phones normalized to E.164 by
// libphonenumber-js with its `max` metadata (which knows the real number ranges, so 0991 234 5678 is
// refused and 0803 123 4567 becomes +2348031234567), and amounts between ₦100 and ₦100,000.
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";

export const DISCOS = [
  "ABUJA",
  "EKO",
  "IKEJA",
  "IBADAN",
  "ENUGU",
  "PH",
  "JOS",
  "KADUNA",
  "KANO",
  "BENIN",
  "YOLA",
] as const;
export const MIN_AMOUNT_KOBO = 10_000;
export const MAX_AMOUNT_KOBO = 10_000_000;

/** E.164 for a valid Nigerian number (mobile or fixed line), else null. */
export function normalizePhone(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), "NG");
  if (!parsed || parsed.country !== "NG" || !parsed.isValid()) return null;
  return parsed.number;
}

export function meterProblem(meter: string, vendType: "PREPAID" | "POSTPAID"): string | null {
  if (vendType === "PREPAID") {
    return /^(\d{11}|\d{13})$/.test(meter) ? null : "A prepaid meter number has 11 or 13 digits.";
  }
  return /^[0-9A-Za-z-]{6,20}$/.test(meter)
    ? null
    : "A postpaid account number has 6 to 20 letters or digits.";
}

/** Naira with at most two decimals, in kobo; null when it is not such a number. */
export function nairaToKobo(value: unknown): number | null {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(text)) return null;
  const [whole, fraction = ""] = text.split(".");
  return Number(whole) * 100 + Number(fraction.padEnd(2, "0"));
}

const meterField = z.string().trim().min(1).max(20);
const discoField = z.string().trim().toUpperCase().pipe(z.enum(DISCOS, { error: "Unknown DISCO." }));
const vendTypeField = z.string().trim().toUpperCase().pipe(z.enum(["PREPAID", "POSTPAID"]));

function checkMeter(value: { meter: string; vendType: "PREPAID" | "POSTPAID" }, ctx: z.RefinementCtx) {
  const problem = meterProblem(value.meter, value.vendType);
  if (problem) {
    ctx.addIssue({ code: "custom", path: ["meter"], message: problem, params: { reason: "bad_meter" } });
  }
}

export const ValidateSchema = z.strictObject({
  meter: meterField,
  disco: discoField,
  vendType: vendTypeField.default("PREPAID"),
  /** Naira; when given, also checked against ₦100–₦100,000 and the meter's own limits. */
  amount: z.union([z.number(), z.string()]).optional(),
}).superRefine(checkMeter);

const phoneField = z.string().trim().min(1).max(32).transform((raw, ctx) => {
  const phone = normalizePhone(raw);
  if (!phone) {
    ctx.addIssue({
      code: "custom",
      message: "Not a valid Nigerian phone number.",
      params: { reason: "bad_phone" },
    });
    return z.NEVER;
  }
  return phone;
});

const amountField = z.union([z.number(), z.string()]).transform((raw, ctx) => {
  const amountKobo = nairaToKobo(raw);
  if (amountKobo === null) {
    ctx.addIssue({ code: "custom", message: "The amount is naira with at most two decimals." });
    return z.NEVER;
  }
  if (amountKobo < MIN_AMOUNT_KOBO || amountKobo > MAX_AMOUNT_KOBO) {
    ctx.addIssue({
      code: "custom",
      message: "The amount must be between ₦100 and ₦100,000.",
      params: { reason: "amount_out_of_range" },
    });
    return z.NEVER;
  }
  return amountKobo;
});

const emailField = z.email().max(254).transform((e) => e.toLowerCase());

/** A Paystack payment of the caller's (a commerce checkout's reference), used for one vend only. */
export const FundingSchema = z.strictObject({
  paystackReference: z.string().regex(/^[A-Za-z0-9_.=-]{6,100}$/).meta({
    description: "The reference of the caller's succeeded NGN Paystack payment (commerce checkout).",
  }),
}).meta({ id: "VendFunding" });

export const VendSchema = z.strictObject({
  meter: meterField,
  disco: discoField,
  vendType: vendTypeField.default("PREPAID"),
  amount: amountField,
  phone: phoneField,
  email: emailField.optional(),
  name: z.string().trim().min(1).max(120).optional(),
  /** Your own orderId; one is generated when absent. Never reused. */
  orderId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/).optional(),
  /** What pays: absent, the prepaid account; `{ paystackReference }`, that succeeded Paystack payment. */
  funding: FundingSchema.optional(),
}).superRefine(checkMeter);

export type VendInput = z.infer<typeof VendSchema>;

/** One CSV row, as the batch route hands it over: raw strings from csv-parse. */
const blankIsAbsent = (value: unknown) => (value === "" ? undefined : value);

export const BatchRowSchema = z.object({
  meter: meterField,
  disco: discoField,
  vendType: z.preprocess(blankIsAbsent, vendTypeField.default("PREPAID")),
  amount: amountField,
  phone: phoneField,
  email: z.union([z.literal(""), emailField]).optional().transform((e) => e || undefined),
  name: z.string().trim().max(120).optional().transform((n) => n || undefined),
}).superRefine(checkMeter);

export const BATCH_COLUMNS = ["meter", "disco", "vendType", "amount", "phone", "email", "name"] as const;
export const REQUIRED_BATCH_COLUMNS = ["meter", "disco", "amount", "phone"] as const;

/** A machine code for a failed row: the first issue's reason, else the field it is about. */
export function rowCode(error: z.ZodError): { code: string; message: string } {
  const issue = error.issues[0];
  const reason = (issue as { params?: { reason?: string } }).params?.reason;
  const field = String(issue.path[0] ?? "row");
  const code = reason ??
    ({ disco: "unknown_disco", meter: "bad_meter", phone: "bad_phone", amount: "bad_amount" }[field] ??
      `bad_${field}`);
  return { code, message: `${field}: ${issue.message}` };
}
