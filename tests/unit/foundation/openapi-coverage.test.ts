// Every route of every app is in its OpenAPI document, and every error it documents is the envelope:
// the apps are loaded from config.toml's function list, their registered routes (Hono's router) are
// compared with the paths of the document they serve, so a route added with app.get() instead of
// app.openapi(route(...)) fails here.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { functionEntries } from "../../../supabase/local/gateway.ts";
import { openApiDocument } from "../../../shared/http.ts";
import { ERROR_ENVELOPE_REF } from "../../../shared/openapi.ts";
import { dbTest } from "../../support/harness.ts";

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

/** "METHOD /path" for each route the app answers (middleware registered with use() excluded). */
// deno-lint-ignore no-explicit-any -- any app's env
function registeredRoutes(app: OpenAPIHono<any>): string[] {
  return [
    ...new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map((r) => `${r.method} ${r.path.replace(/:([^/]+)/g, "{$1}")}`),
    ),
  ].sort();
}

function documentedRoutes(doc: Document): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`)
    )
    .sort();
}

/** Documented error responses that are not exactly the envelope (as JSON). */
export function nonEnvelopeErrors(doc: Document): string[] {
  const wrong: string[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      for (const [status, response] of Object.entries(operation.responses)) {
        if (Number(status) < 400) continue;
        const media = Object.keys(response.content ?? {});
        const ref = response.content?.["application/json"]?.schema?.$ref;
        if (media.length !== 1 || ref !== ERROR_ENVELOPE_REF) wrong.push(`${method} ${path} ${status}`);
      }
    }
  }
  return wrong;
}

/** Error statuses that deliberately answer something else, each with its reason. */
const NOT_ENVELOPES: Record<string, string> = {
  "get /health/status 503": "the dependency report itself (status down), for load balancers and operators",
};

const entries = await functionEntries();

dbTest("config.toml's functions are all checked (the list is not empty)", () => {
  assert.ok(entries.length >= 7, entries.map((e) => e.name).join(", "));
  return Promise.resolve();
});

for (const entry of entries) {
  dbTest(`${entry.name}: every route is documented, every documented error is the envelope`, async () => {
    const app = (await import(entry.appUrl.href)).default as OpenAPIHono;
    const doc = openApiDocument(app, entry.name) as unknown as Document;
    assert.equal(doc.openapi, "3.1.0");
    assert.deepEqual(documentedRoutes(doc), registeredRoutes(app));
    assert.deepEqual(nonEnvelopeErrors(doc).filter((key) => !NOT_ENVELOPES[key]), []);
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        assert.ok(operation.responses["500"], `${method} ${path} documents no 500`);
      }
    }
  });
}

dbTest("the checks catch an undocumented route and a documented error that is not the envelope", async () => {
  const { createApp, route } = await import("../../../shared/http.ts");
  const { z } = await import("zod");
  const app = createApp("coverage-probe");
  app.get("/hidden", (c) => c.json({}));
  app.openapi(
    route({
      method: "get",
      path: "/odd",
      summary: "a route documenting a plain-text 409",
      responses: {
        200: { description: "ok", content: { "application/json": { schema: z.object({}) } } },
        409: { description: "conflict", content: { "text/plain": { schema: z.string() } } },
      },
    }),
    (c) => c.json({}, 200),
  );
  const doc = openApiDocument(app, "coverage-probe") as unknown as Document;
  assert.notDeepEqual(documentedRoutes(doc), registeredRoutes(app));
  assert.ok(registeredRoutes(app).includes("GET /coverage-probe/hidden"));
  assert.deepEqual(nonEnvelopeErrors(doc), ["get /coverage-probe/odd 409"]);
});
