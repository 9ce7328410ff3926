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
