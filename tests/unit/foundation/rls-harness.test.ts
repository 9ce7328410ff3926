// The RLS proof through shared/db.ts: asUser runs queries exactly as the Data API would.
import "../../support/function-env.ts";
import assert from "node:assert/strict";
import { asService, asUser, type Claims } from "../../../shared/db.ts";
import { createUser, dbTest } from "../../support/harness.ts";

const claimsOf = (user: { id: string; email: string }): Claims => ({
  sub: user.id,
  email: user.email,
  role: "authenticated",
  user_role: null,
});

dbTest("a customer reads and changes only their own profile", async () => {
  const alice = await createUser();
  const bob = await createUser();
  const visible = await asUser(claimsOf(alice), (tx) => tx`select id from public.profiles`);
  assert.deepEqual(visible.map((row) => row.id), [alice.id]);

  const changed = await asUser(
    claimsOf(alice),
    (tx) => tx`update public.profiles set display_name = 'mallory' where id = ${bob.id} returning id`,
  );
  assert.equal(changed.length, 0);
  const own = await asUser(
    claimsOf(alice),
    (tx) =>
      tx`update public.profiles set display_name = 'Alice' where id = ${alice.id} returning display_name`,
  );
  assert.equal(own[0].display_name, "Alice");

  const [bobRow] = await asService((tx) => tx`select display_name from public.profiles where id = ${bob.id}`);
  assert.equal(bobRow.display_name, null, "bob's row is untouched");
});

dbTest("anon cannot read profiles at all", async () => {
  await assert.rejects(
    () => asUser({ role: "anon" }, (tx) => tx`select * from public.profiles`),
    (error: { code?: string }) => error.code === "42501",
  );
});

dbTest("service_role reads every profile", async () => {
  const alice = await createUser();
  const bob = await createUser();
  const rows = await asUser(
    { role: "service_role" },
    (tx) => tx`select id from public.profiles where id in (${alice.id}, ${bob.id})`,
  );
  assert.equal(rows.length, 2);
});

dbTest("asUser refuses roles the Data API would never use", async () => {
  await assert.rejects(() => asUser({ role: "postgres" }, (tx) => tx`select 1`), /refusing database role/);
});

dbTest("claims are scoped to the transaction", async () => {
  const alice = await createUser();
  const [inside] = await asUser(claimsOf(alice), (tx) => tx`select auth.uid() as uid, current_user as role`);
  assert.equal(inside.uid, alice.id);
  assert.equal(inside.role, "authenticated");
  const [after] = await asService((tx) => tx`select auth.uid() as uid, current_user as role`);
  assert.equal(after.uid, null);
  assert.equal(after.role, "postgres");
});
