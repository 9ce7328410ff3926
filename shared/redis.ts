// Upstash Redis over REST: the same client runs on Supabase (Upstash) and locally (the bridge in
// supabase/local/ in front of Redis 7).
import { Redis, type Requester, type UpstashRequest, type UpstashResponse } from "@upstash/redis";
import { env } from "./env.ts";

/** Commands one merged /pipeline call may carry. */
const MAX_COMMANDS_PER_CALL = 256;

interface Waiting {
  commands: unknown[];
  /** A single command answers one entry; a pipeline answers its slice of entries. */
  pipeline: boolean;
  resolve: (response: UpstashResponse<unknown> | UpstashResponse<unknown>[]) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit for Redis: while one REST call is in flight, the commands of concurrent requests wait
 * and then leave together in one `/pipeline` call (Upstash's documented batch endpoint), each caller
 * getting its own entry back. Every function request checks a rate limit, so under load this turns
 * one HTTP round trip per request into one per group. A lone command still goes at once, as itself.
 * Transactions (`/multi-exec`) and anything with its own headers or signal pass straight through.
 */
export class CoalescingRequester implements Requester {
  readonly #queue: Waiting[] = [];
  #inFlight = false;

  constructor(private readonly inner: Requester) {}

  request<TResult = unknown>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
    const path = req.path ?? [];
    const single = path.length === 0;
    const pipeline = path.length === 1 && path[0] === "pipeline";
    const plain = !req.headers && !req.signal && !req.isStreaming && !req.onMessage;
    if (!plain || !(single || pipeline) || !Array.isArray(req.body)) return this.inner.request<TResult>(req);
    return new Promise((resolve, reject) => {
      this.#queue.push({
        commands: pipeline ? req.body as unknown[] : [req.body],
        pipeline,
        resolve: resolve as Waiting["resolve"],
        reject,
      });
      this.#pump();
    });
  }

  #pump(): void {
    if (this.#inFlight || this.#queue.length === 0) return;
    const group = this.#takeGroup();
    this.#inFlight = true;
    this.#send(group).finally(() => {
      this.#inFlight = false;
      this.#pump();
    });
  }

  #takeGroup(): Waiting[] {
    let commands = this.#queue[0].commands.length;
    let count = 1;
    while (
      count < this.#queue.length && commands + this.#queue[count].commands.length <= MAX_COMMANDS_PER_CALL
    ) {
      commands += this.#queue[count].commands.length;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #send(group: Waiting[]): Promise<void> {
    try {
      if (group.length === 1 && !group[0].pipeline) {
        group[0].resolve(await this.inner.request({ body: group[0].commands[0] }));
        return;
      }
      const entries = await this.inner.request<unknown>({
        path: ["pipeline"],
        body: group.flatMap((waiting) => waiting.commands),
      }) as unknown as UpstashResponse<unknown>[];
      let offset = 0;
      for (const waiting of group) {
        const slice = entries.slice(offset, offset + waiting.commands.length);
        offset += waiting.commands.length;
        waiting.resolve(waiting.pipeline ? slice : slice[0]);
      }
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}

let client: Redis | undefined;

export function redis(): Redis {
  if (!client) {
    const direct = new Redis({
      url: env().UPSTASH_REDIS_REST_URL,
      token: env().UPSTASH_REDIS_REST_TOKEN,
      // Hot-path callers (rate limits, counters) prefer a fast failure to a retry storm.
      retry: { retries: 1, backoff: () => 25 },
      enableTelemetry: false,
      enableAutoPipelining: false,
    });
    // The library's own HTTP client (auth, encoding, retries) does the calls; coalescing wraps it.
    const http = (direct as unknown as { client: Requester }).client;
    client = new Redis(new CoalescingRequester(http));
  }
  return client;
}
