// The marketing module's settings, validated once per isolate like shared/env.ts: the e-mail provider
// (Resend's API base, key and Svix webhook secret), the HMAC secret of the confirm / unsubscribe / open /
// click tokens, the sender address, the public base URL of the marketing function and the send pacing.
// A missing or malformed variable fails at first use with its name.
import { z } from "zod";
import { ConfigError } from "../env.ts";

const SettingsSchema = z.object({
  RESEND_API_BASE: z.url().default("https://api.resend.com"),
  RESEND_API_KEY: z.string().regex(/^re_[\w-]{8,}$/, "must be a Resend API key (re_...)"),
  /** Resend signs webhooks with Svix: the endpoint's signing secret, whsec_<base64>. */
  RESEND_WEBHOOK_SECRET: z.string().regex(
    /^whsec_[A-Za-z0-9+/=]{16,}$/,
    "must be a Svix signing secret (whsec_...)",
  ),
  /** At least 32 characters: signs confirm, unsubscribe, open and click tokens (HMAC-SHA256). */
  MARKETING_TOKEN_SECRET: z.string().min(32),
  MARKETING_FROM: z.string().min(3).default("Powerbase <news@powerbase.local>"),
  /** The public URL of the marketing function; links in e-mails point here. Default: SUPABASE_URL's. */
  MARKETING_PUBLIC_URL: z.url().optional(),
  /** Messages handed to the provider per second by one send job (Resend's default limit is 2 req/s per team; raise with your plan). */
  MARKETING_SEND_RATE: z.coerce.number().positive().max(10_000).default(10),
  MARKETING_SEND_BATCH: z.coerce.number().int().min(1).max(1000).default(100),
  MARKETING_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  MARKETING_CONFIRM_TTL_HOURS: z.coerce.number().int().min(1).max(24 * 30).default(72),
  SUPABASE_URL: z.url(),
});

export type MarketingSettings = z.infer<typeof SettingsSchema> & { publicUrl: string };

export function parseSettings(source: Record<string, string | undefined>): MarketingSettings {
  const result = SettingsSchema.safeParse(source);
  if (!result.success) {
    const variables = [...new Set(result.error.issues.map((issue) => String(issue.path[0])))];
    const detail = result.error.issues.map((issue) =>
      `${String(issue.path[0])} ${source[String(issue.path[0])] === undefined ? "is missing" : issue.message}`
    ).join("; ");
    throw new ConfigError(variables, detail);
  }
  const settings = result.data;
  const publicUrl =
    (settings.MARKETING_PUBLIC_URL ?? `${settings.SUPABASE_URL.replace(/\/$/, "")}/functions/v1/marketing`)
      .replace(/\/$/, "");
  return { ...settings, publicUrl };
}

let cached: MarketingSettings | undefined;

export function settings(): MarketingSettings {
  cached ??= parseSettings(Deno.env.toObject());
  return cached;
}
