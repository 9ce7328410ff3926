// A local Stripe for `./dev start` and the tests: PaymentIntents (create, retrieve, confirm), Refunds,
// Idempotency-Key replay (same key and parameters: the first answer; other parameters: 400
// idempotency_error), Bearer auth, and signed webhook deliveries (Stripe-Signature t=, v1=) to the
// local gateway: payment_intent.succeeded / payment_intent.payment_failed on confirm, refund.updated and
// charge.refunded after a refund. Confirm with payment_method=pm_card_chargeDeclined to fail.
import { stripeSignatureHeader } from "../../../shared/commerce/stripe.ts";
import type { StackConfig } from "../stack.ts";
import { deliver, randomId, type RecordedCall, StandinControl } from "./faults.ts";

/** For `./dev status` (supabase/local/standins/README.md): a control route that answers while it is up. */
export const standin = {
  name: "stripe",
  healthUrl: (config: StackConfig) => `${config.stripeUrl}/_standin/calls?match=status-check`,
};

export interface StripeStandinOptions {
  secretKey: string;
  webhookSecret: string;
  /** Where events go; null keeps them in `events` only (tests that deliver by hand). */
  webhookUrl: string | null;
}

interface Intent {
  id: string;
  object: "payment_intent";
  amount: number;
  amount_received: number;
  amount_refunded: number;
  currency: string;
  status: string;
  client_secret: string;
  metadata: Record<string, string>;
  receipt_email: string | null;
  latest_charge: string | null;
  created: number;
}

interface Refund {
  id: string;
  object: "refund";
  amount: number;
  currency: string;
  status: string;
  payment_intent: string;
  metadata: Record<string, string>;
  created: number;
}

function parseForm(body: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const path = key.replace(/\]/g, "").split("[");
    let target = out as Record<string, unknown>;
    for (const part of path.slice(0, -1)) target = (target[part] ??= {}) as Record<string, unknown>;
    target[path.at(-1)!] = value;
  }
  return out;
}

const stripeError = (status: number, type: string, message: string, code?: string) =>
  Response.json({ error: { type, code, message } }, { status });

export function createStripeStandin(options: StripeStandinOptions) {
  const control = new StandinControl();
  const intents = new Map<string, Intent>();
  const refunds = new Map<string, Refund>();
  const idempotent = new Map<string, { body: string; status: number; json: unknown }>();
  const events: Array<{ id: string; type: string; payload: string }> = [];
  const now = () => Math.floor(Date.now() / 1000);

  async function emit(type: string, object: unknown) {
    const event = {
      id: randomId("evt_"),
      object: "event",
      api_version: "2024-06-20",
      created: now(),
      type,
      livemode: false,
      data: { object },
    };
    const payload = JSON.stringify(event);
    events.push({ id: event.id, type, payload });
    if (!options.webhookUrl) return;
    const url = options.webhookUrl;
    const signature = await stripeSignatureHeader(payload, [options.webhookSecret], now());
    // Delivered after the API answer, as Stripe does.
    queueMicrotask(() => void deliver(url, payload, { "stripe-signature": signature }));
  }

  function createIntent(params: Record<string, unknown>): Response {
    const amount = Number(params.amount);
    if (!Number.isInteger(amount) || amount < 50) {
      return stripeError(
        400,
        "invalid_request_error",
        "Amount must be at least 50 cents",
        "amount_too_small",
      );
    }
    const currency = String(params.currency ?? "");
    if (!/^[a-z]{3}$/.test(currency)) {
      return stripeError(400, "invalid_request_error", "Invalid currency", "parameter_invalid");
    }
    const id = randomId("pi_");
    const intent: Intent = {
      id,
      object: "payment_intent",
      amount,
      amount_received: 0,
      amount_refunded: 0,
      currency,
      status: "requires_payment_method",
      client_secret: `${id}_secret_${randomId("", 16)}`,
      metadata: (params.metadata ?? {}) as Record<string, string>,
      receipt_email: (params.receipt_email as string) ?? null,
      latest_charge: null,
      created: now(),
    };
    intents.set(id, intent);
    return Response.json(intent);
  }

  async function confirm(intent: Intent, params: Record<string, unknown>): Promise<Response> {
    if (intent.status === "succeeded") {
      return stripeError(
        400,
        "invalid_request_error",
        "This PaymentIntent has already succeeded.",
        "payment_intent_unexpected_state",
      );
    }
    if (params.payment_method === "pm_card_chargeDeclined") {
      intent.status = "requires_payment_method";
      await emit("payment_intent.payment_failed", {
        ...intent,
        last_payment_error: { code: "card_declined" },
      });
      return Response.json(intent);
    }
    intent.status = "succeeded";
    intent.amount_received = intent.amount;
    intent.latest_charge = randomId("ch_");
    await emit("payment_intent.succeeded", intent);
    return Response.json(intent);
  }

  function createRefund(params: Record<string, unknown>): Response {
    const intent = intents.get(String(params.payment_intent ?? ""));
    if (!intent) {
      return stripeError(404, "invalid_request_error", "No such payment_intent", "resource_missing");
    }
    if (intent.status !== "succeeded") {
      return stripeError(
        400,
        "invalid_request_error",
        "This PaymentIntent has no successful charge to refund.",
        "charge_not_refundable",
      );
    }
    const remaining = intent.amount_received - intent.amount_refunded;
    const amount = params.amount === undefined ? remaining : Number(params.amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
      return stripeError(
        400,
        "invalid_request_error",
        `Refund amount exceeds the ${remaining} remaining.`,
        "amount_too_large",
      );
    }
    intent.amount_refunded += amount;
    const refund: Refund = {
      id: randomId("re_"),
      object: "refund",
      amount,
      currency: intent.currency,
      status: "pending",
      payment_intent: intent.id,
      metadata: (params.metadata ?? {}) as Record<string, string>,
      created: now(),
    };
    refunds.set(refund.id, refund);
    setTimeout(async () => {
      refund.status = "succeeded";
      await emit("refund.updated", refund);
      await emit("charge.refunded", {
        id: intent.latest_charge,
        object: "charge",
        payment_intent: intent.id,
        amount_refunded: intent.amount_refunded,
        refunds: { data: [refund] },
      });
    }, 50);
    return Response.json(refund);
  }

  async function route(request: Request, call: RecordedCall): Promise<Response> {
    const params = request.method === "POST" ? parseForm(call.body) : {};
    const confirmMatch = call.path.match(/^\/v1\/payment_intents\/([\w]+)\/confirm$/);
    const retrieveMatch = call.path.match(/^\/v1\/payment_intents\/([\w]+)$/);
    if (request.method === "POST" && call.path === "/v1/payment_intents") return createIntent(params);
    if (request.method === "POST" && call.path === "/v1/refunds") return createRefund(params);
    if (confirmMatch && request.method === "POST") {
      const intent = intents.get(confirmMatch[1]);
      return intent
        ? await confirm(intent, params)
        : stripeError(404, "invalid_request_error", "No such payment_intent", "resource_missing");
    }
    if (retrieveMatch && request.method === "GET") {
      const intent = intents.get(retrieveMatch[1]);
      return intent
        ? Response.json(intent)
        : stripeError(404, "invalid_request_error", "No such payment_intent", "resource_missing");
    }
    return stripeError(
      404,
      "invalid_request_error",
      `Unrecognized request URL (${request.method}: ${call.path}).`,
    );
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const controlled = await control.handle(request, url.pathname);
    if (controlled) return controlled;
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname,
      body: await request.text(),
      at: Date.now(),
    };
    control.calls.push(call);
    // Confirming is the customer's browser talking to Stripe with the publishable key or the client
    // secret; locally any caller may confirm. Everything else needs the secret key.
    const isConfirm = /\/confirm$/.test(call.path);
    if (!isConfirm && request.headers.get("authorization") !== `Bearer ${options.secretKey}`) {
      return stripeError(401, "invalid_request_error", "Invalid API Key provided.");
    }
    return await control.apply(control.take(call), async () => {
      const key = request.headers.get("idempotency-key");
      if (request.method === "POST" && key) {
        const stored = idempotent.get(key);
        if (stored) {
          if (stored.body !== call.body) {
            return stripeError(
              400,
              "idempotency_error",
              "Keys for idempotent requests can only be used with the same parameters they were first used with.",
            );
          }
          return Response.json(stored.json, {
            status: stored.status,
            headers: { "idempotent-replayed": "true" },
          });
        }
        const response = await route(request, call);
        const json = await response.clone().json();
        if (response.status < 500) idempotent.set(key, { body: call.body, status: response.status, json });
        return response;
      }
      return await route(request, call);
    });
  }

  control.objects = (match) =>
    [...intents.values(), ...refunds.values()].filter((object) => JSON.stringify(object).includes(match));
  return { handle, control, intents, refunds, events };
}
