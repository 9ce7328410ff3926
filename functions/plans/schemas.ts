// Request shapes of the plans function.
import { z } from "zod";

const monthlyKwh = z.number().int("usage is whole kWh").positive("usage must be above 0 kWh")
  .max(20000, "more than 20000 kWh a month is not a household");

export const CompareRequest = z.object({
  zip: z.string().regex(/^\d{5}$/, "a 5-digit ZIP code").optional(),
  cityId: z.number().int().positive().optional(),
  usageKwh: z.union([monthlyKwh, z.array(monthlyKwh).length(12, "give one value or 12 monthly values")]),
  planIds: z.array(z.number().int().positive()).min(2).max(5).optional(),
  filters: z.object({
    fixed: z.boolean().optional(),
    renewableMin: z.number().int().min(0).max(100).optional(),
    termMonths: z.number().int().min(0).max(60).optional(),
    prepaid: z.boolean().optional(),
    noCancelFee: z.boolean().optional(),
    tdsp: z.enum(["oncor", "centerpoint", "aep_central", "aep_north", "tnmp"]).optional(),
  }).strict().default({}),
  language: z.enum(["English", "Spanish"]).default("English"),
  limit: z.number().int().min(1).max(100).default(20),
  sessionId: z.uuid().optional(),
}).strict().refine((body) => (body.zip === undefined) !== (body.cityId === undefined), {
  message: "give exactly one of zip or cityId",
  path: ["zip"],
});

export type CompareRequest = z.infer<typeof CompareRequest>;
