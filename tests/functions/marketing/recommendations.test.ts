// "Frequently bought together" against the popularity baseline on generated orders with a held-back
// split: 80 % of the orders are recorded as order facts with their baskets and the pairs recomputed
// (the pg_cron job's function); for each held-back order one product asks for recommendations and
// another is hidden. Hit rate at 5 of the recommendations must beat the five most popular training
// products on the same split. The orders come from a seeded generator (bundles of products bought
// together, plus popular products added at random), so the run is reproducible.
import assert from "node:assert/strict";
import { api, createUser, dbTest, envelope, sql } from "../../support/harness.ts";

/** mulberry32: a small seeded PRNG, so the generated orders are the same on every run. */
function seeded(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateOrders(count: number) {
  const random = seeded(20261122);
  const products = Array.from({ length: 48 }, () => crypto.randomUUID());
  const bundles = Array.from({ length: 6 }, (_, b) => products.slice(b * 8, b * 8 + 8));
  // Popularity is skewed (weight 1/rank): a few products sell everywhere, whatever the bundle.
  const weights = products.map((_, rank) => 1 / (rank + 1));
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const popular = () => {
    let r = random() * totalWeight;
    for (let i = 0; i < products.length; i++) if ((r -= weights[i]) <= 0) return products[i];
    return products[0];
  };
  return Array.from({ length: count }, () => {
    const bundle = bundles[Math.floor(random() * bundles.length)];
    const basket = new Set<string>();
    const size = 2 + Math.floor(random() * 2);
    while (basket.size < size) basket.add(bundle[Math.floor(random() * bundle.length)]);
    if (random() < 0.6) basket.add(popular());
    if (random() < 0.3) basket.add(popular());
    return [...basket];
  });
}

dbTest("recommendations: hit rate at 5 beats the popularity baseline on a held-back split", async () => {
  const buyer = await createUser();
  const orders = generateOrders(600);
  const cut = Math.floor(orders.length * 0.8);
  const training = orders.slice(0, cut);
  const heldBack = orders.slice(cut);
  const tag = crypto.randomUUID().slice(0, 8);
  const facts = training.map((_, i) => ({
    orderId: `rec-${tag}-${i}`,
    userId: buyer.id,
    total: 10,
    placedAt: new Date().toISOString(),
    status: "placed",
  }));
  await sql()`select marketing.record_orders(${sql().json(facts)})`;
  const lines = training.flatMap((basket, i) =>
    basket.map((product) => ({ o: `rec-${tag}-${i}`, p: product }))
  );
  await sql()`
    insert into marketing.order_baskets (order_id, product_id, quantity)
    select l ->> 'o', (l ->> 'p')::uuid, 1 from jsonb_array_elements(${sql().json(lines)}::jsonb) l`;
  const [{ pairs }] = await sql()`select marketing.refresh_product_pairs() as pairs`;
  assert.ok(pairs > 0, "pairs are computed");

  const counts = new Map<string, number>();
  for (const basket of training) for (const p of basket) counts.set(p, (counts.get(p) ?? 0) + 1);
  const byPopularity = [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([p]) => p);

  let cases = 0, recommendedHits = 0, popularHits = 0;
  for (const basket of heldBack) {
    const [query, hidden] = basket;
    cases++;
    const recommended = (await sql()`
      select related_product_id from marketing.frequently_bought_together(${query}::uuid, 5)`)
      .map((row) => row.related_product_id as string);
    if (recommended.includes(hidden)) recommendedHits++;
    if (byPopularity.filter((p) => p !== query).slice(0, 5).includes(hidden)) popularHits++;
  }
  const hitRate = recommendedHits / cases, baseline = popularHits / cases;
  console.log(
    `hit rate at 5 on ${cases} held-back orders: frequently bought together ${hitRate.toFixed(3)}, ` +
      `popularity baseline ${baseline.toFixed(3)}`,
  );
  assert.ok(hitRate > baseline, `hit rate ${hitRate} must beat the popularity baseline ${baseline}`);

  // The route serves the same list to anyone (anonymous callers included).
  const [query] = heldBack[0];
  const served = await api(`marketing/recommendations?productId=${query}&limit=5`);
  assert.equal(served.status, 200, served.text);
  const direct =
    await sql()`select related_product_id from marketing.frequently_bought_together(${query}::uuid, 5)`;
  assert.deepEqual(
    served.body.items.map((item: { productId: string }) => item.productId),
    direct.map((row) => row.related_product_id),
  );
  assert.ok(
    served.body.items.every((item: { confidence: number }) => item.confidence > 0 && item.confidence <= 1),
  );
  const bad = await api("marketing/recommendations?productId=not-a-uuid");
  assert.equal(bad.status, 422);
  assert.equal(envelope(bad).code, "validation_failed");
  const none = await api(`marketing/recommendations?productId=${crypto.randomUUID()}`);
  assert.deepEqual(none.body.items, [], "a product without pairs has no recommendations");
});
