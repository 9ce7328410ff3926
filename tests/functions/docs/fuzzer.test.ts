// The fuzzer can fail: a throwaway app on the kernel (createApp, the same middleware and document as
// every function) with one deliberately broken route — it answers 500 for exactly one hostile query
// value, as a handler that hands an unchecked integer to the database would — and a sound route
// beside it. The same fuzzer the suite runs over every function must report that route with that
// input, and nothing else. In-process (app.fetch); the kernel's address block and rate limits use the
// local stack's Redis, as in every function.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { z } from "zod";
import { createApp, jsonBody, jsonResponse, route } from "../../../shared/http.ts";
import { describeFailures, type Document, fuzz, sendToApp } from "../../support/fuzzer.ts";
import { uniqueIp } from "../../support/harness.ts";

/** Below int4's range: the one value the broken route lets through to a "database" that refuses it. */
const BROKEN_INPUT = "-2147483649";

function throwawayApp() {
  const app = createApp("fuzzproof", { description: "A throwaway app for the fuzzer's own test." });
  const Answer = z.object({ ok: z.boolean() });
  app.openapi(
    route({
      method: "get",
      path: "/broken",
      summary: "Answers 500 for one hostile query value",
      request: { query: z.object({ offset: z.string().max(10_000).optional() }) },
      responses: { 200: jsonResponse(Answer, "Fine.") },
    }),
    (c) => {
      const { offset } = c.req.valid("query");
      // The deliberate defect: no range check, and the "database" error escapes as a 500.
      if (offset !== undefined && /^-\d+$/.test(offset) && Number(offset) < -2147483648) {
        throw new RangeError(`integer out of range: ${offset}`);
      }
      return c.json({ ok: true }, 200);
    },
  );
  app.openapi(
    route({
      method: "post",
      path: "/sound",
      summary: "Validates before it works",
      request: {
        query: z.object({ offset: z.coerce.number().int().min(-2147483648).max(2147483647).optional() }),
        body: jsonBody(z.object({ name: z.string().max(100), count: z.number().int().min(0).max(1000) })),
      },
      responses: { 200: jsonResponse(Answer, "Fine.") },
    }),
    (c) => c.json({ ok: c.req.valid("json").count >= 0 }, 200),
  );
  return app;
}

async function fuzzApp() {
  const app = throwawayApp();
  const send = sendToApp(app.fetch);
  const document = await (await send("/fuzzproof/openapi.json", {})).json() as Document;
  return await fuzz({ document, send, tokenFor: () => "not-a-token", clientIp: uniqueIp });
}

Deno.test("the fuzzer reports the one route and input that reach a 500, and nothing else", async () => {
  const report = await fuzzApp();
  // Both routes were probed (the sound one with query, body and header probes), not just the broken.
  assert.ok(report.probes > 90, `only ${report.probes} probes`);
  assert.deepEqual(
    report.failures.map(({ method, route, label, status }) => ({ method, route, label, status })),
    [{ method: "GET", route: "/fuzzproof/broken", label: `query offset=${BROKEN_INPUT}`, status: 500 }],
    describeFailures(report.failures).join("\n"),
  );
  // What the assertion message of the suite's fuzz test shows for it.
  assert.match(describeFailures(report.failures)[0], /^GET \/fuzzproof\/broken\?offset=-2147483649 \[/);
});
