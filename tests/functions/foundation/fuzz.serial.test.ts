// Hostile input never reaches a 5xx. Driven by the OpenAPI documents every function serves: for each
// operation, each declared query and path parameter, each body property and each credential header
// gets hostile values (NUL, lone surrogates, invalid UTF-8 escapes, numbers out of range, huge and
// duplicated values, deep nesting, duplicate keys), sent as an admin (service key for service-only
// routes) so the requests get past authorization to validation and the handlers. Any 5xx fails.
// Serial: its load would make timing-sensitive tests of other files fail open.
import assert from "node:assert/strict";
import { functionEntries } from "../../../supabase/local/gateway.ts";
import { api, dbTest, FUNCTIONS_URL, serviceRoleKey, tokenFor, uniqueIp } from "../../support/harness.ts";

interface Parameter {
  name: string;
  in: "query" | "path" | "header";
}
interface Schema {
  $ref?: string;
  type?: string | string[];
  format?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  anyOf?: Schema[];
  oneOf?: Schema[];
  minimum?: number;
  default?: unknown;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  description?: string;
}
type Document = {
  paths: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, Schema> };
};

/** Raw (already percent-encoded) hostile values for the query string and the path. */
const HOSTILE_URL_VALUES = [
  "%00",
  "a%00b",
  "%ED%A0%80", // a UTF-16 surrogate encoded as UTF-8 (invalid)
  "%F0%9F", // truncated UTF-8
  "%FF%FE",
  "%C0%AF", // overlong encoding
  "%",
  "1e309",
  "-1e309",
  "99999999999999999999999",
  "-2147483649",
  "NaN",
  "x".repeat(5000),
  "%27%3B%20drop%20table%20x%3B--",
];

/** Hostile JSON values as raw JSON text, for one body property at a time. */
const HOSTILE_JSON_VALUES = [
  '"\\u0000"',
  '"a\\u0000b"',
  '"\\ud800"',
  '"\\udc00x"',
  "1e309",
  "-1e309",
  "1e20",
  "2147483648",
  "-9223372036854775809",
  "0.1e-400",
  '"' + "x".repeat(100_000) + '"',
  "[" + '"\\u0000",'.repeat(50) + "1]",
  '{"\\u0000":1}',
  "[".repeat(60) + "]".repeat(60),
  "true",
  "null",
  "{}",
];

/** Whole hostile bodies. */
const HOSTILE_BODIES = [
  "[".repeat(100_000) + "]".repeat(100_000),
  '{"a":'.repeat(10_000) + "1" + "}".repeat(10_000),
  '{"kind":"consumer","kind":"business","kind":"\\u0000"}',
  '"\\ud800"',
  "\u0000",
  "{",
  "[]",
  "1e309",
];

const HOSTILE_HEADERS: Record<string, string>[] = [
  { authorization: "Bearer \u00ff\u00fe" },
  { authorization: "Bearer eyJ.\u00ff.x" },
  { apikey: "sb_secret_\u00ff" },
  { apikey: "sb_publishable_" + "x".repeat(4000) },
  { "x-request-id": "\u00ff".repeat(64) },
  { "content-type": "application/json; charset=\u00ff" },
];

function resolve(schema: Schema | undefined, doc: Document): Schema | undefined {
  let current = schema;
  for (let i = 0; i < 5 && current?.$ref; i++) {
    current = doc.components?.schemas?.[current.$ref.split("/").at(-1)!];
  }
  return current;
}

/** A plausible value for a schema, so hostile values in one property meet otherwise valid bodies. */
function plausible(schema: Schema | undefined, doc: Document, depth = 0): unknown {
  const s = resolve(schema, doc);
  if (!s || depth > 4) return null;
  if (s.default !== undefined) return s.default;
  if (s.enum?.length) return s.enum[0];
  const variant = s.anyOf?.[0] ?? s.oneOf?.[0];
  if (variant) return plausible(variant, doc, depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t) => t !== "null") : s.type;
  switch (type) {
    case "object":
      return Object.fromEntries(
        Object.entries(s.properties ?? {})
          .filter(([name]) => s.required?.includes(name))
          .map(([name, property]) => [name, plausible(property, doc, depth + 1)]),
      );
    case "array":
      return [plausible(s.items, doc, depth + 1)];
    case "integer":
    case "number":
      return s.minimum !== undefined && s.minimum > 0 ? s.minimum : 1;
    case "boolean":
      return true;
    case "string":
      if (s.format === "uuid") return crypto.randomUUID();
      if (s.format === "email") return `fuzz-${crypto.randomUUID().slice(0, 8)}@example.com`;
      if (s.format === "date-time") return new Date().toISOString();
      if (s.format === "uri") return "https://example.com/feed.csv";
      return "fuzz";
    default:
      return null;
  }
}

interface Probe {
  label: string;
  method: string;
  path: string;
  body?: string;
  headers?: Record<string, string>;
}

function probesFor(path: string, method: string, operation: Operation, doc: Document): Probe[] {
  const probes: Probe[] = [];
  const params = operation.parameters ?? [];
  const concrete = path.replace(/\{[^}]+\}/g, () => crypto.randomUUID());
  const pathParams = params.filter((p) => p.in === "path");
  for (const param of pathParams) {
    for (const value of HOSTILE_URL_VALUES) {
      const hostilePath = path.replace(`{${param.name}}`, value).replace(
        /\{[^}]+\}/g,
        () => crypto.randomUUID(),
      );
      probes.push({ label: `path ${param.name}=${value.slice(0, 20)}`, method, path: hostilePath });
    }
  }
  for (const param of params.filter((p) => p.in === "query")) {
    for (const value of HOSTILE_URL_VALUES) {
      probes.push({
        label: `query ${param.name}=${value.slice(0, 20)}`,
        method,
        path: `${concrete}?${param.name}=${value}`,
      });
    }
    probes.push({
      label: `query ${param.name} twice`,
      method,
      path: `${concrete}?${param.name}=1&${param.name}=2`,
    });
  }
  const json = operation.requestBody?.content?.["application/json"];
  if (json) {
    const schema = resolve(json.schema, doc);
    const base = (plausible(schema, doc) ?? {}) as Record<string, unknown>;
    for (const name of Object.keys(schema?.properties ?? {})) {
      const rest = Object.entries(base).filter(([key]) => key !== name).map(([key, value]) =>
        `${JSON.stringify(key)}:${JSON.stringify(value)}`
      );
      for (const value of HOSTILE_JSON_VALUES) {
        probes.push({
          label: `body ${name}=${value.slice(0, 20)}`,
          method,
          path: concrete,
          body: `{${[...rest, `${JSON.stringify(name)}:${value}`].join(",")}}`,
          headers: { "content-type": "application/json" },
        });
      }
    }
    for (const body of HOSTILE_BODIES) {
      for (const type of ["application/json", "text/plain"]) {
        probes.push({
          label: `body ${body.slice(0, 20)} as ${type}`,
          method,
          path: concrete,
          body,
          headers: { "content-type": type },
        });
      }
    }
  }
  for (const headers of HOSTILE_HEADERS) {
    probes.push({
      label: `headers ${Object.keys(headers).join(",")}`,
      method,
      path: concrete,
      headers,
      body: json ? "{}" : undefined,
    });
  }
  return probes;
}

const entries = await functionEntries();

for (const entry of entries) {
  dbTest(`${entry.name}: hostile input to every documented route answers below 500`, async () => {
    const doc = (await api(`${entry.name}/openapi.json`)).body as Document;
    const admin = await tokenFor("admin");
    const service = await serviceRoleKey();
    const failures: string[] = [];
    const probes = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.entries(operations).map(([method, operation]) => ({ path, method, operation }))
    ).flatMap(({ path, method, operation }) =>
      probesFor(path, method.toUpperCase(), operation, doc).map((probe) => ({
        probe,
        token: operation.description?.includes("Service key only") ? service : admin,
      }))
    );
    assert.ok(probes.length > 0);
    let next = 0;
    const worker = async () => {
      while (next < probes.length) {
        const { probe, token } = probes[next++];
        const headers = new Headers({ authorization: `Bearer ${token}`, "x-forwarded-for": uniqueIp() });
        for (const [name, value] of Object.entries(probe.headers ?? {})) headers.set(name, value);
        const response = await fetch(`${FUNCTIONS_URL}${probe.path}`, {
          method: probe.method,
          headers,
          body: probe.body,
        }).catch((error) => new Response(String(error), { status: 599 }));
        const text = await response.text();
        if (response.status >= 500) {
          failures.push(
            `${probe.method} ${probe.path.slice(0, 80)} [${probe.label}] -> ${response.status} ${
              text.slice(0, 160)
            }`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: 6 }, worker));
    assert.deepEqual(failures, [], `${failures.length} of ${probes.length} probes reached a 5xx`);
  });
}
