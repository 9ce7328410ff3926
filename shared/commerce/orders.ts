// Orders as their readers see them: RLS decides (customers their own, staff all); the page envelope
// of every list ({ items, totalCount, hasNext, currentPage, pageSize, nextSkip, nextCursor }).
import { asUser, type Claims } from "../db.ts";
import { notFound } from "../errors.ts";

export interface PageQueryInput {
  limit: number;
  skip: number;
  status?: string;
}

const ORDER_JSON = (tx: import("../db.ts").Tx) =>
  tx`jsonb_build_object(
      'id', o.id, 'number', o.number, 'customerId', o.customer_id, 'status', o.status,
      'reviewStatus', o.review_status, 'currency', o.currency, 'subtotal', o.subtotal_minor,
      'discount', o.discount_minor, 'tax', o.tax_minor, 'shipping', o.shipping_minor,
      'shippingDiscount', o.shipping_discount_minor, 'total', o.total_minor, 'couponCode', o.coupon_code,
      'provider', o.provider, 'createdAt', o.created_at, 'updatedAt', o.updated_at)`;

export function listOrders(claims: Claims, query: PageQueryInput) {
  return asUser(claims, async (tx) => {
    const status = query.status ?? null;
    const rows = await tx<{ order: Record<string, unknown>; total_count: number }[]>`
      select ${ORDER_JSON(tx)} as order, count(*) over () ::int as total_count
      from commerce.orders o
      where (${status}::text is null or o.status = ${status}::text)
      order by o.created_at desc, o.id
      limit ${query.limit} offset ${query.skip}`;
    const totalCount = rows[0]?.total_count ??
      (await tx`select count(*)::int as n from commerce.orders o where (${status}::text is null or o.status = ${status}::text)`)[
        0
      ].n;
    const hasNext = query.skip + rows.length < totalCount;
    return {
      items: rows.map((row) => row.order),
      totalCount,
      hasNext,
      currentPage: Math.floor(query.skip / query.limit) + 1,
      pageSize: query.limit,
      nextSkip: hasNext ? query.skip + query.limit : null,
      nextCursor: null,
    };
  });
}

export function getOrder(claims: Claims, id: string) {
  return asUser(claims, async (tx) => {
    const [row] = await tx<{ order: Record<string, unknown> }[]>`
      select ${ORDER_JSON(tx)} || jsonb_build_object(
        'lines', (select coalesce(jsonb_agg(jsonb_build_object('sku', l.sku, 'name', l.name,
                    'unitPrice', l.unit_price_minor, 'quantity', l.quantity, 'discount', l.discount_minor,
                    'tax', l.tax_minor, 'shipping', l.shipping_minor, 'shippingDiscount', l.shipping_discount_minor,
                    'total', l.total_minor, 'fulfilledQuantity', l.fulfilled_quantity) order by l.sku), '[]')
                  from commerce.order_lines l where l.order_id = o.id),
        'payment', (select jsonb_build_object('id', p.id, 'provider', p.provider, 'reference', p.reference,
                      'status', p.status, 'amount', p.amount_minor, 'captured', p.captured_minor,
                      'refunded', p.refunded_minor, 'currency', p.currency)
                    from commerce.payments p where p.order_id = o.id),
        'refunds', (select coalesce(jsonb_agg(jsonb_build_object('id', r.id, 'amount', r.amount_minor,
                      'status', r.status, 'reason', r.reason, 'automatic', r.automatic, 'createdAt', r.created_at)
                      order by r.created_at), '[]') from commerce.refunds r where r.order_id = o.id),
        'events', (select coalesce(jsonb_agg(jsonb_build_object('kind', e.kind, 'from', e.from_status,
                      'to', e.to_status, 'at', e.occurred_at) order by e.id), '[]')
                   from commerce.order_events e where e.order_id = o.id)
      ) as order
      from commerce.orders o where o.id = ${id}`;
    if (!row) throw notFound("No such order.");
    return row.order;
  });
}
