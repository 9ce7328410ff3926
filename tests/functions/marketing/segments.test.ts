// Incremental segment refresh never misses a change whose transaction commits after a refresh ran: the
// change is stamped with its transaction, and a refresh records its snapshot, in which that transaction
// is still running, so the next incremental run reads the late commit. A transaction that refreshes and
// then changes more is re-read too. Membership is read through the staff API, as an analyst sees it.
import assert from "node:assert/strict";
import { api, createUser, dbTest, ownConnection, sql, tokenFor } from "../../support/harness.ts";

async function segmentSize(slug: string): Promise<number> {
  const res = await api("marketing/segments", { token: await tokenFor("analyst") });
  assert.equal(res.status, 200, res.text);
  const segment = res.body.segments.find((s: { slug: string }) => s.slug === slug);
  assert.ok(segment, `segment ${slug} is listed`);
  return segment.size;
}

/**
 * A segment (created through the staff API, refreshed once, empty) of the customers who spent at
 * least a threshold in [from, from + 40,000) that only the calling test's customer will reach (it
 * spends just over it); each test takes its own range, so no test's customer falls in another's.
 */
async function spendersSegment(
  name: string,
  from: number,
): Promise<{ id: string; slug: string; threshold: number }> {
  const threshold = from + Math.floor(Math.random() * 40_000);
  const slug = `${name.toLowerCase().replaceAll(" ", "-")}-${crypto.randomUUID().slice(0, 8)}`;
  const created = await api("marketing/segments", {
    method: "POST",
    token: await tokenFor("admin"),
    body: { slug, name, definition: { field: "total_spent", op: "gte", value: threshold } },
  });
  assert.equal(created.status, 201, created.text);
  await sql()`select marketing.refresh_segments(false, ${created.body.id}::uuid)`;
  assert.equal(await segmentSize(slug), 0);
  return { id: created.body.id, slug, threshold };
}

dbTest("segments: a change committed after an incremental refresh is applied by the next one", async () => {
  const customer = await createUser();
  const { id: segmentId, slug, threshold } = await spendersSegment("Late commit", 900_000);

  // The customer's analytics change in a transaction that stays open across a refresh.
  const late = ownConnection("segments-late-commit");
  try {
    let release!: () => void;
    const held = new Promise<void>((resolve) => release = resolve);
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => written = resolve);
    const transaction = late.begin(async (tx) => {
      await tx`insert into marketing.customer_orders (order_id, user_id, total, placed_at, status)
               values (${"late-" + customer.id}, ${customer.id}, ${threshold + 1}, now(), 'placed')`;
      await tx`select marketing.recompute_customer_analytics(array[${customer.id}::uuid])`;
      written();
      await held;
    });
    await wrote;
    // This refresh cannot see the open change; a refresh keyed on the change's clock would now skip it.
    await sql()`select marketing.refresh_segments(false, ${segmentId}::uuid)`;
    assert.equal(await segmentSize(slug), 0, "an uncommitted change is not applied");
    release();
    await transaction;
  } finally {
    await late.end();
  }

  await sql()`select marketing.refresh_segments(false, ${segmentId}::uuid)`;
  assert.equal(await segmentSize(slug), 1, "the next incremental refresh applies the late commit");
  const [{ n }] = await sql()`
    select count(*)::int as n from marketing.segment_members
    where segment_id = ${segmentId} and user_id = ${customer.id}`;
  assert.equal(n, 1);
  await sql()`delete from marketing.segments where id = ${segmentId}`;
  await sql()`delete from auth.users where id = ${customer.id}`;
});

dbTest("segments: what a transaction changes after its own refresh is applied by the next one", async () => {
  const customer = await createUser();
  const { id: segmentId, slug, threshold } = await spendersSegment("After refresh", 950_000);
  // One transaction: something written, a refresh (it records its snapshot), then the customer's change.
  await sql().begin(async (tx) => {
    await tx`insert into marketing.customer_orders (order_id, user_id, total, placed_at, status)
             values (${"before-" + customer.id}, ${customer.id}, 1, now(), 'placed')`;
    // A newer transaction ends meanwhile (on another connection), so this one's id is below the
    // snapshot's xmax and would pass for ended if the refresh did not count itself as running.
    await sql()`select pg_current_xact_id()`;
    await tx`select marketing.refresh_segments(false, ${segmentId}::uuid)`;
    await tx`insert into marketing.customer_orders (order_id, user_id, total, placed_at, status)
             values (${"after-" + customer.id}, ${customer.id}, ${threshold}, now(), 'placed')`;
    await tx`select marketing.recompute_customer_analytics(array[${customer.id}::uuid])`;
  });
  assert.equal(await segmentSize(slug), 0, "nothing refreshed the change yet");
  await sql()`select marketing.refresh_segments(false, ${segmentId}::uuid)`;
  assert.equal(await segmentSize(slug), 1, "the next incremental refresh applies it");
  await sql()`delete from marketing.segments where id = ${segmentId}`;
  await sql()`delete from auth.users where id = ${customer.id}`;
});
