// The RPC calls behind the analytics function. Every read runs through
// asUser with the caller's claims, so the rollup policies (analyst/admin) apply in the database too.
import type { Claims, Tx } from "../db.ts";
import { asUser } from "../db.ts";

/** Runs one analytics RPC as the caller and returns its jsonb result. */
export function callAnalytics<T>(claims: Claims, query: (tx: Tx) => Promise<{ result: T }[]>): Promise<T> {
  return asUser(claims, async (tx) => {
    const [row] = await query(tx);
    return row.result;
  });
}
