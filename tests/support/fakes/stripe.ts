// Stripe for tests: the same stand-in `./dev start` runs (supabase/local/standins/stripe.ts), either
// in-process on a random port (client tests) or the running one, driven through its control routes
// (scripted timeouts, 5xx, 429; recorded calls); plus signed event deliveries built like Stripe's.
import { stripeSignatureHeader } from "../../../shared/commerce/stripe.ts";
import { createStripeStandin } from "../../../supabase/local/standins/stripe.ts";
import type { Fault, RecordedCall } from "../../../supabase/local/standins/faults.ts";
import { LOCAL_PAYMENT_SETTINGS } from "../../../supabase/local/stack.ts";
import { config } from "../harness.ts";

export const STRIPE_SECRET_KEY = LOCAL_PAYMENT_SETTINGS.STRIPE_SECRET_KEY;
export const STRIPE_WEBHOOK_SECRET = LOCAL_PAYMENT_SETTINGS.STRIPE_WEBHOOK_SECRET;

/** An in-process Stripe stand-in that delivers no webhooks (tests deliver by hand). */
export function startStripeFake() {
  const standin = createStripeStandin({
    secretKey: STRIPE_SECRET_KEY,
    webhookSecret: STRIPE_WEBHOOK_SECRET,
    webhookUrl: null,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, standin.handle);
  return { url: `http://127.0.0.1:${server.addr.port}`, standin, close: () => server.shutdown() };
}

/** The stack's running stand-in. */
export const runningStripe = {
  url: config.stripeUrl,
  async faults(faults: Fault[]): Promise<void> {
    const response = await fetch(`${config.stripeUrl}/_standin/faults`, {
      method: "POST",
      body: JSON.stringify({ faults }),
    });
    await response.body?.cancel();
  },
  async calls(match: string): Promise<RecordedCall[]> {
    const response = await fetch(`${config.stripeUrl}/_standin/calls?match=${encodeURIComponent(match)}`);
    return (await response.json()).calls;
  },
  async objects(match: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${config.stripeUrl}/_standin/objects?match=${encodeURIComponent(match)}`);
    return (await response.json()).objects;
  },
  /** What the customer's browser does with the clientSecret (Stripe.js confirmCardPayment). */
  async confirm(paymentIntentId: string, paymentMethod = "pm_card_visa") {
    const response = await fetch(`${config.stripeUrl}/v1/payment_intents/${paymentIntentId}/confirm`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `payment_method=${paymentMethod}`,
    });
    return await response.json();
  },
};

let sequence = 0;
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  id = `evt_test_${Date.now()}_${++sequence}_${crypto.randomUUID().slice(0, 8)}`,
) {
  return {
    id,
    object: "event",
    api_version: "2024-06-20",
    created: Math.floor(Date.now() / 1000),
    type,
    livemode: false,
    data: { object },
  };
}

/** Body and headers of a delivery as Stripe sends it; override secrets or the timestamp to forge one. */
export async function stripeDelivery(
  event: unknown,
  options: { secrets?: string[]; timestamp?: number; extra?: string } = {},
): Promise<{ body: string; headers: Record<string, string> }> {
  // A string is sent as it is (to sign bytes that are not JSON).
  const body = typeof event === "string" ? event : JSON.stringify(event);
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  let header = await stripeSignatureHeader(body, options.secrets ?? [STRIPE_WEBHOOK_SECRET], timestamp);
  if (options.extra) header += `,${options.extra}`;
  return { body, headers: { "stripe-signature": header, "content-type": "application/json" } };
}
