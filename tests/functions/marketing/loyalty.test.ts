// Loyalty over HTTP: /loyalty/me for the caller, and 20 concurrent redemptions by one customer never
// drive the balance below zero (exactly as many succeed as the balance pays for).
import assert from "node:assert/strict";
import { api, createUser, dbTest, envelope, sql, tokenFor } from "../../support/harness.ts";

dbTest("GET /loyalty/me answers for the caller only; anonymous is a 401", async () => {
  const me = await api("loyalty/me", { token: await tokenFor("customer") });
  assert.equal(me.status, 200, me.text);
  assert.equal(me.body.tier, "GREEN");
  assert.equal(me.body.balance, 740, "the seed's sign-up (100) and order (640) points");
  assert.equal((await api("loyalty/me")).status, 401);
});

dbTest("20 concurrent redemptions by one customer never overspend", async () => {
  const user = await createUser();
  // Three purchases (the second crosses SILVER: a 100-point bonus, then x1.25); the reward costs 300.
  for (const [key, amount] of [["a", 500], ["b", 700], ["c", 800]] as const) {
    await sql()`select marketing.loyalty_earn(${user.id}, 'purchase', ${`http-test:${user.id}:${key}`}, ${amount})`;
  }
  const [before] = await sql()`
    select sum(remaining)::int as points from marketing.points_lots where user_id = ${user.id} and status = 'available'`;
  assert.equal(before.points, 2300);
  await sql()`
    insert into marketing.rewards (slug, name, cost_points) values ('http-test-300', 'Test reward', 300)
    on conflict (slug) do nothing`;
  const keys = Array.from({ length: 20 }, (_, i) => `concurrent-${i}-${user.id.slice(0, 8)}`);
  const answers = await Promise.all(
    keys.map((idempotencyKey) =>
      api("loyalty/redeem", { token: user.token, body: { reward: "http-test-300", idempotencyKey } })
    ),
  );
  const statuses = answers.map((a) => a.status);
  assert.equal(statuses.filter((s) => s === 201).length, 7, statuses.join(","));
  assert.equal(statuses.filter((s) => s === 409).length, 13);
  for (const refused of answers.filter((a) => a.status === 409)) {
    assert.equal(envelope(refused).code, "insufficient_points");
  }
  const [after] = await sql()`
    select coalesce(sum(remaining), 0)::int as points, min(remaining) as lowest from marketing.points_lots where user_id = ${user.id}`;
  assert.equal(after.points, 200);
  assert.ok(after.lowest >= 0);
  const [ledger] =
    await sql()`select sum(points)::int as total from marketing.points_ledger where user_id = ${user.id}`;
  assert.equal(ledger.total, 200, "the ledger adds up to the balance");

  const succeeded = keys[statuses.indexOf(201)];
  const repeat = await api("loyalty/redeem", {
    token: user.token,
    body: { reward: "http-test-300", idempotencyKey: succeeded },
  });
  assert.equal(repeat.status, 200, "a repeated key answers the first redemption");
  assert.equal(repeat.body.duplicate, true);
  assert.equal(
    (await sql()`select count(*)::int as n from marketing.redemptions where user_id = ${user.id}`)[0].n,
    7,
  );
});
