// Private-channel authorization as supabase/realtime does it (Realtime.Tenants.Authorization):
// inside a transaction that is always rolled back, insert probe rows for the topic (one per
// extension), switch to the joining user's role and claims, and select the probes back under RLS on
// realtime.messages. A probe that comes back grants read for its extension. Writes are checked by
// inserting under the user's role: an RLS refusal (42501) denies.
import type postgres from "postgres";
import type { Claims } from "./tokens.ts";

export interface Policies {
  broadcastRead: boolean;
  presenceRead: boolean;
}

export type AuthorizationFailure =
  | { code: "MissingPartition"; message: string }
  | { code: "RlsPolicyError"; message: string }
  | { code: "UnableToConnectToProject"; message: string };

export class AuthorizationError extends Error {
  constructor(readonly failure: AuthorizationFailure) {
    super(`${failure.code}: ${failure.message}`);
  }
}

class Rollback extends Error {}

function connectionSettings(tx: postgres.TransactionSql, topic: string, claims: Claims, headers: object) {
  const role = claims.role;
  return tx`
    select set_config('role', ${role}, true),
           set_config('realtime.topic', ${topic}, true),
           set_config('request.jwt.claims', ${JSON.stringify(claims)}, true),
           set_config('request.jwt.claim.sub', ${claims.sub ?? ""}, true),
           set_config('request.jwt.claim.role', ${role}, true),
           set_config('request.headers', ${JSON.stringify(headers)}, true)`;
}

function classify(error: unknown): AuthorizationError {
  const code = (error as { code?: string }).code;
  if (code === "23514") {
    return new AuthorizationError({
      code: "MissingPartition",
      message: "Realtime was unable to find the expected messages partition",
    });
  }
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return new AuthorizationError({ code: "RlsPolicyError", message: (error as Error).message });
  }
  return new AuthorizationError({
    code: "UnableToConnectToProject",
    message: "Realtime was unable to connect to the project database",
  });
}

export async function readPolicies(
  sql: postgres.Sql,
  topic: string,
  claims: Claims,
  headers: object = {},
): Promise<Policies> {
  const broadcastId = crypto.randomUUID();
  const presenceId = crypto.randomUUID();
  let policies: Policies | undefined;
  try {
    await sql.begin(async (tx) => {
      await tx`
        insert into realtime.messages (id, topic, extension)
        values (${broadcastId}, ${topic}, 'broadcast'), (${presenceId}, ${topic}, 'presence')`;
      await connectionSettings(tx, topic, claims, headers);
      const visible = new Set(
        (await tx`select id from realtime.messages where id in (${broadcastId}, ${presenceId})`).map((row) =>
          row.id as string
        ),
      );
      policies = { broadcastRead: visible.has(broadcastId), presenceRead: visible.has(presenceId) };
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw classify(error);
  }
  return policies!;
}

export async function canWriteBroadcast(
  sql: postgres.Sql,
  topic: string,
  claims: Claims,
  headers: object = {},
): Promise<boolean> {
  let allowed = false;
  try {
    await sql.begin(async (tx) => {
      await connectionSettings(tx, topic, claims, headers);
      try {
        await tx.savepoint((sp) =>
          sp`insert into realtime.messages (topic, extension) values (${topic}, 'broadcast')`
        );
        allowed = true;
      } catch (error) {
        if ((error as { code?: string }).code !== "42501") throw error;
      }
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) throw classify(error);
  }
  return allowed;
}
