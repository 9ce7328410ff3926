// Generated data for the marketing benchmark, set-based (INSERT ... SELECT from generate_series), once per
// database: subscribers confirmed on a list of their own, and customers (auth users) with order facts.
import type postgres from "postgres";

export const BENCH_LIST = "bench-campaign";
const SUBSCRIBER_DOMAIN = "bench-subscribers.local";
const CUSTOMER_DOMAIN = "bench-customers.local";

/** Ensures `count` confirmed subscribers on the bench list; returns how many were added now. */
export async function ensureBenchSubscribers(sql: postgres.Sql, count: number): Promise<number> {
  await sql`
    insert into marketing.lists (slug, name, opt_in, consent_text)
    values (${BENCH_LIST}, 'Bench campaign list', 'single', 'Generated for the benchmark.')
    on conflict (slug) do nothing`;
  const [{ existing }] = await sql`
    select count(*)::int as existing from marketing.subscriptions x join marketing.lists l on l.id = x.list_id
    where l.slug = ${BENCH_LIST}`;
  if (existing >= count) return 0;
  await sql`
    with added as (
      insert into marketing.subscribers (email, name)
      select 'sub-' || n || '@' || ${SUBSCRIBER_DOMAIN}::text, 'Bench ' || n
      from generate_series(${existing + 1}::int, ${count}::int) n
      on conflict (email) do nothing
      returning id
    )
    insert into marketing.subscriptions (subscriber_id, list_id, status, source, confirmed_at)
    select a.id, l.id, 'confirmed', 'bench', now() from added a, marketing.lists l where l.slug = ${BENCH_LIST}`;
  await sql`analyze marketing.subscribers`;
  await sql`analyze marketing.subscriptions`;
  return count - existing;
}

/** Ensures `customers` auth users with `orders` order facts between them, and their analytics rows. */
export async function ensureBenchCustomers(
  sql: postgres.Sql,
  customers: number,
  orders: number,
): Promise<number> {
  const [{ existing }] = await sql`
    select count(*)::int as existing from auth.users where email like ${"%@" + CUSTOMER_DOMAIN}`;
  if (existing < customers) {
    await sql`
      insert into auth.users (id, aud, role, email, raw_app_meta_data, raw_user_meta_data)
      select gen_random_uuid(), 'authenticated', 'authenticated', 'cust-' || n || '@' || ${CUSTOMER_DOMAIN}::text,
             '{"provider":"email"}', '{}'
      from generate_series(${existing + 1}::int, ${customers}::int) n`;
  }
  const [{ recorded }] =
    await sql`select count(*)::int as recorded from marketing.customer_orders where order_id like 'bench-%'`;
  if (recorded < orders) {
    // Orders spread over two years with a skew (some customers order often, most rarely).
    await sql`
      with customers as (
        select id, row_number() over (order by email) as k from auth.users where email like ${
      "%@" + CUSTOMER_DOMAIN
    }
      ), total as (select count(*) as n from customers)
      insert into marketing.customer_orders (order_id, user_id, total, placed_at, status)
      select 'bench-' || o, c.id, round((20 + (o * 7919) % 480)::numeric, 2),
             now() - ((o * 104729) % (730 * 24)) * interval '1 hour',
             case when o % 40 = 0 then 'refunded' else 'placed' end
      from generate_series(${recorded + 1}::bigint, ${orders}::bigint) o
      cross join total
      join customers c on c.k = 1 + ((o * o) % total.n)`;
    await sql`analyze marketing.customer_orders`;
  }
  return Math.max(0, customers - existing);
}
