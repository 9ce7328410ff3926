// Upstash Redis over REST: the same client runs on Supabase (Upstash) and locally (the bridge in
// supabase/local/ in front of Redis 7).
import { Redis, type Requester, type UpstashRequest, type UpstashResponse } from "@upstash/redis";
import { Coalescer, type Settled } from "./coalescer.ts";
import { env } from "./env.ts";

interface RedisJob {
  commands: unknown[];
  /** A single command answers one entry; a pipeline answers its slice of entries. */
  pipeline: boolean;
}
type RedisAnswer = UpstashResponse<unknown> | UpstashResponse<unknown>[];

/**
 * Group commit for Redis: while one REST call is in flight, the commands of concurrent requests wait
 * and then leave together in one `/pipeline` call (Upstash's documented batch endpoint), each caller
 * getting its own entry back. Every function request checks a rate limit, so under load this turns
 * one HTTP round trip per request into one per group. A lone command still goes at once, as itself.
 * Transactions (`/multi-exec`) and anything with its own headers or signal pass straight through.
 */
export class CoalescingRequester implements Requester {
  readonly #groups: Coalescer<RedisJob, RedisAnswer>;

  constructor(private readonly inner: Requester) {
    this.#groups = new Coalescer((jobs) => this.#send(jobs), { maxCalls: 1, maxItems: 256 });
  }

  request<TResult = unknown>(req: UpstashRequest): Promise<UpstashResponse<TResult>> {
    const path = req.path ?? [];
    const single = path.length === 0;
    const pipeline = path.length === 1 && path[0] === "pipeline";
    const plain = !req.headers && !req.signal && !req.isStreaming && !req.onMessage;
    if (!plain || !(single || pipeline) || !Array.isArray(req.body)) return this.inner.request<TResult>(req);
    const commands = pipeline ? req.body as unknown[] : [req.body];
    return this.#groups.submit({ commands, pipeline }, commands.length) as Promise<UpstashResponse<TResult>>;
  }

  async #send(jobs: RedisJob[]): Promise<Settled<RedisAnswer>[]> {
    if (jobs.length === 1 && !jobs[0].pipeline) {
      return [{ ok: true, value: await this.inner.request({ body: jobs[0].commands[0] }) }];
    }
    const entries = await this.inner.request<unknown>({
      path: ["pipeline"],
      body: jobs.flatMap((job) => job.commands),
    }) as unknown as UpstashResponse<unknown>[];
    let offset = 0;
    return jobs.map((job) => {
      const slice = entries.slice(offset, offset + job.commands.length);
      offset += job.commands.length;
      return { ok: true, value: job.pipeline ? slice : slice[0] };
    });
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
