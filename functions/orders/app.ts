// orders: customers read their own orders and cancel them before payment; staff read all, cancel
// before fulfilment, fulfil, mark delivered, refund (support/admin) and decide fraud reviews.
import { z } from "zod";
import { getOrder, listOrders } from "../../shared/commerce/orders.ts";
import {
  CancelBody,
  FulfilBody,
  Loose,
  PageQuery,
  RefundBody,
  ReviewBody,
} from "../../shared/commerce/schemas.ts";
import { asUser, rpcAs, rpcRows } from "../../shared/db.ts";
import { resolveWindow, WindowQuery } from "../../shared/window.ts";
import {
  caller,
  createApp,
  jsonBody,
  jsonResponse,
  pageSchema,
  requireRoles,
  requireUser,
  route,
} from "../../shared/http.ts";

const app = createApp("orders", {
  cors: true,
  description: "Orders, cancellations, fulfilment and refunds (docs/api/commerce.md).",
});

const OrderPage = pageSchema(Loose, "OrderPage");
const IdParams = z.object({ id: z.uuid() });
const NOT_FOUND = { 404: "not_found: no such order (or not yours)." };

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "List orders (customers: their own; staff: all), newest first",
    tags: ["orders"],
    middleware: [requireUser()],
    request: { query: PageQuery },
    responses: { 200: jsonResponse(OrderPage, "One page of orders.") },
  }),
  async (c) => c.json(await listOrders((await caller(c)).claims, c.req.valid("query")), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/{id}",
    summary: "One order with lines, payment, refunds and its history",
    tags: ["orders"],
    middleware: [requireUser()],
    request: { params: IdParams },
    responses: { 200: jsonResponse(Loose, "The order.") },
    errors: NOT_FOUND,
  }),
  async (c) => c.json(await getOrder((await caller(c)).claims, c.req.valid("param").id), 200),
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/cancel",
    summary:
      "Cancel: customers before payment, support/admin before fulfilment (stock released, payment refunded)",
    tags: ["orders"],
    middleware: [requireUser()],
    request: {
      params: IdParams,
      body: { required: false, content: { "application/json": { schema: CancelBody } } },
    },
    responses: { 200: jsonResponse(Loose, "The canceled order and the refund started, if any.") },
    errors: {
      ...NOT_FOUND,
      409: "cannot_cancel: paid (customers) or fulfilled/delivered orders cannot be canceled.",
    },
  }),
  async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.cancel_order", {
        order_id: c.req.valid("param").id,
        reason: (body as { reason?: string }).reason,
      }),
      200,
    );
  },
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/fulfil",
    summary: "Ship the order or some of its units: their allocations become sales",
    description:
      "Without `lines`, everything left ships; with `lines`, the order is partially_fulfilled until all is.",
    tags: ["staff"],
    middleware: [requireRoles("admin")],
    request: {
      params: IdParams,
      body: { required: false, content: { "application/json": { schema: FulfilBody } } },
    },
    responses: { 200: jsonResponse(Loose, "The order's new status and what shipped.") },
    errors: {
      ...NOT_FOUND,
      409: "illegal_transition (not paid), review_pending (fraud review first).",
      422: "invalid_fulfilment: a SKU not in the order or more than is left to ship.",
    },
  }),
  async (c) => {
    const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.fulfil_order", {
        order_id: c.req.valid("param").id,
        lines: (body as { lines?: unknown[] }).lines,
      }),
      200,
    );
  },
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/deliver",
    summary: "Mark a fulfilled order delivered",
    tags: ["staff"],
    middleware: [requireRoles("admin")],
    request: { params: IdParams },
    responses: { 200: jsonResponse(Loose, "The delivered order.") },
    errors: { ...NOT_FOUND, 409: "illegal_transition: only a fulfilled order can be delivered." },
  }),
  async (c) =>
    c.json(
      await rpcAs((await caller(c)).claims, "commerce.mark_delivered", { order_id: c.req.valid("param").id }),
      200,
    ),
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/refunds",
    summary: "Refund part or all of what was captured (pending until the provider's webhook confirms)",
    tags: ["staff"],
    middleware: [requireRoles("admin", "support")],
    request: { params: IdParams, body: jsonBody(RefundBody) },
    responses: { 201: jsonResponse(Loose, "The requested refund.") },
    errors: {
      ...NOT_FOUND,
      409: "nothing_to_refund (no captured payment), nothing_to_restock (restock before fulfilment).",
      422: "refund_exceeds_refundable: details say the refundable amount; reason_required.",
    },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.refund_order", {
        order_id: c.req.valid("param").id,
        amount_minor: body.amount,
        reason: body.reason,
        restock: body.restock ?? false,
      }),
      201,
    );
  },
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/review",
    summary: "Approve or reject an order held by the fraud checks",
    tags: ["staff"],
    middleware: [requireRoles("admin", "support")],
    request: { params: IdParams, body: jsonBody(ReviewBody) },
    responses: { 200: jsonResponse(Loose, "The review decision.") },
    errors: { ...NOT_FOUND, 409: "not_in_review: the order is not waiting for review." },
  }),
  async (c) => {
    const body = c.req.valid("json");
    return c.json(
      await rpcAs((await caller(c)).claims, "commerce.review_order", {
        order_id: c.req.valid("param").id,
        approve: body.approve,
        note: body.note,
      }),
      200,
    );
  },
);

// Analytics (analysts, admins): one RPC per metric over the shared window (range=24h|7d|30d|90d or from/to).
const METRICS = {
  revenue: "commerce.revenue_by_day",
  "average-order-value": "commerce.average_order_value",
  "payment-success": "commerce.payment_success_rate",
  "refund-rate": "commerce.refund_rate",
  "stock-value": "commerce.stock_value",
  "top-products": "commerce.top_products",
} as const;

app.openapi(
  route({
    method: "get",
    path: "/analytics/{metric}",
    summary:
      "Revenue and orders by day, average order value, payment success, refund rate, stock value, top products",
    tags: ["analytics"],
    middleware: [requireRoles("analyst", "admin")],
    request: {
      params: z.object({ metric: z.enum(Object.keys(METRICS) as [keyof typeof METRICS]) }),
      query: WindowQuery,
    },
    responses: {
      200: jsonResponse(
        z.object({ from: z.string(), to: z.string(), items: z.array(Loose) }),
        "The metric's rows for the window.",
      ),
    },
    errors: { 422: "invalid_window / validation_failed: from must be before to, at most 400 days." },
  }),
  async (c) => {
    const window = resolveWindow(c.req.valid("query"));
    const items = await asUser(
      (await caller(c)).claims,
      (tx) =>
        rpcRows<Record<string, unknown>>(tx, METRICS[c.req.valid("param").metric], {
          window_from: window.from,
          window_to: window.to,
        }),
    );
    return c.json({ from: window.from.toISOString(), to: window.to.toISOString(), items }, 200);
  },
);

export default app;
