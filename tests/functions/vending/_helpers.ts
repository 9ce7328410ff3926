// What the vending tests share: vends seeded straight into the queue on a lane of their own (so the
// stack's own worker, which drains the default lane, never takes them), a worker wired to a fake
// BuyPower, and a drain loop.
import "../../support/function-env.ts";
import { db } from "../../../shared/db.ts";
import { BuyPowerClient } from "../../../shared/vending/buypower.ts";
import { createVendorBreaker } from "../../../shared/vending/breaker.ts";
import { processQueue, type WorkerDeps, type WorkerOptions } from "../../../shared/vending/worker.ts";
import { createUser, sql } from "../../support/harness.ts";
import { type FakeBuyPower, startFakeBuyPower } from "../../support/fakes/buypower.ts";

export const FAKE_KEY = "test-buypower-key-0001";

export function startFake(latencyMs = 0): FakeBuyPower {
  return startFakeBuyPower({ apiKey: FAKE_KEY, latencyMs });
}

export function workerDeps(
  fake: FakeBuyPower,
  overrides: Partial<WorkerDeps> & { timeoutMs?: number; failures?: number; openMs?: number } = {},
): WorkerDeps {
  return {
    sql: db(),
    client: new BuyPowerClient({
      baseUrl: fake.url,
      apiKey: FAKE_KEY,
      timeoutMs: overrides.timeoutMs ?? 2000,
    }),
    breaker: createVendorBreaker({
      consecutiveFailures: overrides.failures ?? 5,
      openMs: overrides.openMs ?? 60_000,
      timeoutMs: (overrides.timeoutMs ?? 2000) + 1000,
      maxInFlight: 50,
    }),
    maxRequeries: 20,
    backoffBaseSeconds: 0.05,
    releaseSeconds: 0.2,
    ...overrides,
  };
}

export interface Seeded {
  customerId: string;
  lane: string;
  orderIds: string[];
}

/** A funded customer with `count` queued vends (₦1,000 each) on a fresh lane. */
export async function seedVends(
  count: number,
  options: { vendType?: string; balanceKobo?: number } = {},
): Promise<Seeded> {
  const user = await createUser();
  const lane = `test-${crypto.randomUUID().slice(0, 12)}`;
  const prefix = `T${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
  await sql()`insert into vending.accounts (customer_id, balance_kobo) values (${user.id}, ${
    options.balanceKobo ?? count * 100000
  })`;
  const rows = await sql()`
    insert into vending.vends (order_id, customer_id, disco_code, meter_number, vend_type, amount_kobo, phone, funding)
    select ${prefix} || lpad(n::text, 6, '0'), ${user.id}, 'IKEJA', '4' || lpad(n::text, 9, '0') || '7',
           ${options.vendType ?? "PREPAID"}, 100000, '+2348031234567', 'account'
    from generate_series(1, ${count}) n
    returning id, order_id`;
  const ids = rows.map((r) => r.id as string);
  await sql()`select private.vending_debit_accounts(${ids}::uuid[])`;
  // Due one millisecond apart in orderId order, so tests know which vend meets which injected answer.
  await sql()`
    insert into vending.vend_queue (vend_id, action, lane, available_at)
    select v.id, 'submit', ${lane}, now() - interval '10 seconds' + (row_number() over (order by v.order_id)) * interval '1 ms'
    from vending.vends v where v.id = any (${ids}::uuid[])`;
  return { customerId: user.id, lane, orderIds: rows.map((r) => r.order_id as string).sort() };
}

export async function statuses(customerId: string): Promise<Record<string, number>> {
  const rows =
    await sql()`select status, count(*)::int as n from vending.vends where customer_id = ${customerId} group by status`;
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

/** Works the lane until every vend of the customer is final (or the deadline passes). */
export async function drain(
  deps: WorkerDeps,
  seeded: Seeded,
  options: WorkerOptions = {},
  timeoutMs = 20_000,
) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    await processQueue(deps, { lane: seeded.lane, budgetMs: 5000, visibilitySeconds: 30, ...options });
    const [open] = await sql()`
      select count(*)::int as n from vending.vends
      where customer_id = ${seeded.customerId} and status in ('created', 'submitted', 'pending')`;
    if (open.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(
    `vends still open after ${timeoutMs} ms: ${JSON.stringify(await statuses(seeded.customerId))}`,
  );
}

export async function vend(orderId: string) {
  const [row] = await sql()`select * from vending.vends where order_id = ${orderId}`;
  return row;
}
