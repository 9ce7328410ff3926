// Runs the Stripe and Paystack stand-ins for the local stack, delivering their webhooks to this
// instance's gateway with the fixed local secrets.
import { LOCAL_PAYMENT_SETTINGS, type StackConfig } from "../stack.ts";
import { createPaystackStandin } from "./paystack.ts";
import { createStripeStandin } from "./stripe.ts";

export function startPaymentStandins(
  config: StackConfig,
  say: (msg: string) => void,
): Array<() => Promise<void>> {
  const stripe = createStripeStandin({
    secretKey: LOCAL_PAYMENT_SETTINGS.STRIPE_SECRET_KEY,
    webhookSecret: LOCAL_PAYMENT_SETTINGS.STRIPE_WEBHOOK_SECRET,
    webhookUrl: `${config.apiUrl}/functions/v1/payments-webhook/stripe`,
  });
  const paystack = createPaystackStandin({
    secretKey: LOCAL_PAYMENT_SETTINGS.PAYSTACK_SECRET_KEY,
    publicUrl: config.paystackUrl,
    webhookUrl: `${config.apiUrl}/functions/v1/payments-webhook/paystack`,
  });
  const servers = [
    Deno.serve({
      hostname: "127.0.0.1",
      port: config.ports.stripe,
      onListen: () => say(`stripe stand-in on ${config.stripeUrl}`),
    }, stripe.handle),
    Deno.serve({
      hostname: "127.0.0.1",
      port: config.ports.paystack,
      onListen: () => say(`paystack stand-in on ${config.paystackUrl}`),
    }, paystack.handle),
  ];
  return servers.map((server) => () => server.shutdown());
}
