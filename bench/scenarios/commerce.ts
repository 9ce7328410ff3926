// Commerce: reserving one hot SKU from 50 concurrent clients, side by side in the same run with the
// limit of a single hot row (a bare guarded `update ... set on_hand = on_hand - 1 where on_hand > 0`)
// and a naive read-then-write decrement (which oversells: counted). Each subject then sells out a
// small stock to count oversold units. Full checkouts through the gateway and webhook processing
// against a bare insert of the same events are reported as ratios too.
import { stripeDelivery, stripeEvent } from "../../tests/support/fakes/stripe.ts";
import { mintUserToken } from "../../supabase/local/tokens.ts";
import { type BenchRow, type BenchScenario, clientAddress, concurrentLoad, round } from "../lib.ts";

const CONNECTIONS = 50;
const SELLOUT_STOCK = 200;

const scenario: BenchScenario = {
  name: "commerce",
  description:
    "hot-SKU reservations vs a guarded single-row update and a naive decrement; checkout and webhooks",
  async run(ctx) {
    const sql = ctx.sql;
    const seconds = ctx.quick ? 3 : 8;
    const rows: BenchRow[] = [];
    const tag = crypto.randomUUID().slice(0, 8).toUpperCase();
    const sku = `BENCH-${tag}`;

    // Arrange: an anchor table, a hot SKU in one location, a buyer and enough orders to reserve for.
    await sql`create table if not exists public.bench_commerce_hot_row (id int primary key, on_hand int not null)`;
    await sql`alter table public.bench_commerce_hot_row enable row level security`;
    const [buyer] = await sql`
      insert into auth.users (id, aud, role, email, email_confirmed_at, raw_app_meta_data, raw_user_meta_data)
      values (gen_random_uuid(), 'authenticated', 'authenticated', ${`bench-${tag.toLowerCase()}@bench.local`}, now(),
              '{"provider":"email"}', '{}')
      returning id`;
    const [variant] = await sql`
      with product as (
        insert into commerce.products (slug, name, category) values (${sku.toLowerCase()}, 'Bench hot SKU', 'accessory') returning id
      )
      insert into commerce.variants (product_id, sku, name, price_minor, currency, low_stock_threshold)
      select id, ${sku}, 'Hot', 1000, 'USD', 0 from product returning id`;
    const [location] = await sql`select id from commerce.locations where code = 'HOU-1'`;
    await sql`insert into commerce.inventory_levels (variant_id, location_id) values (${variant.id}, ${location.id})`;
    const receive = (quantity: number) =>
      sql`select private.commerce_apply_movements(jsonb_build_array(jsonb_build_object(
            'variant_id', ${variant.id}::uuid, 'location_id', ${location.id}::uuid, 'kind', 'receipt',
            'quantity', ${quantity}::int, 'on_hand_delta', ${quantity}::int, 'reason', 'bench')))`;
    const orderIds: string[] = (await sql`
      insert into commerce.orders (customer_id, customer_email, currency, subtotal_minor, total_minor, provider)
      select ${buyer.id}, 'bench@bench.local', 'USD', 1000, 1000, 'stripe' from generate_series(1, 30000)
      returning id`).map((row) => row.id);
    let nextOrder = 0;
    const lines = sql.json([{ variant_id: variant.id, quantity: 1 }]);
    const reserveOnce = async () => {
      const orderId = orderIds[nextOrder++];
      await sql`select private.commerce_reserve(${orderId}::uuid, ${lines}, now() + interval '15 minutes')`;
    };

    try {
      // Throughput with plenty of stock ------------------------------------------------------------
      await sql`insert into public.bench_commerce_hot_row values (1, 1000000000)
                on conflict (id) do update set on_hand = excluded.on_hand`;
      const guarded = await concurrentLoad(async () => {
        await sql`update public.bench_commerce_hot_row set on_hand = on_hand - 1 where id = 1 and on_hand > 0`;
      }, { connections: CONNECTIONS, durationSeconds: seconds });
      const naive = await concurrentLoad(async () => {
        const [row] = await sql`select on_hand from public.bench_commerce_hot_row where id = 1`;
        if (row.on_hand > 0) {
          await sql`update public.bench_commerce_hot_row set on_hand = ${row.on_hand - 1} where id = 1`;
        }
      }, { connections: CONNECTIONS, durationSeconds: seconds });
      await receive(1_000_000);
      const reserved = await concurrentLoad(reserveOnce, {
        connections: CONNECTIONS,
        durationSeconds: seconds,
      });

      // Sell-outs of a small stock: how many units each approach hands out --------------------------
      await sql`update public.bench_commerce_hot_row set on_hand = ${SELLOUT_STOCK} where id = 1`;
      let guardedSold = 0;
      await concurrentLoad(async () => {
        const done =
          await sql`update public.bench_commerce_hot_row set on_hand = on_hand - 1 where id = 1 and on_hand > 0 returning 1`;
        guardedSold += done.length;
      }, { connections: CONNECTIONS, iterations: SELLOUT_STOCK * 2 });
      await sql`update public.bench_commerce_hot_row set on_hand = ${SELLOUT_STOCK} where id = 1`;
      let naiveSold = 0;
      await concurrentLoad(async () => {
        const [row] = await sql`select on_hand from public.bench_commerce_hot_row where id = 1`;
        if (row.on_hand > 0) {
          await sql`update public.bench_commerce_hot_row set on_hand = ${row.on_hand - 1} where id = 1`;
          naiveSold++;
        }
      }, { connections: CONNECTIONS, iterations: SELLOUT_STOCK * 2 });
      // Take the SKU down to exactly SELLOUT_STOCK free units, then let 2x that many clients reserve.
      const [{ free }] =
        await sql`select private.commerce_level_available(${variant.id}::uuid, ${location.id}::uuid) as free`;
      await sql`select private.commerce_apply_movements(jsonb_build_array(jsonb_build_object(
                  'variant_id', ${variant.id}::uuid, 'location_id', ${location.id}::uuid, 'kind', 'adjustment',
                  'quantity', ${free - SELLOUT_STOCK}::int, 'on_hand_delta', ${
        SELLOUT_STOCK - free
      }::int, 'reason', 'bench')))`;
      let reservedSold = 0;
      await concurrentLoad(async () => {
        try {
          await reserveOnce();
          reservedSold++;
        } catch (error) {
          if ((error as { code?: string }).code !== "PT409") throw error;
        }
      }, { connections: CONNECTIONS, iterations: SELLOUT_STOCK * 2 });
      const [drift] =
        await sql`select count(*)::int as n from private.commerce_ledger_drift() where variant_id = ${variant.id}`;

      const ratio = (value: number) => guarded.rps ? value / guarded.rps : undefined;
      const reserveRatio = ratio(reserved.rps) ?? 0;
      rows.push(
        {
          scenario: "commerce",
          subject: "guarded single-row update",
          metric: "throughput",
          value: round(guarded.rps),
          unit: "ops/s",
        },
        {
          scenario: "commerce",
          subject: "naive read-then-write decrement",
          metric: "throughput",
          value: round(naive.rps),
          unit: "ops/s",
          anchor: "guarded update",
          ratio: ratio(naive.rps),
        },
        {
          scenario: "commerce",
          subject: "checkout reservation (commerce_reserve, hot SKU)",
          metric: "throughput",
          value: round(reserved.rps),
          unit: "ops/s",
          anchor: "guarded update",
          ratio: reserveRatio,
          target: ">= 0.3x",
          met: reserveRatio >= 0.3,
        },
        {
          scenario: "commerce",
          subject: "checkout reservation",
          metric: "p99 latency",
          value: round(reserved.p99Ms),
          unit: "ms",
        },
        {
          scenario: "commerce",
          subject: "guarded single-row update",
          metric: `oversold of ${SELLOUT_STOCK}`,
          value: guardedSold - SELLOUT_STOCK,
          unit: "units",
        },
        {
          scenario: "commerce",
          subject: "naive read-then-write decrement",
          metric: `oversold of ${SELLOUT_STOCK}`,
          value: naiveSold - SELLOUT_STOCK,
          unit: "units",
        },
        {
          scenario: "commerce",
          subject: "checkout reservation",
          metric: `oversold of ${SELLOUT_STOCK}`,
          value: reservedSold - SELLOUT_STOCK,
          unit: "units",
          target: "0, ledger drift 0",
          met: reservedSold === SELLOUT_STOCK && drift.n === 0,
        },
      );

      // Full checkouts through the gateway (auth, idempotency, fraud, order, reservation, Stripe stand-in).
      await receive(100_000);
      // Many buyers, as in a real sale: the api rate class is per user.
      const buyers = await sql`
        insert into auth.users (id, aud, role, email, email_confirmed_at, created_at, raw_app_meta_data, raw_user_meta_data)
        select gen_random_uuid(), 'authenticated', 'authenticated', 'bench-' || ${tag.toLowerCase()} || '-' || n || '@bench.local',
               now(), now() - interval '30 days', '{"provider":"email"}', '{}'
        from generate_series(1, 300) n returning id`;
      const tokens = await Promise.all(buyers.map((b) => mintUserToken(sql, b.id, {}, ctx.config)));
      await sql`update commerce.fraud_rules set active = false where kind in ('velocity_email', 'velocity_ip')`;
      const checkout = await concurrentLoad(async (i) => {
        const response = await fetch(`${ctx.functionsUrl}/checkout`, {
          method: "POST",
          headers: {
            authorization: `Bearer ${tokens[i % tokens.length]}`,
            "content-type": "application/json",
            "idempotency-key": `bench-${tag}-${i}`,
            "x-forwarded-for": clientAddress(i),
          },
          body: JSON.stringify({ items: [{ sku, quantity: 1 }], provider: "stripe" }),
        });
        await response.body?.cancel();
        if (response.status !== 201) throw new Error(`checkout ${response.status}`);
      }, { connections: CONNECTIONS, durationSeconds: seconds });
      await sql`update commerce.fraud_rules set active = true where kind in ('velocity_email', 'velocity_ip')`;
      rows.push({
        scenario: "commerce",
        subject: "POST /functions/v1/checkout (hot SKU, Stripe stand-in)",
        metric: `throughput (${checkout.errors} errors)`,
        value: round(checkout.rps),
        unit: "req/s",
        anchor: "guarded update",
        ratio: ratio(checkout.rps),
      });

      // Webhooks: signed Stripe successes for pending payments vs a bare insert of the same events.
      const pending = await sql`
        select p.id, p.reference, p.amount_minor from commerce.payments p join commerce.orders o on o.id = p.order_id
        where o.customer_id = any(${
        buyers.map((b) => b.id)
      }) and p.status = 'pending' and p.reference is not null limit 2000`;
      const deliveries = await Promise.all(
        pending.map((p) =>
          stripeDelivery(stripeEvent("payment_intent.succeeded", {
            id: p.reference,
            object: "payment_intent",
            amount: Number(p.amount_minor),
            amount_received: Number(p.amount_minor),
            currency: "usd",
            status: "succeeded",
            metadata: {},
          }))
        ),
      );
      let bareIndex = 0;
      const bare = await concurrentLoad(async () => {
        const delivery = deliveries[bareIndex++];
        await sql`insert into commerce.webhook_events (provider, event_key, event_type, payload)
                  values ('stripe', ${
          "bench-bare-" + JSON.parse(delivery.body).id
        }, 'bench.bare', ${delivery.body}::jsonb)`;
      }, { connections: CONNECTIONS, iterations: deliveries.length });
      let webhookIndex = 0;
      const webhooks = await concurrentLoad(async () => {
        const delivery = deliveries[webhookIndex++];
        const response = await fetch(`${ctx.functionsUrl}/payments-webhook/stripe`, {
          method: "POST",
          headers: delivery.headers,
          body: delivery.body,
        });
        await response.body?.cancel();
        if (!response.ok) throw new Error(`webhook ${response.status}`);
      }, { connections: CONNECTIONS, iterations: deliveries.length });
      rows.push(
        {
          scenario: "commerce",
          subject: "bare insert of the events",
          metric: "throughput",
          value: round(bare.rps),
          unit: "events/s",
        },
        {
          scenario: "commerce",
          subject: "POST /functions/v1/payments-webhook/stripe (verify, record, allocate, pay)",
          metric: "throughput",
          value: round(webhooks.rps),
          unit: "events/s",
          anchor: "bare insert",
          ratio: bare.rps ? webhooks.rps / bare.rps : undefined,
        },
      );
      return rows;
    } finally {
      await sql`drop table if exists public.bench_commerce_hot_row`;
      await sql`delete from commerce.webhook_events where event_type = 'bench.bare'`;
    }
  },
};

export default scenario;
