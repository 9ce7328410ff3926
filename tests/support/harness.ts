// What Deno tests share: the running local stack's addresses, a database connection for
// arrangements and assertions, tokens minted like Supabase Auth's, an HTTP helper for functions, and
// a scaffold for local fake third-party servers.
import postgres from "postgres";
import { anonKey, serviceRoleKey, stackConfig } from "../../supabase/local/stack.ts";
import { type MintOptions, mintUserToken } from "../../supabase/local/tokens.ts";

export const config = stackConfig();
export const FUNCTIONS_URL = `${config.apiUrl}/functions/v1`;
export { anonKey, serviceRoleKey };

/** A test whose resources (pooled connections, servers) outlive single tests by design. */
export function dbTest(name: string, fn: (t: Deno.TestContext) => Promise<void>): void {
  Deno.test({ name, fn, sanitizeOps: false, sanitizeResources: false });
}

let pool: postgres.Sql | undefined;
/** A superuser connection to the local database, for arranging data and checking outcomes. */
export function sql(): postgres.Sql {
  pool ??= postgres(config.dbUrl, { max: 4, prepare: false, onnotice: () => {} });
  return pool;
}

/**
 * A dedicated single superuser connection, for a session a test must hold (an open transaction, a
 * lock) or find by name in pg_stat_activity. The caller ends it.
 */
export function ownConnection(applicationName?: string): postgres.Sql {
  return postgres(config.dbUrl, {
    max: 1,
    prepare: false,
    onnotice: () => {},
    ...(applicationName ? { connection: { application_name: applicationName } } : {}),
  });
}

export const DEV_USERS = {
  admin: "00000000-0000-4000-8000-00000000ad01",
  analyst: "00000000-0000-4000-8000-00000000a501",
  sales: "00000000-0000-4000-8000-000000005a01",
  support: "00000000-0000-4000-8000-000000005b01",
  customer: "00000000-0000-4000-8000-00000000c001",
} as const;

/** A token for one of the seeded dev users, minted through the custom access token hook. */
export function tokenFor(user: keyof typeof DEV_USERS, options: MintOptions = {}): Promise<string> {
  return mintUserToken(sql(), DEV_USERS[user], options, config);
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
}

/** Creates an auth user (profile trigger included) with an optional staff role, and a token. */
export async function createUser(options: { email?: string; staffRole?: string } = {}): Promise<TestUser> {
  const id = crypto.randomUUID();
  const email = options.email ?? `user-${id.slice(0, 8)}@test.local`;
  await sql()`
    insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
    values (${id}, 'authenticated', 'authenticated', ${email}, '{"provider":"email"}', '{}')`;
  if (options.staffRole) {
    await sql()`insert into private.user_roles (user_id, role) values (${id}, ${options.staffRole})`;
  }
  return { id, email, token: await mintUserToken(sql(), id, {}, config) };
}

/** A random client address, so rate-limit buckets of unrelated tests never meet. */
export function uniqueIp(): string {
  const octet = () => Math.floor(Math.random() * 254) + 1;
  return `10.${octet()}.${octet()}.${octet()}`;
}

// deno-lint-ignore no-explicit-any -- test responses are inspected field by field
export interface ApiResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

export interface ApiOptions {
  method?: string;
  token?: string;
  /** A value to send as JSON, or a string / bytes to send as they are. */
  body?: unknown;
  headers?: Record<string, string>;
  ip?: string;
}

/** Calls a function through the local gateway: api("health/status", { token }). */
// deno-lint-ignore no-explicit-any -- see ApiResponse
export async function api<T = any>(path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers);
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  headers.set("x-forwarded-for", options.ip ?? uniqueIp());
  let body: BodyInit | undefined;
  if (typeof options.body === "string" || options.body instanceof Uint8Array) {
    body = options.body as BodyInit;
  } else if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  const response = await fetch(`${FUNCTIONS_URL}/${path.replace(/^\//, "")}`, {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body,
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch { /* not JSON: keep the text */ }
  return { status: response.status, headers: response.headers, body: parsed as T, text };
}

/** Asserts the error envelope shape and returns the error object. */
export function envelope(
  response: ApiResponse,
): { code: string; message: string; details: unknown[]; requestId: string } {
  const error = (response.body as { error?: Record<string, unknown> })?.error;
  if (
    !error || typeof error.code !== "string" || typeof error.message !== "string" ||
    !Array.isArray(error.details) ||
    typeof error.requestId !== "string"
  ) {
    throw new Error(`not an error envelope (status ${response.status}): ${response.text.slice(0, 300)}`);
  }
  return error as ReturnType<typeof envelope>;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  body: string;
}

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

/** A local HTTP server standing in for a third-party API; records every request it receives. */
export function startFakeServer(
  handler: (request: RecordedRequest) => Response | Promise<Response>,
): FakeServer {
  const requests: RecordedRequest[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    const recorded = {
      method: request.method,
      path: new URL(request.url).pathname + new URL(request.url).search,
      headers: request.headers,
      body: await request.text(),
    };
    requests.push(recorded);
    return handler(recorded);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    close: () => server.shutdown(),
  };
}

/** Polls until `check` returns a truthy value or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
