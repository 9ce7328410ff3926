// Autocomplete under load with autocannon, rotating through the misspelled queries (httpLoad in
// bench/lib.ts sends one fixed URL; typing traffic is many different queries).
import autocannon from "autocannon";
import { type LoadResult } from "../lib.ts";

export interface RotatingLoad {
  baseUrl: string;
  paths: string[];
  connections: number;
  durationSeconds: number;
  /** Requests per second per connection (a typing rate); unset means back to back (saturation). */
  connectionRate?: number;
}

const randomIp = () =>
  `10.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${
    1 + Math.floor(Math.random() * 250)
  }`;

export async function rotatingLoad(options: RotatingLoad): Promise<LoadResult> {
  let index = 0;
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    connectionRate: options.connectionRate,
    requests: [{
      setupRequest: (request: Record<string, unknown>) => ({
        ...request,
        path: options.paths[index++ % options.paths.length],
        // One client address per request: the per-IP rate limits must not be what is measured.
        headers: { ...(request.headers as Record<string, string>), "x-forwarded-for": randomIp() },
      }),
    }],
  });
  return {
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    rps: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    durationSeconds: result.duration,
  };
}
