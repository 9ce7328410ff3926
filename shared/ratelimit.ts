// Rate-limit classes over @upstash/ratelimit's sliding window. A limiter that cannot reach Redis
// within the budget lets the request through (fail open) and says so in the log: losing rate limits
// for a moment is better than losing the service.
import { Ratelimit } from "@upstash/ratelimit";
import type { Redis } from "@upstash/redis";
import { z } from "zod";
import { log } from "./log.ts";

type Duration = `${number} ${"ms" | "s" | "m" | "h" | "d"}`;

export interface RateClass {
  limit: number;
  window: Duration;
}

export const DEFAULT_RATE_CLASSES = {
  global: { limit: 100, window: "1 m" },
  api: { limit: 60, window: "1 m" },
  search: { limit: 120, window: "1 m" },
  leads: { limit: 5, window: "5 m" },
  subscribe: { limit: 10, window: "10 m" },
} satisfies Record<string, RateClass>;

export type RateClassName = keyof typeof DEFAULT_RATE_CLASSES;

const OverridesSchema = z.record(
  z.string(),
  z.object({ limit: z.number().int().positive(), window: z.string().regex(/^\d+ (ms|s|m|h|d)$/) }),
);

/** The classes with any overrides from RATE_LIMITS applied (JSON, validated). */
export function rateClasses(overridesJson?: string): Record<RateClassName, RateClass> {
  const overrides = overridesJson ? OverridesSchema.parse(JSON.parse(overridesJson)) : {};
  return { ...DEFAULT_RATE_CLASSES, ...overrides } as Record<RateClassName, RateClass>;
}

export interface LimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Epoch milliseconds when the window frees a slot. */
  reset: number;
  /** True when Redis did not answer in time and the request was let through. */
  failedOpen: boolean;
  /** Why the limiter failed open. */
  reason?: string;
}

export interface Limiter {
  check(className: RateClassName, identifier: string): Promise<LimitDecision>;
}

export const FAIL_OPEN_BUDGET_MS = 200;

export function createLimiter(
  redis: Redis,
  classes: Record<RateClassName, RateClass>,
  budgetMs = FAIL_OPEN_BUDGET_MS,
): Limiter {
  const limiters = new Map<RateClassName, Ratelimit>();
  const limiterFor = (name: RateClassName) => {
    let limiter = limiters.get(name);
    if (!limiter) {
      const { limit, window } = classes[name];
      limiter = new Ratelimit({
        redis,
        limiter: Ratelimit.slidingWindow(limit, window),
        prefix: `ratelimit:${name}`,
        timeout: budgetMs,
        analytics: false,
      });
      limiters.set(name, limiter);
    }
    return limiter;
  };

  return {
    async check(className, identifier) {
      const { limit } = classes[className];
      const failOpen = (reason: string): LimitDecision => {
        log("warn", "rate limiter unavailable; failing open", { className, reason });
        return { allowed: true, limit, remaining: limit, reset: Date.now(), failedOpen: true, reason };
      };
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), budgetMs);
      });
      try {
        const outcome = await Promise.race([limiterFor(className).limit(identifier), deadline]);
        if (outcome === "timeout") return failOpen(`no answer within ${budgetMs} ms`);
        // @upstash/ratelimit answers success with reason "timeout" when its own timer fired first.
        if (outcome.reason === "timeout") return failOpen("ratelimit timeout");
        return {
          allowed: outcome.success,
          limit: outcome.limit,
          remaining: Math.max(0, outcome.remaining),
          reset: outcome.reset,
          failedOpen: false,
        };
      } catch (error) {
        return failOpen(error instanceof Error ? error.message : String(error));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
