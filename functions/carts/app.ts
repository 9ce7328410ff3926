// carts: persistent carts for signed-in customers (their own) and anonymous shoppers (the cart id plus
// the secret token from the creating answer, in the X-Cart-Token header): items by SKU checked against
// commerce's availability, an e-mail and consent for one recovery reminder, and checkout from the cart
// through commerce's checkout (docs/api/promotions.md#carts).
import { z } from "zod";
import {
  type AppContext,
  caller,
  clientIp,
  createApp,
  jsonBody,
  jsonResponse,
  rateLimit,
  requireUser,
  route,
} from "../../shared/http.ts";
import { idempotent } from "../../shared/idempotency.ts";
import {
  Cart,
  CART_TOKEN_HEADER,
  CartBody,
  CartCheckoutAnswer,
  CartCheckoutBody,
  CartItemsBody,
  CartPatch,
  checkoutCart,
  createCart,
  getCart,
  setItems,
  updateCart,
} from "../../shared/marketing/carts.ts";

const app = createApp("carts", {
  cors: true,
  description: "Persistent carts and abandoned-cart recovery (docs/api/promotions.md#carts).",
});

const IdParam = z.object({ id: z.uuid() });
const TokenHeader = z.object({ [CART_TOKEN_HEADER]: z.string().min(20).max(100).optional() });
const NOT_FOUND = { 404: "not_found: no such cart, or neither its owner nor its token." } as const;
const token = (c: AppContext) => c.req.header(CART_TOKEN_HEADER);
const perCaller = async (c: AppContext) => (await caller(c)).userId ?? clientIp(c);

app.openapi(
  route({
    method: "post",
    path: "/",
    summary: "Open a cart (signed in: yours; anonymous: the answer carries its secret token, once)",
    tags: ["carts"],
    middleware: [rateLimit("api", perCaller)],
    request: { body: jsonBody(CartBody) },
    responses: { 201: jsonResponse(Cart, "The cart.") },
    errors: { 409: "out_of_stock: more than can be sold (each SKU named)." },
  }),
  async (c) => c.json(await createCart(await caller(c), c.req.valid("json")), 201),
);

app.openapi(
  route({
    method: "get",
    path: "/{id}",
    summary: "A cart with its items and recovery code, if any",
    tags: ["carts"],
    middleware: [rateLimit("api", perCaller)],
    request: { params: IdParam, headers: TokenHeader },
    responses: { 200: jsonResponse(Cart, "The cart.") },
    errors: NOT_FOUND,
  }),
  async (c) => c.json(await getCart(await caller(c), c.req.valid("param").id, token(c)), 200),
);

app.openapi(
  route({
    method: "put",
    path: "/{id}/items",
    summary: "Replace the cart's items (SKUs and quantities, checked against availability)",
    tags: ["carts"],
    middleware: [rateLimit("api", perCaller)],
    request: { params: IdParam, headers: TokenHeader, body: jsonBody(CartItemsBody) },
    responses: { 200: jsonResponse(Cart, "The cart.") },
    errors: {
      ...NOT_FOUND,
      409: "out_of_stock: more than can be sold; cart_closed: the cart was ordered.",
    },
  }),
  async (c) =>
    c.json(
      await setItems(await caller(c), c.req.valid("param").id, token(c), c.req.valid("json").items),
      200,
    ),
);

app.openapi(
  route({
    method: "patch",
    path: "/{id}",
    summary: "Set the cart's e-mail and consent to one recovery reminder",
    tags: ["carts"],
    middleware: [rateLimit("api", perCaller)],
    request: { params: IdParam, headers: TokenHeader, body: jsonBody(CartPatch) },
    responses: { 200: jsonResponse(Cart, "The cart.") },
    errors: { ...NOT_FOUND, 409: "cart_closed: the cart was ordered." },
  }),
  async (c) =>
    c.json(await updateCart(await caller(c), c.req.valid("param").id, token(c), c.req.valid("json")), 200),
);

app.openapi(
  route({
    method: "post",
    path: "/{id}/checkout",
    summary: "Check the cart out through commerce's checkout (its recovery code applies by default)",
    tags: ["carts"],
    middleware: [
      requireUser(),
      rateLimit("api", perCaller),
      idempotent({ scope: "marketing.cart-checkout", owner: async (c) => (await caller(c)).userId! }),
    ],
    request: { params: IdParam, headers: TokenHeader, body: jsonBody(CartCheckoutBody) },
    responses: {
      201: jsonResponse(CartCheckoutAnswer, "The order, as POST /checkout answers it, and the cart."),
    },
    errors: {
      ...NOT_FOUND,
      403: "email_unconfirmed; fraud_blocked.",
      409: "cart_closed, cart_empty, out_of_stock, coupon_exhausted, coupon_limit_reached.",
      422: "unknown_coupon, coupon_expired, coupon_not_applicable, currency_not_supported, mixed_currency.",
      502: "payment_provider_unavailable: retry with the same Idempotency-Key.",
    },
  }),
  async (c) => {
    const result = await checkoutCart(
      await caller(c),
      c.req.valid("param").id,
      token(c),
      c.req.valid("json"),
      {
        checkoutKey: c.req.header("idempotency-key")!,
        clientIp: clientIp(c),
        requestId: c.get("requestId"),
      },
    );
    return c.json(result, 201);
  },
);

export default app;
