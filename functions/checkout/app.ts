// checkout: a signed-in customer with a confirmed e-mail turns items into an order with reserved stock
// and a provider payment (Stripe PaymentIntent or Paystack transaction), once per Idempotency-Key.
import { checkout } from "../../shared/commerce/checkout.ts";
import { CheckoutAnswer, CheckoutBody } from "../../shared/commerce/schemas.ts";
import {
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

const app = createApp("checkout", {
  cors: true,
  description:
    "Checkout with stock reservation, fraud checks and Stripe/Paystack payments (docs/api/commerce.md).",
});

app.openapi(
  route({
    method: "post",
    path: "/",
    summary: "Check out: reserve every line or none, score fraud, create the order and its payment",
    description:
      "Stripe takes USD items and answers a PaymentIntent clientSecret; Paystack takes NGN items and " +
      "answers an authorizationUrl. Reservations expire after 15 minutes (commerce.settings).",
    tags: ["checkout"],
    middleware: [
      requireUser(),
      rateLimit("api", async (c) => (await caller(c)).userId ?? clientIp(c)),
      idempotent({ scope: "commerce.checkout", owner: async (c) => (await caller(c)).userId! }),
    ],
    request: { body: jsonBody(CheckoutBody) },
    responses: { 201: jsonResponse(CheckoutAnswer, "The order, its totals and the payment to complete.") },
    errors: {
      403: "email_unconfirmed: confirm the e-mail first; fraud_blocked: the checkout scored too high.",
      409: "out_of_stock: details name each short SKU (requested, available); idempotency_key_in_flight.",
      422:
        "validation_failed, unknown_sku, currency_not_supported, mixed_currency, unknown_coupon, idempotency_key_reused.",
      502: "payment_provider_unavailable: the provider failed after retries; retry with the same key.",
    },
  }),
  async (c) => {
    const who = await caller(c);
    const result = await checkout(who, c.req.valid("json"), {
      checkoutKey: c.req.header("idempotency-key")!,
      clientIp: clientIp(c),
      requestId: c.get("requestId"),
    });
    return c.json(result, 201);
  },
);

export default app;
