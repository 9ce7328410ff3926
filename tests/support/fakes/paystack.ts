// Paystack for tests: the stand-in `./dev start` runs (supabase/local/standins/paystack.ts), in-process
// or the running one through its control routes, and signed deliveries built like Paystack's.
import { paystackSignature } from "../../../shared/commerce/paystack.ts";
import { createPaystackStandin } from "../../../supabase/local/standins/paystack.ts";
import type { Fault, RecordedCall } from "../../../supabase/local/standins/faults.ts";
import { LOCAL_PAYMENT_SETTINGS } from "../../../supabase/local/stack.ts";
import { config } from "../harness.ts";

export const PAYSTACK_SECRET_KEY = LOCAL_PAYMENT_SETTINGS.PAYSTACK_SECRET_KEY;

export function startPaystackFake() {
  let url = "";
  const standin = createPaystackStandin({
    secretKey: PAYSTACK_SECRET_KEY,
    get publicUrl() {
      return url;
    },
    webhookUrl: null,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, standin.handle);
  url = `http://127.0.0.1:${server.addr.port}`;
  return { url, standin, close: () => server.shutdown() };
}

export const runningPaystack = {
  url: config.paystackUrl,
  async faults(faults: Fault[]): Promise<void> {
    const response = await fetch(`${config.paystackUrl}/_standin/faults`, {
      method: "POST",
      body: JSON.stringify({ faults }),
    });
    await response.body?.cancel();
  },
  async calls(match: string): Promise<RecordedCall[]> {
    const response = await fetch(`${config.paystackUrl}/_standin/calls?match=${encodeURIComponent(match)}`);
    return (await response.json()).calls;
  },
  async objects(match: string): Promise<Array<Record<string, unknown>>> {
    const response = await fetch(`${config.paystackUrl}/_standin/objects?match=${encodeURIComponent(match)}`);
    return (await response.json()).objects;
  },
  /** The customer opening authorization_url and paying (or having the card declined). */
  async pay(authorizationUrl: string, options: { declined?: boolean } = {}): Promise<number> {
    const url = options.declined ? `${authorizationUrl}?card=declined` : authorizationUrl;
    const response = await fetch(url, { redirect: "manual" });
    await response.body?.cancel();
    return response.status;
  },
  /** A transaction's outcome without the checkout page; deliver: false loses its charge.success. */
  async settle(
    reference: string,
    status: "success" | "failed" | "ongoing",
    options: { deliver?: boolean } = {},
  ): Promise<void> {
    const response = await fetch(
      `${config.paystackUrl}/_standin/transactions/${encodeURIComponent(reference)}`,
      {
        method: "POST",
        body: JSON.stringify({ status, deliver: options.deliver ?? true }),
      },
    );
    if (!response.ok) throw new Error(`stand-in refused: ${await response.text()}`);
    await response.body?.cancel();
  },
};

export async function paystackDelivery(
  event: unknown,
  options: { secret?: string } = {},
): Promise<{ body: string; headers: Record<string, string> }> {
  const body = JSON.stringify(event);
  return {
    body,
    headers: {
      "x-paystack-signature": await paystackSignature(body, options.secret ?? PAYSTACK_SECRET_KEY),
      "content-type": "application/json",
    },
  };
}
