// The new API keys through the gateway: pipeline (verify_jwt = false) verifies its caller itself, so
// the sb_secret_ key pg_cron sends from Vault is accepted, the legacy service JWT too, and nothing
// else; the publishable key is the anonymous caller everywhere.
import assert from "node:assert/strict";
import { localApiKeys } from "../../../supabase/local/stack.ts";
import { api, dbTest, envelope, serviceRoleKey, sql, tokenFor } from "../../support/harness.ts";

dbTest("pipeline answers the sb_secret_ key and the legacy service JWT, refuses the rest", async () => {
  const keys = await localApiKeys();
  for (const token of [keys.secret, await serviceRoleKey()]) {
    const response = await api("pipeline", { token });
    assert.equal(response.status, 200, response.text);
    assert.ok(response.body.jobs.some((job: { name: string }) => job.name === "plans-import"));
  }
  const viaApikey = await api("pipeline", { headers: { apikey: keys.secret } });
  assert.equal(viaApikey.status, 200, viaApikey.text);
  const anonymous = await api("pipeline");
  assert.equal(anonymous.status, 401);
  assert.equal(envelope(anonymous).code, "unauthorized");
  assert.equal(anonymous.headers.get("www-authenticate"), 'Bearer realm="powerbase"');
  assert.equal((await api("pipeline", { headers: { apikey: keys.publishable } })).status, 401);
  assert.equal(envelope(await api("pipeline", { token: `${keys.secret}0` })).code, "unauthorized");
  const admin = await api("pipeline", { token: await tokenFor("admin") });
  assert.equal(admin.status, 403);
  assert.equal(envelope(admin).code, "forbidden");
});

dbTest("the publishable key is the anonymous caller; a user token beside it is the user", async () => {
  const keys = await localApiKeys();
  const search = await api("search/autocomplete?q=austin", { headers: { apikey: keys.publishable } });
  assert.equal(search.status, 200, search.text);
  const staffOnly = await api("leads", { headers: { apikey: keys.publishable } });
  assert.equal(staffOnly.status, 401);
  const analyst = await api("leads?limit=1", {
    headers: { apikey: keys.publishable },
    token: await tokenFor("analyst"),
  });
  assert.equal(analyst.status, 200, analyst.text);
});

dbTest("Vault holds the new secret key for pg_cron's pipeline calls", async () => {
  const [secret] = await sql()`
    select decrypted_secret from vault.decrypted_secrets where name = 'service_role_key'`;
  assert.equal(secret.decrypted_secret, (await localApiKeys()).secret);
});
