// Access tokens shaped like the ones Supabase Auth issues: claims built the way GoTrue builds them,
// passed through public.custom_access_token_hook (which adds user_role), then signed.
import type postgres from "postgres";
import { signEs256, signHs256, type StackConfig, stackConfig } from "./stack.ts";

export interface MintOptions {
  /** Seconds until expiry (default one hour, Supabase's jwt_expiry). */
  expiresIn?: number;
  algorithm?: "HS256" | "ES256";
}

export async function userClaims(sql: postgres.Sql, userId: string, config: StackConfig = stackConfig()) {
  const [user] = await sql`
    select id, email, coalesce(phone, '') as phone, raw_app_meta_data, raw_user_meta_data, is_anonymous
    from auth.users where id = ${userId}`;
  if (!user) throw new Error(`no auth.users row for ${userId}`);
  const now = Math.floor(Date.now() / 1000);
  const claims = {
    iss: `${config.apiUrl}/auth/v1`,
    aud: "authenticated",
    sub: user.id,
    email: user.email,
    phone: user.phone,
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: "authenticated",
    aal: "aal1",
    amr: [{ method: "password", timestamp: now }],
    session_id: crypto.randomUUID(),
    is_anonymous: user.is_anonymous,
    iat: now,
  };
  const [{ event }] = await sql`
    select public.custom_access_token_hook(
      jsonb_build_object('user_id', ${userId}::text, 'claims', ${
    sql.json(claims)
  }::jsonb, 'authentication_method', 'password')
    ) as event`;
  return event.claims as Record<string, unknown>;
}

export async function mintUserToken(
  sql: postgres.Sql,
  userId: string,
  options: MintOptions = {},
  config: StackConfig = stackConfig(),
): Promise<string> {
  const claims = await userClaims(sql, userId, config);
  claims.exp = Math.floor(Date.now() / 1000) + (options.expiresIn ?? 3600);
  return options.algorithm === "ES256" ? signEs256(claims, config) : signHs256(claims);
}
