// inventory: public availability per SKU; staff read levels (per location, with lots) and alerts;
// admins receive stock (optionally into lots) and adjust counts, all through the stock ledger.
import { z } from "zod";
import { AdjustmentBody, Loose, ReceiptBody, Sku } from "../../shared/commerce/schemas.ts";
import { asUser, rpcAs, rpcRows } from "../../shared/db.ts";
import { caller, createApp, jsonBody, jsonResponse, requireRoles, route } from "../../shared/http.ts";

const app = createApp("inventory", {
  cors: true,
  description: "Availability, stock levels, receipts, adjustments and alerts (docs/api/commerce.md).",
});

const staff = requireRoles("admin", "analyst", "support", "sales");
const UNKNOWN = { 404: "unknown_sku, unknown_location, unknown_lot." };

app.openapi(
  route({
    method: "get",
    path: "/availability",
    summary: "What can be bought now, per SKU (never a location's on-hand count)",
    tags: ["catalog"],
    request: { query: z.object({ sku: z.union([Sku, z.array(Sku).max(100)]).optional() }) },
    responses: {
      200: jsonResponse(
        z.object({ items: z.array(z.object({ sku: z.string(), available: z.number().int() })) }),
        "Availability.",
      ),
    },
  }),
  async (c) => {
    const sku = c.req.queries("sku");
    const items = await asUser(
      (await caller(c)).claims,
      (tx) =>
        rpcRows<{ sku: string; available: number }>(tx, "commerce.catalog_availability", {
          skus: sku ?? undefined,
        }),
    );
    return c.json({ items }, 200);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/levels",
    summary: "Stock per variant and location: on hand, allocated, reserved, available, lots",
    tags: ["staff"],
    middleware: [staff],
    request: {
      query: z.object({ sku: Sku.optional(), location: z.string().regex(/^[A-Z0-9-]{2,20}$/).optional() }),
    },
    responses: { 200: jsonResponse(z.object({ items: z.array(Loose) }), "Levels.") },
  }),
  async (c) => {
    const { sku, location } = c.req.valid("query");
    const items = await asUser((await caller(c)).claims, (tx) =>
      tx`
        select v.sku, loc.code as location, l.on_hand as "onHand", l.allocated,
               l.reserved - coalesce(r.expired, 0)::int as reserved,
               (l.on_hand - l.allocated - l.reserved + coalesce(r.expired, 0))::int as available,
               coalesce((select jsonb_agg(jsonb_build_object('batchNumber', t.batch_number, 'expiresOn', t.expires_on,
                          'onHand', t.on_hand, 'allocated', t.allocated) order by t.expires_on nulls last)
                         from commerce.lots t where t.variant_id = l.variant_id and t.location_id = l.location_id), '[]') as lots
        from commerce.inventory_levels l
        join commerce.variants v on v.id = l.variant_id
        join commerce.locations loc on loc.id = l.location_id
        left join lateral (select sum(x.quantity) as expired from commerce.reservations x
                           where x.variant_id = l.variant_id and x.location_id = l.location_id
                             and x.status = 'active' and x.expires_at <= now()) r on true
        where (${sku ?? null}::text is null or v.sku = ${sku ?? null}::text)
          and (${location ?? null}::text is null or loc.code = ${location ?? null}::text)
        order by v.sku, loc.code
        limit 1000`);
    return c.json({ items: [...items] }, 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/receipts",
    summary: "Receive stock, optionally into a lot (batch number, expiry)",
    tags: ["staff"],
    middleware: [requireRoles("admin")],
    request: { body: jsonBody(ReceiptBody) },
    responses: { 201: jsonResponse(Loose, "The level after the receipt.") },
    errors: UNKNOWN,
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.receive_stock", {
        sku: body.sku,
        location_code: body.location,
        quantity: body.quantity,
        batch_number: body.batchNumber,
        expires_on: body.expiresOn,
        reason: body.reason,
      }),
      201,
    );
  },
);

app.openapi(
  route({
    method: "post",
    path: "/adjustments",
    summary: "Correct a count (never below what is allocated or reserved)",
    tags: ["staff"],
    middleware: [requireRoles("admin")],
    request: { body: jsonBody(AdjustmentBody) },
    responses: { 201: jsonResponse(Loose, "The level after the adjustment.") },
    errors: { ...UNKNOWN, 409: "insufficient_stock: the adjustment would go below allocated or reserved." },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.adjust_stock", {
        sku: body.sku,
        location_code: body.location,
        delta: body.delta,
        reason: body.reason,
        batch_number: body.batchNumber,
      }),
      201,
    );
  },
);

app.openapi(
  route({
    method: "get",
    path: "/alerts",
    summary: "Stock alerts (low stock, lots expiring), open ones first",
    description: "Also broadcast on the private Realtime topic commerce:stock-alerts.",
    tags: ["staff"],
    middleware: [staff],
    request: { query: z.object({ open: z.enum(["true", "false"]).optional() }) },
    responses: { 200: jsonResponse(z.object({ items: z.array(Loose) }), "Alerts.") },
  }),
  async (c) => {
    const onlyOpen = c.req.valid("query").open !== "false";
    const items = await asUser((await caller(c)).claims, (tx) =>
      tx`
        select a.id, a.kind, v.sku, a.details, a.raised_at as "raisedAt", a.resolved_at as "resolvedAt"
        from commerce.stock_alerts a join commerce.variants v on v.id = a.variant_id
        where (not ${onlyOpen}::boolean or a.resolved_at is null)
        order by a.resolved_at nulls first, a.raised_at desc
        limit 500`);
    return c.json({ items: [...items] }, 200);
  },
);

export default app;
