// Shared arrangements of the commerce function tests: customers with confirmed e-mails, a private SKU
// with an exact stock per test, checkouts through the gateway, the ledger invariant, and waiting.
import assert from "node:assert/strict";
import { api, type ApiResponse, createUser, eventually, sql, type TestUser } from "../../support/harness.ts";

export async function createCustomer(options: { staffRole?: string } = {}): Promise<TestUser> {
  const user = await createUser(options);
  // GoTrue stamps both on sign-up and confirmation; the harness insert leaves them to us.
  await sql()`update auth.users set email_confirmed_at = now(), created_at = coalesce(created_at, now()) where id = ${user.id}`;
  return user;
}

/**
 * A new active USD (or NGN) SKU of its own with `stock` units in HOU-1 (and `elsewhere` in LOS-1),
 * shipping nothing unless `shipping` (per unit) is given.
 */
export async function createSku(
  stock: number,
  options: { currency?: "USD" | "NGN"; price?: number; elsewhere?: number; shipping?: number } = {},
) {
  const sku = `T-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  const currency = options.currency ?? "USD";
  await sql()`
    with product as (
      insert into commerce.products (slug, name, category) values (${sku.toLowerCase()}, ${
    "Test " + sku
  }, 'accessory')
      returning id
    ), variant as (
      insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold, shipping_minor)
      select id, ${sku}, 'Test', ${options.price ?? 1000}, ${currency}, 0, ${
    options.shipping ?? 0
  } from product
      returning id
    )
    insert into commerce.inventory_levels (variant_id, location_id)
    select variant.id, l.id from variant cross join commerce.locations l`;
  const receipts = [["HOU-1", stock], ["LOS-1", options.elsewhere ?? 0]].filter(([, n]) => Number(n) > 0);
  for (const [location, quantity] of receipts) {
    await sql()`
      select private.commerce_apply_movements(jsonb_build_array(jsonb_build_object(
        'variant_id', v.id, 'location_id', l.id, 'kind', 'receipt', 'quantity', ${quantity}::int,
        'on_hand_delta', ${quantity}::int, 'reason', 'test stock')))
      from commerce.variants v, commerce.locations l where v.sku = ${sku} and l.code = ${location}`;
  }
  return sku;
}

export function checkoutAs(
  user: TestUser,
  body: unknown,
  key: string = crypto.randomUUID(),
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return api("checkout", { token: user.token, body, headers: { "idempotency-key": key, ...headers } });
}

export async function assertLedgerInvariant(): Promise<void> {
  const drift = await sql()`select * from private.commerce_ledger_drift()`;
  assert.deepEqual([...drift], [], "the ledger recomputes every level");
  const [negative] =
    await sql()`select count(*)::int as n from commerce.inventory_levels where on_hand < 0 or allocated > on_hand`;
  assert.equal(negative.n, 0, "no level is negative or over-allocated");
}

export async function orderStatus(orderId: string): Promise<string> {
  const [row] = await sql()`select status from commerce.orders where id = ${orderId}`;
  return row?.status;
}

export function waitForOrderStatus(orderId: string, status: string, timeoutMs = 10_000): Promise<string> {
  return eventually(async () => (await orderStatus(orderId)) === status ? status : undefined, timeoutMs);
}
