// The OpenAPI-driven fuzzer: for each operation of a document, each declared query and path
// parameter, each body property and each credential header gets hostile values (NUL, lone
// surrogates, invalid UTF-8 escapes, numbers out of range, huge and duplicated values, deep nesting,
// duplicate keys). It runs against anything that answers a Request — the local stack through the
// gateway (tests/functions/foundation/fuzz.serial.test.ts) or an app in-process
// (tests/functions/docs/fuzzer.test.ts proves it reports a route that answers 500) — and reports
// every probe that reached a 5xx.

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
export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
  description?: string;
}
export type Document = {
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

export interface Probe {
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

/** Sends one probe: a path (with query, already percent-encoded) and the request's init. */
export type Send = (path: string, init: RequestInit) => Promise<Response>;

/** The stack's (or any server's) functions behind a base URL, e.g. FUNCTIONS_URL. */
export const sendTo = (baseUrl: string): Send => (path, init) => fetch(`${baseUrl}${path}`, init);

/** An app's fetch handler in-process (Hono's app.fetch), without a server. */
export const sendToApp = (fetchHandler: (request: Request) => Response | Promise<Response>): Send =>
(
  path,
  init,
) => Promise.resolve(fetchHandler(new Request(`http://fuzz.local${path}`, init)));

export interface FuzzOptions {
  document: Document;
  send: Send;
  /** The Authorization bearer for an operation (e.g. the service key for service-only routes). */
  tokenFor: (operation: Operation) => string;
  /** A client address per probe, so rate limits and address blocks of one probe never meet another's. */
  clientIp: () => string;
  concurrency?: number;
}

export interface FuzzFailure {
  method: string;
  /** The documented path, e.g. /track/events or /orders/{id}. */
  route: string;
  label: string;
  path: string;
  status: number;
  body: string;
}

export interface FuzzReport {
  probes: number;
  failures: FuzzFailure[];
}

/** Every probe of every operation of the document; a 5xx (or a failed fetch, as 599) is a failure. */
export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { document } = options;
  const probes = Object.entries(document.paths).flatMap(([route, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({ route, method, operation }))
  ).flatMap(({ route, method, operation }) =>
    probesFor(route, method.toUpperCase(), operation, document).map((probe) => ({
      route,
      probe,
      token: options.tokenFor(operation),
    }))
  );
  const failures: FuzzFailure[] = [];
  let next = 0;
  const worker = async () => {
    while (next < probes.length) {
      const { route, probe, token } = probes[next++];
      const headers = new Headers({
        authorization: `Bearer ${token}`,
        "x-forwarded-for": options.clientIp(),
      });
      for (const [name, value] of Object.entries(probe.headers ?? {})) headers.set(name, value);
      const response = await options.send(probe.path, { method: probe.method, headers, body: probe.body })
        .catch((error) => new Response(String(error), { status: 599 }));
      const text = await response.text();
      if (response.status >= 500) {
        failures.push({
          method: probe.method,
          route,
          label: probe.label,
          path: probe.path,
          status: response.status,
          body: text.slice(0, 160),
        });
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 6 }, worker));
  return { probes: probes.length, failures };
}

/** One line per failure, for assertion messages. */
export const describeFailures = (failures: FuzzFailure[]): string[] =>
  failures.map((f) => `${f.method} ${f.path.slice(0, 80)} [${f.label}] -> ${f.status} ${f.body}`);
