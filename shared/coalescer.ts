// Group commit. While an isolate's calls to a backend are busy, jobs that arrive wait in a queue and
// leave together in the next call: one round trip (and, for the database, one statement and one
// transaction) for the whole group. At low load a job finds a free call and goes at once, so
// coalescing adds no latency; under load it divides the fixed cost of a call among the jobs that
// share it. "At once" is a microtask later, so that the jobs one piece of synchronous code submits
// together leave together: a request that asks Redis for its block status and its rate limit in
// the same turn gets one pipeline, not one lone command and then a second round trip for the other.
// Bounded: at most maxCalls calls in flight and maxItems items per call. Used by tracking
// ingest (event batches), the search query log (log entries) and the Redis client (commands).

export interface CoalescerOptions {
  /** Calls this isolate keeps in flight at once. */
  maxCalls: number;
  /** Items one call may carry; a single larger job still goes, alone. */
  maxItems: number;
  /**
   * How long a job that finds a call free waits for company (ms; default 0, a microtask). Only for
   * writes nobody waits for, such as a log: a full group leaves at once all the same.
   */
  lingerMs?: number;
}

/** Per-submission outcome of a group call: each batch succeeds or fails on its own. */
export type Settled<R> = { ok: true; value: R } | { ok: false; error: unknown };

interface Waiting<T, R> {
  job: T;
  size: number;
  resolve: (value: R) => void;
  reject: (error: unknown) => void;
}

export class Coalescer<T, R> {
  private readonly queue: Waiting<T, R>[] = [];
  private callsInFlight = 0;
  private queuedItems = 0;
  private pumpScheduled = false;

  constructor(
    /** Runs a group; answers one Settled per job, in order. */
    private readonly call: (jobs: T[]) => Promise<Settled<R>[]>,
    private readonly options: CoalescerOptions,
  ) {}

  submit(job: T, size: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ job, size, resolve, reject });
      this.queuedItems += size;
      if (this.queuedItems >= this.options.maxItems) this.pump();
      else if (!this.pumpScheduled) {
        this.pumpScheduled = true;
        const run = () => {
          this.pumpScheduled = false;
          this.pump();
        };
        if (this.options.lingerMs) setTimeout(run, this.options.lingerMs);
        else queueMicrotask(run);
      }
    });
  }

  private pump(): void {
    while (this.callsInFlight < this.options.maxCalls && this.queue.length > 0) {
      const group = this.takeGroup();
      this.callsInFlight++;
      this.call(group.map((waiting) => waiting.job))
        .then(
          (outcomes) =>
            group.forEach((waiting, i) => {
              const outcome = outcomes[i];
              if (outcome?.ok) waiting.resolve(outcome.value);
              else waiting.reject(outcome ? outcome.error : new Error("no outcome for a coalesced job"));
            }),
          (error) => group.forEach((waiting) => waiting.reject(error)),
        )
        .finally(() => {
          this.callsInFlight--;
          this.pump();
        });
    }
  }

  /** The oldest jobs that fit in one call (always at least one). */
  private takeGroup(): Waiting<T, R>[] {
    let items = this.queue[0].size;
    let count = 1;
    while (count < this.queue.length && items + this.queue[count].size <= this.options.maxItems) {
      items += this.queue[count].size;
      count++;
    }
    this.queuedItems -= items;
    return this.queue.splice(0, count);
  }
}
