// Vending settings, validated once per isolate like shared/env.ts (kept here so the kernel's schema
// does not grow a field per module). BUYPOWER_API_BASE is BuyPower's v2 base URL (live
// https://api.buypower.ng/v2, sandbox https://idev.buypower.ng/v2, the local stand-in under ./dev).
import { z } from "zod";

const VendingEnvSchema = z.object({
  BUYPOWER_API_BASE: z.url(),
  BUYPOWER_API_KEY: z.string().min(8),
  /** Vendor calls in flight per worker (the default 5). */
  VENDING_CONCURRENCY: z.coerce.number().int().min(1).max(50).default(5),
  /** Consecutive failures that open the vendor breaker. */
  VENDING_BREAKER_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  /** How long an open breaker waits before one probe. */
  VENDING_BREAKER_OPEN_MS: z.coerce.number().int().min(100).default(30_000),
  /** A vendor call slower than this is abandoned (its vend is requeried, never resent). */
  VENDING_CALL_TIMEOUT_MS: z.coerce.number().int().min(100).default(20_000),
  /** Requeries before a vend whose outcome stays unknown goes to needs_attention. */
  VENDING_MAX_REQUERIES: z.coerce.number().int().min(1).default(20),
});

export type VendingEnv = z.infer<typeof VendingEnvSchema>;

let cached: VendingEnv | undefined;

export function vendingEnv(): VendingEnv {
  cached ??= VendingEnvSchema.parse(Deno.env.toObject());
  return cached;
}
