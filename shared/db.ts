// One postgres.js pool per isolate. `prepare: false` because Supabase's pooler (Supavisor) runs in
// transaction mode, where named prepared statements do not survive between transactions.
import postgres from "postgres";
import { env } from "./env.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** The JWT claims PostgREST would put into `request.jwt.claims`. */
export interface Claims {
  role: string;
  sub?: string;
  email?: string;
  user_role?: string | null;
  [claim: string]: unknown;
}

const API_ROLES = new Set(["anon", "authenticated", "service_role"]);

let pool: Sql | undefined;

export function db(): Sql {
  pool ??= postgres(env().SUPABASE_DB_URL, {
    prepare: false,
    max: env().DB_POOL_MAX,
    idle_timeout: 30,
    connect_timeout: 5,
    onnotice: () => {},
    connection: { application_name: "powerbase-functions" },
  });
  return pool;
}

/**
 * Runs `work` in a transaction under the caller's role and claims, exactly as the Data API does
 * (`set local role` + `request.jwt.claims`), so every RLS policy applies.
 */
export function asUser<T>(claims: Claims, work: (tx: Tx) => Promise<T>): Promise<T> {
  if (!API_ROLES.has(claims.role)) {
    return Promise.reject(new Error(`asUser: refusing database role "${claims.role}"`));
  }
  return db().begin(async (tx) => {
    await tx`
      select set_config('role', ${claims.role}, true),
             set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
             set_config('statement_timeout', '8s', true)`;
    return await work(tx);
  }) as Promise<T>;
}

/** Runs `work` in a transaction as the functions' own database user: for webhooks and pipelines. */
export function asService<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().begin(work) as Promise<T>;
}

const QUALIFIED_NAME = /^[a-z_][a-z0-9_]*\.[a-z_][a-z0-9_]*$/;
const ARGUMENT_NAME = /^[a-z_][a-z0-9_]*$/;

type Runner = Sql | Tx;
/** Named arguments (`{ usage_kwh: [900] }` → `usage_kwh => $1`), or positional ones in signature order. */
export type RpcArgs = Record<string, unknown> | readonly unknown[];

function isJsonValue(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (value instanceof Date || value instanceof Uint8Array) return false;
  // Arrays of scalars are Postgres arrays (int[], text[]); arrays of objects are json(b).
  if (Array.isArray(value)) return value.some((item) => item !== null && typeof item === "object");
  return true;
}

/**
 * `fn(name => $1, ...)`: named arguments, so the call reads like the SQL signature and a reordered
 * parameter list cannot shift values. Scalars and arrays of scalars go as untyped parameters and
 * Postgres resolves them from the signature (no hand-written casts); objects and arrays of objects
 * go as JSON. Names are checked against a strict pattern because they become identifiers.
 */
function call(runner: Runner, fn: string, args: RpcArgs) {
  if (!QUALIFIED_NAME.test(fn)) throw new Error(`rpc: "${fn}" is not a schema-qualified function name`);
  const [schema, name] = fn.split(".");
  // postgres.js types parameters by their JS type; the values here are checked at runtime instead.
  const param = (value: unknown) =>
    (isJsonValue(value) ? runner.json(value as postgres.JSONValue) : value) as postgres.SerializableParameter;
  const fragments = Array.isArray(args)
    ? args.map((value) => runner`${param(value)}`)
    : Object.entries(args).filter(([, value]) => value !== undefined).map(([arg, value]) => {
      if (!ARGUMENT_NAME.test(arg)) throw new Error(`rpc: "${arg}" is not an argument name`);
      return runner`${runner(arg)} => ${param(value)}`;
    });
  const list = fragments.reduce(
    (all, fragment, index) => index ? runner`${all}, ${fragment}` : fragment,
    runner``,
  );
  return runner`${runner(schema)}.${runner(name)}(${list})`;
}

/**
 * Calls a function that returns one value (json, jsonb, a scalar) and returns it:
 * `await rpc<Summary>(tx, "energy.compare_plans", { usage_kwh: [900], zip: "75001" })`.
 * Named arguments left undefined are omitted, so the function's defaults apply. Positional arguments
 * (`rpc(tx, "tracking.analytics_overview", [from, to])`) suit the shared conventions' fixed shapes,
 * such as an analytics window, whose parameter names are the owner's business.
 */
export async function rpc<T>(runner: Runner, fn: string, args: RpcArgs = {}): Promise<T> {
  const [row] = await runner`select ${call(runner, fn, args)} as result`;
  return row.result as T;
}

/** Calls a set-returning function and returns its rows: `select * from fn(...)`. */
export async function rpcRows<T extends object>(
  runner: Runner,
  fn: string,
  args: RpcArgs = {},
): Promise<T[]> {
  return await runner<T[]>`select * from ${call(runner, fn, args)}`;
}

/** `rpc` in a transaction as the caller (RLS applies): the common shape of a handler's one call. */
export function rpcAs<T>(claims: Claims, fn: string, args: RpcArgs = {}): Promise<T> {
  return asUser(claims, (tx) => rpc<T>(tx, fn, args));
}
