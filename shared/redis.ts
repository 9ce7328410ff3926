// Upstash Redis over REST: the same client runs on Supabase (Upstash) and locally (the bridge in
// supabase/local/ in front of Redis 7).
import { Redis } from "@upstash/redis";
import { env } from "./env.ts";

let client: Redis | undefined;

export function redis(): Redis {
  client ??= new Redis({
    url: env().UPSTASH_REDIS_REST_URL,
    token: env().UPSTASH_REDIS_REST_TOKEN,
    // Hot-path callers (rate limits, counters) prefer a fast failure to a retry storm.
    retry: { retries: 1, backoff: () => 25 },
    enableTelemetry: false,
  });
  return client;
}
