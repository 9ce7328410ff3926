// The cost of the kernel: a request through the gateway and the shared middleware (request id,
// log line, metrics, rate limit) compared with a bare Deno.serve answering the same JSON in the
// same run on the same machine.
import { type BenchScenario, httpLoad, round } from "../lib.ts";

const scenario: BenchScenario = {
  name: "foundation",
  description: "health liveness through the gateway and kernel vs a bare Deno.serve",
  async run(ctx) {
    const durationSeconds = ctx.quick ? 3 : 10;
    const connections = 50;
    const bare = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      () => Response.json({ status: "ok", time: new Date().toISOString() }),
    );
    try {
      const anchor = await httpLoad({
        url: `http://127.0.0.1:${bare.addr.port}/`,
        connections,
        durationSeconds,
      });
      const kernel = await httpLoad({ url: `${ctx.functionsUrl}/health`, connections, durationSeconds });
      const row = (subject: string, metric: string, value: number, unit: string, anchorValue: number) => ({
        scenario: "foundation",
        subject,
        metric,
        value: round(value),
        unit,
        anchor: "bare Deno.serve",
        ratio: anchorValue ? value / anchorValue : undefined,
      });
      return [
        row("GET /functions/v1/health", "throughput", kernel.rps, "req/s", anchor.rps),
        row("GET /functions/v1/health", "p50 latency", kernel.p50Ms, "ms", anchor.p50Ms),
        row("GET /functions/v1/health", "p99 latency", kernel.p99Ms, "ms", anchor.p99Ms),
        {
          scenario: "foundation",
          subject: "bare Deno.serve",
          metric: "throughput",
          value: round(anchor.rps),
          unit: "req/s",
        },
      ];
    } finally {
      await bare.shutdown();
    }
  },
};

export default scenario;
