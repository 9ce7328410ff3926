// The API reference through the local gateway: every function serves its OpenAPI 3.1 document, and
// /docs/ serves one merged reference page whose assets come from the local npm package (no CDN).
import assert from "node:assert/strict";
import { functionEntries } from "../../../supabase/local/gateway.ts";
import { api, config, dbTest } from "../../support/harness.ts";

const names = (await functionEntries()).map((entry) => entry.name);

dbTest("every function serves GET /functions/v1/<name>/openapi.json (OpenAPI 3.1)", async () => {
  for (const name of names) {
    const response = await api(`${name}/openapi.json`);
    assert.equal(response.status, 200, `${name}: ${response.text.slice(0, 200)}`);
    assert.equal(response.body.openapi, "3.1.0");
    assert.ok(response.body.components.schemas.ErrorEnvelope, name);
    assert.ok(Object.keys(response.body.paths).every((path) => path.startsWith(`/${name}`)), name);
  }
});

dbTest("/docs/ is one reference page for every function, with its assets served locally", async () => {
  const page = await fetch(`${config.apiUrl}/docs/`);
  const html = await page.text();
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /text\/html/);
  const sources = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(sources.length >= 3);
  assert.ok(sources.every((source) => source.startsWith("/docs/")), `external assets: ${sources.join(", ")}`);
  for (const source of sources) {
    const asset = await fetch(`${config.apiUrl}${source}`);
    assert.equal(asset.status, 200, source);
    assert.ok((await asset.arrayBuffer()).byteLength > 100, source);
  }
  const merged = await (await fetch(`${config.apiUrl}/docs/openapi.json`)).json();
  assert.equal(merged.openapi, "3.1.0");
  assert.deepEqual(merged.tags.map((tag: { name: string }) => tag.name).sort(), [...names].sort());
  for (const path of ["/leads/{id}", "/track/events", "/pipeline/plans-import", "/health/ip-blocks/{ip}"]) {
    assert.ok(merged.paths[path], `${path} is in the merged document`);
  }
  const outside = await fetch(`${config.apiUrl}/docs/assets/..%2F..%2Fpackage.json`);
  assert.equal(outside.status, 404);
  await outside.body?.cancel();
  const unlisted = await fetch(`${config.apiUrl}/docs/assets/index.html`);
  assert.equal(unlisted.status, 404);
  await unlisted.body?.cancel();
});
