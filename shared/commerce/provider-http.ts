// Calls to payment providers: one per-attempt timeout, retries on timeouts, network errors, 5xx and
// 429 (honouring Retry-After) with exponential backoff and jitter. The caller passes a fresh request
// per attempt, so Stripe calls resend the same Idempotency-Key and Paystack calls can vary a reference.
// Hand-written rather than the providers' SDKs: we need two or three endpoints each, a timeout per
// attempt rather than per call, and the same retry policy for both providers.
import { log } from "../log.ts";

export class ProviderError extends Error {
  constructor(
    readonly provider: string,
    readonly status: number | null,
    readonly providerCode: string,
    message: string,
    readonly retryable: boolean,
    readonly body: unknown = null,
  ) {
    super(message);
    this.name = "ProviderError";
  }
}

export interface ProviderResponse {
  status: number;
  body: unknown;
}

export interface AttemptPlan {
  provider: string;
  timeoutMs: number;
  retries: number;
  /** Builds the request for attempt n (0-based). */
  request: (attempt: number) => { url: string; init: RequestInit };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function backoffMs(attempt: number, retryAfter: string | null): number {
  const advised = retryAfter ? Number(retryAfter) * 1000 : NaN;
  if (Number.isFinite(advised) && advised >= 0) return Math.min(advised, 2_000);
  return Math.min(100 * 2 ** attempt, 1_000) + Math.floor(Math.random() * 50);
}

/** Runs the attempts; returns the first non-retryable answer (2xx or 4xx), throws after the last failure. */
export async function callProvider(plan: AttemptPlan): Promise<ProviderResponse & { attempts: number }> {
  let lastError: ProviderError | undefined;
  for (let attempt = 0; attempt <= plan.retries; attempt++) {
    const { url, init } = plan.request(attempt);
    let retryAfter: string | null = null;
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(plan.timeoutMs) });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch { /* keep the text */ }
      if (response.status < 500 && response.status !== 429) {
        return { status: response.status, body, attempts: attempt + 1 };
      }
      retryAfter = response.headers.get("retry-after");
      lastError = new ProviderError(
        plan.provider,
        response.status,
        response.status === 429 ? "rate_limited" : "server_error",
        `${plan.provider} answered ${response.status}`,
        true,
        body,
      );
    } catch (error) {
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      lastError = new ProviderError(
        plan.provider,
        null,
        timedOut ? "timeout" : "network_error",
        timedOut
          ? `${plan.provider} did not answer within ${plan.timeoutMs} ms`
          : `${plan.provider}: ${String(error)}`,
        true,
      );
    }
    log("warn", "provider call failed", {
      provider: plan.provider,
      attempt: attempt + 1,
      code: lastError.providerCode,
      status: lastError.status,
    });
    if (attempt < plan.retries) await sleep(backoffMs(attempt, retryAfter));
  }
  throw lastError!;
}
