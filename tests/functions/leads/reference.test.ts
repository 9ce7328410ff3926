// The lists a caller needs to build leads requests: sources (for imports) and offices with their
// owners (for filters and assignments); staff only.
import assert from "node:assert/strict";
import { api, dbTest, sql, tokenFor } from "../../support/harness.ts";

dbTest("staff list lead sources and offices with their owners; others are refused", async () => {
  const token = await tokenFor("sales");
  const sources = await api("leads/sources", { token });
  assert.equal(sources.status, 200, sources.text);
  const [{ count: sourceCount }] = await sql()`select count(*)::int as count from leads.sources`;
  assert.equal(sources.body.sources.length, sourceCount);
  assert.ok(sourceCount > 0, "the reference data has sources");
  const offices = await api("leads/offices", { token: await tokenFor("admin") });
  assert.equal(offices.status, 200, offices.text);
  const members = await sql()`
    select office_id, user_id from leads.office_members where active order by office_id, user_id`;
  const listed = offices.body.offices.flatMap((office: { id: string; owners: { userId: string }[] }) =>
    office.owners.map((owner) => `${office.id}/${owner.userId}`)
  ).sort();
  assert.deepEqual(listed, members.map((m) => `${m.office_id}/${m.user_id}`).sort());
  for (const path of ["leads/sources", "leads/offices"]) {
    assert.equal((await api(path)).status, 401);
    assert.equal((await api(path, { token: await tokenFor("customer") })).status, 403);
  }
});
