// The vendor's circuit breaker: the kernel's (shared/breaker.ts) behind one small interface, so a
// swap of the kernel's implementation changes this file only. Opens after N consecutive vendor
// failures (VENDING_BREAKER_FAILURES, default 5), waits, then lets one probe through (half-open).
// While it is open the worker leaves vends queued ("released"), never failed.
import { type BreakerState, CircuitBreaker } from "../breaker.ts";

export class VendorFailure extends Error {
  constructor(readonly value: unknown, reason: string) {
    super(reason);
    this.name = "VendorFailure";
  }
}

export interface VendorBreaker {
  readonly state: BreakerState;
  /** Runs the call unless the breaker sheds it; `failed(value)` says whether it was a vendor failure. */
  run<T>(
    call: () => Promise<T>,
    failed: (value: T) => boolean,
  ): Promise<{ shed: true } | { shed: false; value: T }>;
}

export interface VendorBreakerOptions {
  consecutiveFailures: number;
  openMs: number;
  /** Above the client's own timeout: the client aborts first and reports the timeout itself. */
  timeoutMs: number;
  maxInFlight: number;
  now?: () => number;
}

export function createVendorBreaker(options: VendorBreakerOptions): VendorBreaker {
  const breaker = new CircuitBreaker({
    consecutiveFailures: options.consecutiveFailures,
    openMs: options.openMs,
    timeoutMs: options.timeoutMs,
    maxInFlight: options.maxInFlight,
    // Only the run of failures opens it: a slow but answering vendor is normal (202s take minutes).
    failureRateThreshold: 2,
    p95ThresholdMs: Number.MAX_SAFE_INTEGER,
    isFailure: (error) => error instanceof VendorFailure,
    ...(options.now ? { now: options.now } : {}),
  });
  return {
    get state() {
      return breaker.state;
    },
    async run(call, failed) {
      try {
        const outcome = await breaker.run(async () => {
          const value = await call();
          if (failed(value)) throw new VendorFailure(value, "vendor failure");
          return value;
        });
        return outcome.shed ? { shed: true } : { shed: false, value: outcome.value };
      } catch (error) {
        if (error instanceof VendorFailure) return { shed: false, value: error.value as never };
        throw error;
      }
    },
  };
}
