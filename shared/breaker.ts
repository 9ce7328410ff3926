// The kernel's circuit breaker (tracking ingest; any module guarding a dependency). A caller must never
// slow down or pile up work when a dependency degrades, so instead of queueing it sheds: open after too many failures or a p95 over
// budget, shed for a cool-down, then let single probes through (half-open) until one succeeds.
// Memory is bounded: a fixed ring of samples and a cap on calls in flight.
//
// Kept instead of cockatiel (issue 14.13), by measurement: bench/scenarios/breaker.ts (`./dev bench
// breaker`) runs cockatiel's circuitBreaker with its SamplingBreaker and its ConsecutiveBreaker, composed
// as ingest needs it (bulkhead(64, 0) to shed instead of queueing, handleWhen so refused input is a
// healthy call, an aggressive timeout inside the breaker), against this breaker in the same run.
// Measured (5 rounds, medians): a guarded call of a resolved promise costs 20.4 µs here (the timeout
// timer is most of it; a bare call 0.17 µs) and 52.3-54.7 µs with cockatiel (2.6-2.7x); storing 50-event
// batches through tracking.ingest_event_batches from 50 loops, cockatiel ran at 0.961-0.975x this
// breaker's throughput, the bare call at 0.975x, i.e. within the run's noise. Measurably more costly per
// call and no faster on ingest, so the kernel keeps this one.
// Beyond cost, none of cockatiel's breakers opens on the p95 latency of a sliding window, which is what
// protects ingest from a slow (not failing) database; that would stay here as a second state machine.

export type BreakerState = "closed" | "open" | "half_open";

export interface BreakerOptions {
  /** Latest samples kept for the p95 and failure rate. */
  windowSize: number;
  /** Samples needed before p95 or failure rate can open the breaker. */
  minSamples: number;
  /** Opens when the p95 of the window exceeds this. */
  p95ThresholdMs: number;
  /** Opens when this share of the window failed. */
  failureRateThreshold: number;
  /** Opens at once after this many failures in a row (an outage, not noise). */
  consecutiveFailures: number;
  /** How long an open breaker sheds before it lets a probe through. */
  openMs: number;
  /** Calls allowed in flight; more are shed rather than queued. */
  maxInFlight: number;
  /** A call slower than this counts as a failure (the caller gets an error, the work may finish). */
  timeoutMs: number;
  /**
   * Whether an error speaks of the dependency's health. An error the dependency answered promptly
   * because of the caller's input (a refused value) is a healthy call: one client's bad data must
   * not shed everyone's tracking.
   */
  isFailure: (error: unknown) => boolean;
  now: () => number;
}

const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  windowSize: 200,
  minSamples: 20,
  p95ThresholdMs: 1500,
  failureRateThreshold: 0.5,
  consecutiveFailures: 5,
  openMs: 5000,
  maxInFlight: 64,
  timeoutMs: 4000,
  isFailure: () => true,
  now: () => performance.now(),
};

export class BreakerTimeoutError extends Error {
  constructor(ms: number) {
    super(`no answer within ${ms} ms`);
    this.name = "BreakerTimeoutError";
  }
}

export type BreakerOutcome<T> = { shed: true; reason: "open" | "saturated" } | { shed: false; value: T };

export class CircuitBreaker {
  readonly options: BreakerOptions;
  private stateValue: BreakerState = "closed";
  private openedAt = 0;
  private probing = false;
  private inFlight = 0;
  private failuresInARow = 0;
  private readonly durations: Float64Array;
  private readonly failed: Uint8Array;
  /** Samples in the window over the p95 threshold and failures in it, kept as samples come and go. */
  private slowInWindow = 0;
  private failuresInWindow = 0;
  private filled = 0;
  private cursor = 0;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
    this.durations = new Float64Array(this.options.windowSize);
    this.failed = new Uint8Array(this.options.windowSize);
  }

  get state(): BreakerState {
    if (this.stateValue === "open" && this.options.now() - this.openedAt >= this.options.openMs) {
      this.stateValue = "half_open";
    }
    return this.stateValue;
  }

  /** Runs `work` unless the breaker sheds it; errors and timeouts are rethrown after being counted. */
  async run<T>(work: () => Promise<T>): Promise<BreakerOutcome<T>> {
    const state = this.state;
    if (state === "open" || (state === "half_open" && this.probing)) return this.shed("open");
    if (this.inFlight >= this.options.maxInFlight) return this.shed("saturated");
    const probe = state === "half_open";
    if (probe) this.probing = true;
    this.inFlight++;
    const started = this.options.now();
    const running = work().finally(() => this.inFlight--);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const value = await Promise.race([
        running,
        new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new BreakerTimeoutError(this.options.timeoutMs)),
            this.options.timeoutMs,
          );
        }),
      ]);
      this.record(this.options.now() - started, true, probe);
      return { shed: false, value };
    } catch (error) {
      running.catch(() => {});
      const failed = error instanceof BreakerTimeoutError || this.options.isFailure(error);
      this.record(this.options.now() - started, !failed, probe);
      throw error;
    } finally {
      clearTimeout(timer);
      if (probe) this.probing = false;
    }
  }

  private shed(reason: "open" | "saturated"): BreakerOutcome<never> {
    return { shed: true, reason };
  }

  private record(durationMs: number, ok: boolean, probe: boolean): void {
    if (probe) {
      if (ok) this.close();
      else this.open();
      return;
    }
    if (this.filled === this.options.windowSize) {
      // The oldest sample leaves the window.
      if (this.durations[this.cursor] > this.options.p95ThresholdMs) this.slowInWindow--;
      this.failuresInWindow -= this.failed[this.cursor];
    }
    this.durations[this.cursor] = durationMs;
    this.failed[this.cursor] = ok ? 0 : 1;
    if (durationMs > this.options.p95ThresholdMs) this.slowInWindow++;
    this.failuresInWindow += ok ? 0 : 1;
    this.cursor = (this.cursor + 1) % this.options.windowSize;
    this.filled = Math.min(this.filled + 1, this.options.windowSize);
    this.failuresInARow = ok ? 0 : this.failuresInARow + 1;
    if (this.stateValue !== "closed") return;
    if (this.failuresInARow >= this.options.consecutiveFailures) return this.open();
    if (this.filled < this.options.minSamples) return;
    // p95 > threshold exactly when more samples exceed it than the 5 % above the p95 rank, which
    // needs no sort on every call (this runs once per ingested batch).
    const aboveP95Rank = this.filled - Math.ceil(0.95 * this.filled);
    if (
      this.failuresInWindow / this.filled >= this.options.failureRateThreshold ||
      this.slowInWindow > aboveP95Rank
    ) {
      this.open();
    }
  }

  private open(): void {
    this.stateValue = "open";
    this.openedAt = this.options.now();
  }

  private close(): void {
    this.stateValue = "closed";
    this.failuresInARow = 0;
    this.filled = 0;
    this.cursor = 0;
    this.slowInWindow = 0;
    this.failuresInWindow = 0;
  }
}
