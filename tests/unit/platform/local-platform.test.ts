// The local platform's files agree with each other and with upstream's conventions.
import assert from "node:assert/strict";
import { NET_WORKER_NAME, requestHeaders } from "../../../supabase/local/net_worker.ts";
import { ROOT } from "../../../supabase/local/stack.ts";
import { exposedSchemas } from "../../../supabase/local/types.ts";

const read = (path: string) => Deno.readTextFile(`${ROOT}/${path}`);

Deno.test("GoTrue's migrations are in version order, each once, with the namespace resolved", async () => {
  const text = await read("supabase/local/auth_migrations.sql");
  const versions = [...text.matchAll(/^-- gotrue migration (\d+)$/gm)].map((m) => m[1]);
  assert.ok(versions.length >= 70, `only ${versions.length} migrations`);
  assert.deepEqual(versions, [...versions].sort());
  assert.equal(new Set(versions).size, versions.length);
  assert.doesNotMatch(text, /\{\{/);
  assert.match(text, /create table if not exists auth\.users/i);
});

Deno.test("each stand-in extension's default version has its install script", async () => {
  for (const name of ["pg_net", "supabase_vault"]) {
    const control = await read(`supabase/local/extensions/${name}.control`);
    const version = control.match(/^default_version = '([^']+)'$/m)?.[1];
    assert.ok(version, `${name}.control has a default_version`);
    assert.match(control, /^trusted = true$/m, `${name} is creatable by postgres, as supautils allows`);
    const script = await read(`supabase/local/extensions/${name}--${version}.sql`);
    assert.match(script, /^\\echo Use "CREATE EXTENSION/m);
  }
});

Deno.test("pg_net's worker name is the one net.check_worker_is_up() looks for", async () => {
  const script = await read("supabase/local/extensions/pg_net--0.20.4.sql");
  const pattern = script.match(/application_name ilike '([^']+)'/)?.[1];
  assert.ok(pattern);
  const regex = new RegExp(`^${pattern.replaceAll("%", ".*")}$`, "i");
  assert.match(NET_WORKER_NAME, regex);
});

Deno.test("the worker sends headers as pg_net hands them to libcurl", () => {
  const body = new TextEncoder().encode("{}");
  const withHeaders = requestHeaders({
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body,
  });
  assert.equal(withHeaders.get("user-agent"), "pg_net/0.20.4");
  assert.equal(withHeaders.get("content-type"), "application/json");
  const nullHeaders = requestHeaders({ method: "POST", headers: null, body });
  assert.equal(nullHeaders.get("user-agent"), null, "no User-Agent when the row has no headers");
  assert.equal(nullHeaders.get("content-type"), "application/x-www-form-urlencoded");
  assert.equal(requestHeaders({ method: "GET", headers: {}, body: null }).get("content-type"), null);
});

Deno.test("types cover public first, then config.toml's API schemas, once each", async () => {
  const schemas = await exposedSchemas();
  assert.equal(schemas[0], "public");
  assert.equal(new Set(schemas).size, schemas.length);
  const config = await read("supabase/config.toml");
  for (const schema of config.match(/^schemas = \[([^\]]*)\]/m)![1].matchAll(/"([^"]+)"/g)) {
    assert.ok(schemas.includes(schema[1]), schema[1]);
  }
});

Deno.test("the committed types hold no dated partition: tracking keeps them out of the exposed schemas", async () => {
  assert.doesNotMatch(await read("types/database.ts"), /^ {6}\w+_p\d{8}: \{$/m);
  assert.match(
    await read("supabase/migrations/20261122003000_tracking-schema.sql"),
    /partition of tracking\.events/,
  );
});
