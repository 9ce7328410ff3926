// A local Paystack for `./dev start` and the tests: transaction/initialize (kobo, our reference,
// duplicate references refused), the hosted checkout page (opening authorization_url completes the
// charge and delivers charge.success, as a customer paying would; `?card=declined` fails it, and like
// Paystack nothing is delivered for a failed charge), transaction/verify/:reference (a transaction
// nobody completed reads `abandoned`, as at Paystack),
// refund (create, list by transaction) with refund.processed deliveries, Bearer auth, and webhook
// signatures (x-paystack-signature: hex HMAC-SHA512 of the body with the secret key).
import { paystackSignature } from "../../../shared/commerce/paystack.ts";
import type { StackConfig } from "../stack.ts";
import { deliver, randomId, type RecordedCall, StandinControl } from "./faults.ts";

/** For `./dev status` (supabase/local/standins/README.md): a control route that answers while it is up. */
export const standin = {
  name: "paystack",
  healthUrl: (config: StackConfig) => `${config.paystackUrl}/_standin/calls?match=status-check`,
};

export interface PaystackStandinOptions {
  secretKey: string;
  /** Public base of this stand-in, for authorization_url. */
  publicUrl: string;
  webhookUrl: string | null;
}

interface Transaction {
  id: number;
  reference: string;
  access_code: string;
  amount: number;
  currency: string;
  /** Paystack's verify statuses; an initialized transaction nobody completed is `abandoned`. */
  status: "abandoned" | "ongoing" | "success" | "failed" | "reversed";
  gateway_response: string;
  email: string;
  metadata: Record<string, unknown>;
  callback_url: string | null;
  paid_at: string | null;
  refunded: number;
}

interface Refund {
  id: number;
  transaction: { id: number; reference: string };
  amount: number;
  currency: string;
  status: "pending" | "processed" | "failed";
  merchant_note: string | null;
  createdAt: string;
}

const fail = (status: number, message: string) => Response.json({ status: false, message }, { status });
const ok = (message: string, data: unknown) => Response.json({ status: true, message, data });

export function createPaystackStandin(options: PaystackStandinOptions) {
  const control = new StandinControl();
  const transactions = new Map<string, Transaction>();
  const byAccessCode = new Map<string, Transaction>();
  const refunds: Refund[] = [];
  const events: Array<{ event: string; payload: string }> = [];
  let nextId = 4_000_000_000 + Math.floor(Math.random() * 1_000_000);

  async function emit(event: string, data: unknown) {
    const payload = JSON.stringify({ event, data });
    events.push({ event, payload });
    if (!options.webhookUrl) return;
    const url = options.webhookUrl;
    const signature = await paystackSignature(payload, options.secretKey);
    queueMicrotask(() => void deliver(url, payload, { "x-paystack-signature": signature }));
  }

  const transactionData = (t: Transaction) => ({
    id: t.id,
    domain: "test",
    status: t.status,
    gateway_response: t.gateway_response,
    reference: t.reference,
    amount: t.amount,
    currency: t.currency,
    paid_at: t.paid_at,
    channel: "card",
    metadata: t.metadata,
    customer: { email: t.email },
    authorization: {
      signature: `SIG_${t.email.length}${t.email.slice(0, 3)}`,
      card_type: "visa",
      last4: "4081",
    },
  });

  function initialize(body: Record<string, unknown>): Response {
    const amount = Number(body.amount);
    if (!Number.isInteger(amount) || amount < 100) return fail(400, "Invalid Amount Sent");
    if (typeof body.email !== "string" || !body.email.includes("@")) {
      return fail(400, "Invalid Email Address Passed");
    }
    const currency = String(body.currency ?? "NGN");
    if (currency !== "NGN") return fail(403, "Currency not supported by merchant");
    const reference = typeof body.reference === "string" && body.reference
      ? body.reference
      : randomId("", 12);
    if (transactions.has(reference)) return fail(400, "Duplicate Transaction Reference");
    const transaction: Transaction = {
      id: nextId++,
      reference,
      access_code: randomId("", 15),
      amount,
      currency,
      status: "abandoned",
      gateway_response: "The transaction was not completed",
      email: body.email,
      metadata: (body.metadata ?? {}) as Record<string, unknown>,
      callback_url: typeof body.callback_url === "string" ? body.callback_url : null,
      paid_at: null,
      refunded: 0,
    };
    transactions.set(reference, transaction);
    byAccessCode.set(transaction.access_code, transaction);
    return ok("Authorization URL created", {
      authorization_url: `${options.publicUrl}/checkout/${transaction.access_code}`,
      access_code: transaction.access_code,
      reference,
    });
  }

  /** The customer's attempt on the checkout page; only a success is delivered, as at Paystack. */
  async function settle(transaction: Transaction, outcome: "success" | "failed" | "ongoing", deliver = true) {
    if (transaction.status === "success" || transaction.status === "reversed") return;
    transaction.status = outcome;
    transaction.gateway_response = outcome === "success"
      ? "Successful"
      : outcome === "failed"
      ? "Declined"
      : "The customer is completing the payment";
    if (outcome !== "success") return;
    transaction.paid_at = new Date().toISOString();
    if (deliver) await emit("charge.success", transactionData(transaction));
  }

  async function pay(accessCode: string, declined: boolean): Promise<Response> {
    const transaction = byAccessCode.get(accessCode);
    if (!transaction) return new Response("Unknown checkout", { status: 404 });
    await settle(transaction, declined ? "failed" : "success");
    if (declined) {
      return new Response(`<!doctype html><p>Payment ${transaction.reference} declined.</p>`, {
        status: 402,
        headers: { "content-type": "text/html; charset=utf-8" },
      });
    }
    if (transaction.callback_url) {
      return Response.redirect(
        `${transaction.callback_url}?reference=${encodeURIComponent(transaction.reference)}`,
        302,
      );
    }
    return new Response(`<!doctype html><p>Payment ${transaction.reference} complete.</p>`, {
      headers: { "content-type": "text/html; charset=utf-8" },
    });
  }

  function refund(body: Record<string, unknown>): Response {
    const key = String(body.transaction ?? "");
    const transaction = transactions.get(key) ?? [...transactions.values()].find((t) => String(t.id) === key);
    if (!transaction) return fail(404, "Transaction not found");
    if (transaction.status !== "success") return fail(400, "Cannot refund an unsuccessful transaction");
    const remaining = transaction.amount - transaction.refunded;
    const amount = body.amount === undefined ? remaining : Number(body.amount);
    if (!Number.isInteger(amount) || amount < 1 || amount > remaining) {
      return fail(400, "Refund amount cannot be greater than transaction amount");
    }
    transaction.refunded += amount;
    const created: Refund = {
      id: nextId++,
      transaction: { id: transaction.id, reference: transaction.reference },
      amount,
      currency: transaction.currency,
      status: "pending",
      merchant_note: typeof body.merchant_note === "string" ? body.merchant_note : null,
      createdAt: new Date().toISOString(),
    };
    refunds.push(created);
    setTimeout(async () => {
      created.status = "processed";
      await emit("refund.processed", {
        id: created.id,
        status: "processed",
        transaction_reference: transaction.reference,
        amount: created.amount,
        currency: created.currency,
        customer: { email: transaction.email },
      });
    }, 50);
    return ok("Refund has been queued for processing", created);
  }

  function route(request: Request, call: RecordedCall): Response {
    const url = new URL(request.url);
    const body = request.method === "POST" && call.body ? JSON.parse(call.body) : {};
    if (request.method === "POST" && call.path === "/transaction/initialize") return initialize(body);
    const verify = call.path.match(/^\/transaction\/verify\/(.+)$/);
    if (request.method === "GET" && verify) {
      const transaction = transactions.get(decodeURIComponent(verify[1]));
      return transaction
        ? ok("Verification successful", transactionData(transaction))
        : fail(400, "Transaction reference not found");
    }
    if (request.method === "POST" && call.path === "/refund") return refund(body);
    if (request.method === "GET" && url.pathname === "/refund") {
      const key = url.searchParams.get("transaction") ?? "";
      return ok(
        "Refunds retrieved",
        refunds.filter((r) => r.transaction.reference === key || String(r.transaction.id) === key),
      );
    }
    return fail(404, "Route not found");
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    // Tests: a transaction's outcome without the checkout page, e.g. a success whose webhook is lost.
    const scripted = url.pathname.match(/^\/_standin\/transactions\/([^/]+)$/);
    if (scripted && request.method === "POST") {
      const transaction = transactions.get(decodeURIComponent(scripted[1]));
      if (!transaction) return fail(404, "Transaction reference not found");
      const body = await request.json() as { status: "success" | "failed" | "ongoing"; deliver?: boolean };
      await settle(transaction, body.status, body.deliver ?? true);
      return ok("Transaction updated", transactionData(transaction));
    }
    const controlled = await control.handle(request, url.pathname);
    if (controlled) return controlled;
    const checkoutPage = url.pathname.match(/^\/checkout\/(\w+)$/);
    if (checkoutPage && request.method === "GET") {
      return await pay(checkoutPage[1], url.searchParams.get("card") === "declined");
    }
    const call: RecordedCall = {
      method: request.method,
      path: url.pathname + url.search,
      body: await request.text(),
      at: Date.now(),
    };
    control.calls.push(call);
    if (request.headers.get("authorization") !== `Bearer ${options.secretKey}`) {
      return fail(401, "Invalid key");
    }
    try {
      return await control.apply(control.take(call), () => Promise.resolve(route(request, call)));
    } catch (error) {
      return fail(400, `Bad request: ${String(error)}`);
    }
  }

  control.objects = (match) =>
    [...transactions.values(), ...refunds].filter((object) => JSON.stringify(object).includes(match));
  return { handle, control, transactions, refunds, events };
}
