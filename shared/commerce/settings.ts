// The commerce module's settings, validated once per isolate. Real values come from Supabase secrets
// (`supabase secrets set STRIPE_SECRET_KEY=...`); the local stack sets the fixed development values
// documented in docs/api/commerce.md and points the API bases at its stand-ins.
import { z } from "zod";
import { ConfigError } from "../env.ts";

const CommerceSettingsSchema = z.object({
  STRIPE_API_BASE: z.url().default("https://api.stripe.com"),
  STRIPE_SECRET_KEY: z.string().regex(/^(sk|rk)_(test|live)_\w{8,}$/, "must be a Stripe secret key"),
  /** One secret, or several separated by commas while a rotated secret is phased out. */
  STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_\w{8,}(,whsec_\w{8,})*$/, "must be whsec_... values"),
  PAYSTACK_API_BASE: z.url().default("https://api.paystack.co"),
  PAYSTACK_SECRET_KEY: z.string().regex(/^sk_(test|live)_\w{8,}$/, "must be a Paystack secret key"),
  /** Where Paystack sends the customer after paying (the shop's order page). */
  PAYSTACK_CALLBACK_URL: z.url().optional(),
  /** Per-attempt timeout of a provider call, and how many times a failed call is retried. */
  COMMERCE_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(5_000),
  COMMERCE_PROVIDER_RETRIES: z.coerce.number().int().min(0).max(5).default(2),
  /** Stripe's signature tolerance in seconds (both ways). */
  STRIPE_WEBHOOK_TOLERANCE_S: z.coerce.number().int().min(1).max(3600).default(300),
});

export type CommerceSettings = z.infer<typeof CommerceSettingsSchema>;

export function parseCommerceSettings(source: Record<string, string | undefined>): CommerceSettings {
  const result = CommerceSettingsSchema.safeParse(source);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
  throw new ConfigError(
    variables,
    result.error.issues.map((issue) =>
      `${String(issue.path[0])} ${source[String(issue.path[0])] === undefined ? "is missing" : issue.message}`
    ).join("; "),
  );
}

let cached: CommerceSettings | undefined;

export function commerceSettings(): CommerceSettings {
  cached ??= parseCommerceSettings(Deno.env.toObject());
  return cached;
}
