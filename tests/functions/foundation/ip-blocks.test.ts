// Automated blocking through the stack: 50 failed requests from one address block it (403
// ip_blocked with Retry-After on every function), admins list and lift the block, others may not.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { failureKey } from "../../../shared/ipblock.ts";
import { redis } from "../../../shared/redis.ts";
import { api, dbTest, envelope, eventually, sql, tokenFor, uniqueIp } from "../../support/harness.ts";

dbTest("50 validation failures block the address; an admin lists and lifts the block", async () => {
  const ip = uniqueIp();
  for (let i = 0; i < 50; i++) {
    const response = await api("plans/compare", { body: { usageKwh: -1 }, ip });
    assert.equal(response.status, 422, response.text);
  }
  const blocked = await eventually(async () => {
    const response = await api("search/autocomplete?q=hous", { ip });
    return response.status === 403 ? response : null;
  });
  assert.equal(envelope(blocked).code, "ip_blocked");
  assert.ok(Number(blocked.headers.get("retry-after")) >= 1);
  // Every function refuses it, whatever it asks.
  assert.equal(
    envelope(await api("health/status", { ip, token: await tokenFor("admin") })).code,
    "ip_blocked",
  );
  const [block] = await sql()`select reason, failures from ops.ip_blocks where ip = ${ip}::inet`;
  assert.deepEqual({ ...block }, { reason: "status_422", failures: 50 });

  const admin = await tokenFor("admin");
  const listed = await api("health/ip-blocks", { token: admin });
  assert.equal(listed.status, 200, listed.text);
  assert.ok(listed.body.blocks.some((b: { ip: string }) => b.ip === ip));
  for (const user of ["analyst", "customer"] as const) {
    assert.equal((await api("health/ip-blocks", { token: await tokenFor(user) })).status, 403);
    const refused = await api(`health/ip-blocks/${ip}`, { method: "DELETE", token: await tokenFor(user) });
    assert.equal(refused.status, 403);
  }
  assert.equal((await api("health/ip-blocks")).status, 401);

  const lifted = await api(`health/ip-blocks/${ip}`, { method: "DELETE", token: admin });
  assert.equal(lifted.status, 200, lifted.text);
  assert.equal(lifted.body.lifted[0].ip, ip);
  const again = await api(`health/ip-blocks/${ip}`, { method: "DELETE", token: admin });
  assert.equal(again.status, 404);
  await eventually(async () => (await api("search/autocomplete?q=hous", { ip })).status === 200);
  const [record] = await sql()`select lifted_by from ops.ip_blocks where ip = ${ip}::inet`;
  assert.equal(record.lifted_by, "00000000-0000-4000-8000-00000000ad01");
  const kinds = await sql()`select kind from ops.security_events where ip = ${ip}::inet order by id`;
  assert.deepEqual(kinds.map((k) => k.kind).filter((k) => k.startsWith("ip_")), [
    "ip_blocked",
    "ip_unblocked",
  ]);
});

dbTest("a filled honeypot counts towards the block like a validation failure", async () => {
  const ip = uniqueIp();
  const response = await api("leads", {
    body: {
      kind: "consumer",
      firstName: "Bot",
      email: `hp-${crypto.randomUUID()}@example.com`,
      zip: "77002",
      consent: true,
      consentVersion: "2026-01",
      formType: "quote",
      website: "https://spam.example",
    },
    ip,
  });
  assert.equal(envelope(response).code, "spam_detected");
  assert.equal(Number(await eventually(async () => await redis().get<number>(failureKey(ip)))), 1);
});
