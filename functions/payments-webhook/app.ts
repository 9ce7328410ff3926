// payments-webhook: Stripe and Paystack deliveries (signature over the raw bytes first, each event
// applied once and forward only) and the service-only dispatcher that performs provider work after
// commit (refund calls, Paystack verification), woken through pg_net and by a cron job.
import { z } from "zod";
import { dispatchProviderWork } from "../../shared/commerce/dispatch.ts";
import { paystackWebhook, stripeWebhook } from "../../shared/commerce/webhooks.ts";
import { clientIp, createApp, jsonResponse, requireService, route } from "../../shared/http.ts";

// Providers deliver from a few addresses in bursts: the signature is the gate, not a per-IP limit.
const app = createApp("payments-webhook", {
  globalRateLimit: false,
  description: "Stripe and Paystack webhooks and the provider-work dispatcher (docs/api/commerce.md).",
});

const Received = z.object({ received: z.literal(true), duplicate: z.boolean(), outcome: z.string() })
  .meta({ id: "WebhookReceived" });
const SIGNATURE_ERRORS = {
  400: "invalid_signature (also recorded in ops.security_events), malformed_json, invalid_event.",
};

app.openapi(
  route({
    method: "post",
    path: "/stripe",
    summary: "Stripe webhook (Stripe-Signature: t=..., v1=...; 300 s tolerance both ways)",
    description: "The raw body is an Event (payment_intent.succeeded, payment_intent.payment_failed, " +
      "refund.updated, ...); an event id seen before answers duplicate: true.",
    tags: ["webhooks"],
    request: { headers: z.object({ "stripe-signature": z.string().optional() }) },
    responses: { 200: jsonResponse(Received, "Accepted; outcome says what it did.") },
    errors: SIGNATURE_ERRORS,
  }),
  async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    return c.json(await stripeWebhook(raw, c.req.header("stripe-signature"), clientIp(c)), 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/paystack",
    summary: "Paystack webhook (x-paystack-signature: hex HMAC-SHA512 of the body)",
    description: "charge.success is recorded and verified with GET /transaction/verify after commit; " +
      "refund.processed / refund.failed settle refunds.",
    tags: ["webhooks"],
    request: { headers: z.object({ "x-paystack-signature": z.string().optional() }) },
    responses: { 200: jsonResponse(Received, "Accepted; outcome says what it did.") },
    errors: SIGNATURE_ERRORS,
  }),
  async (c) => {
    const raw = new Uint8Array(await c.req.arrayBuffer());
    return c.json(await paystackWebhook(raw, c.req.header("x-paystack-signature"), clientIp(c)), 200);
  },
);

app.openapi(
  route({
    method: "post",
    path: "/dispatch",
    summary: "Perform due provider work (refund calls, Paystack verification, Paystack status checks)",
    description: "A pending Paystack payment whose reservation expires within commerce.settings." +
      "paystack_check_minutes is verified with Paystack (no webhook tells of a failed or abandoned " +
      "charge): success pays it, failed/abandoned/reversed after expiry fails it and cancels the order.",
    tags: ["jobs"],
    middleware: [requireService()],
    responses: {
      200: jsonResponse(
        z.object({
          refundsSent: z.number().int(),
          refundsFailed: z.number().int(),
          chargesVerified: z.number().int(),
          chargesRejected: z.number().int(),
          paymentsChecked: z.number().int(),
          paymentsPaid: z.number().int(),
          paymentsFailed: z.number().int(),
          deferred: z.number().int(),
        }),
        "What this run did.",
      ),
    },
  }),
  async (c) => c.json(await dispatchProviderWork(), 200),
);

export default app;
