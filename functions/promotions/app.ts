// promotions: marketing staff (admin or marketing) create, list and change promotions, add codes,
// generate single-use codes in bulk and list codes with their usage; analysts read. Checkout applies
// them (commerce's plug points, docs/api/promotions.md).
import { z } from "zod";
import {
  caller,
  createApp,
  jsonBody,
  jsonResponse,
  pageSchema,
  requireRoles,
  route,
} from "../../shared/http.ts";
import {
  CouponBody,
  CouponQuery,
  createCoupon,
  createPromotion,
  GenerateBody,
  generateCoupons,
  getPromotion,
  listCoupons,
  listPromotions,
  ListQuery,
  PromotionBody,
  PromotionPatch,
  updatePromotion,
} from "../../shared/marketing/promotions.ts";

const app = createApp("promotions", {
  cors: true,
  description: "Promotions and coupon codes for marketing staff (docs/api/promotions.md).",
});

const staffOnly = requireRoles("admin", "marketing");
const readers = requireRoles("admin", "marketing", "analyst");
const IdParam = z.object({ id: z.uuid() });
const Promotion = z.looseObject({}).meta({ id: "Promotion", description: "See docs/api/promotions.md." });
const Coupon = z.looseObject({}).meta({
  id: "Coupon",
  description: "A code with its usage (docs/api/promotions.md).",
});
const NOT_FOUND = { 404: "not_found: no such promotion." } as const;

app.openapi(
  route({
    method: "post",
    path: "/",
    summary: "Create a promotion (optionally with its first code)",
    tags: ["promotions"],
    middleware: [staffOnly],
    request: { body: jsonBody(PromotionBody) },
    responses: { 201: jsonResponse(Promotion, "The promotion.") },
    errors: { 409: "duplicate: the code exists already (codes are case-insensitive)." },
  }),
  async (c) => {
    const who = await caller(c);
    return c.json(await createPromotion(who.claims, who.userId ?? null, c.req.valid("json")), 201);
  },
);

app.openapi(
  route({
    method: "get",
    path: "/",
    summary: "Promotions, highest priority first",
    tags: ["promotions"],
    middleware: [readers],
    request: { query: ListQuery },
    responses: { 200: jsonResponse(pageSchema(Promotion, "PromotionPage"), "One page of promotions.") },
  }),
  async (c) => c.json(await listPromotions((await caller(c)).claims, c.req.valid("query")), 200),
);

app.openapi(
  route({
    method: "get",
    path: "/{id}",
    summary: "One promotion with its uses and budget",
    tags: ["promotions"],
    middleware: [readers],
    request: { params: IdParam },
    responses: { 200: jsonResponse(Promotion, "The promotion.") },
    errors: NOT_FOUND,
  }),
  async (c) => c.json(await getPromotion((await caller(c)).claims, c.req.valid("param").id), 200),
);

app.openapi(
  route({
    method: "patch",
    path: "/{id}",
    summary: "Change a promotion (its kind and its usage counters cannot change)",
    tags: ["promotions"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(PromotionPatch) },
    responses: { 200: jsonResponse(Promotion, "The promotion.") },
    errors: NOT_FOUND,
  }),
  async (c) =>
    c.json(
      await updatePromotion((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")),
      200,
    ),
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/coupons",
    summary: "Add a code to a promotion",
    tags: ["promotions"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(CouponBody) },
    responses: { 201: jsonResponse(Coupon, "The code.") },
    errors: { ...NOT_FOUND, 409: "duplicate: the code exists already (codes are case-insensitive)." },
  }),
  async (c) =>
    c.json(await createCoupon((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")), 201),
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/coupons/generate",
    summary: "Generate single-use codes in bulk (PREFIX-XXXXXXXXXXXXX, up to 10,000)",
    tags: ["promotions"],
    middleware: [staffOnly],
    request: { params: IdParam, body: jsonBody(GenerateBody) },
    responses: {
      201: jsonResponse(z.object({ count: z.number().int(), codes: z.array(z.string()) }), "The codes made."),
    },
    errors: NOT_FOUND,
  }),
  async (c) =>
    c.json(
      await generateCoupons((await caller(c)).claims, c.req.valid("param").id, c.req.valid("json")),
      201,
    ),
);

app.openapi(
  route({
    method: "get",
    path: "/{id}/coupons",
    summary: "A promotion's codes with their usage, by code (after: the last code of the previous page)",
    tags: ["promotions"],
    middleware: [readers],
    request: { params: IdParam, query: CouponQuery },
    responses: {
      200: jsonResponse(
        z.object({ coupons: z.array(Coupon), nextCursor: z.string().nullable() }),
        "One page of codes.",
      ),
    },
    errors: NOT_FOUND,
  }),
  async (c) =>
    c.json(await listCoupons((await caller(c)).claims, c.req.valid("param").id, c.req.valid("query")), 200),
);

export default app;
