import assert from "node:assert/strict";
import { ConfigError, parseEnv } from "../../../shared/env.ts";

const complete = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  SUPABASE_ANON_KEY: "anon-key-anon-key-anon-key",
  SUPABASE_SERVICE_ROLE_KEY: "service-key-service-key-service",
  UPSTASH_REDIS_REST_URL: "http://127.0.0.1:8079",
  UPSTASH_REDIS_REST_TOKEN: "token",
};

Deno.test("a complete environment parses, with defaults", () => {
  const env = parseEnv(complete);
  assert.equal(env.SUPABASE_URL, complete.SUPABASE_URL);
  assert.equal(env.DB_POOL_MAX, 10);
});

Deno.test("a missing variable fails fast and names itself", () => {
  const { SUPABASE_DB_URL: _missing, ...rest } = complete;
  assert.throws(() => parseEnv(rest), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.variables, ["SUPABASE_DB_URL"]);
    assert.match(error.message, /SUPABASE_DB_URL is missing/);
    return true;
  });
});

Deno.test("a malformed variable names itself and says what is wrong", () => {
  assert.throws(
    () => parseEnv({ ...complete, SUPABASE_DB_URL: "mysql://nope", JWT_SECRET: "short" }),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.variables.sort(), ["JWT_SECRET", "SUPABASE_DB_URL"]);
      return true;
    },
  );
});
