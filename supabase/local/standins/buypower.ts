// A local BuyPower v2 sandbox (never deployed): `./dev start` runs it so a new user can validate
// meters and vend locally, and the test fakes build on its protocol core. It speaks what clients of
// the real API rely on: Bearer API key, JSON, every response signed in `x-buypower-signature` (hex
// SHA-512 of the body followed by the API key), check/meter with per-meter limits, POST /vend with
// 20-digit tokens and 409 for a repeated orderId, 422 when the wallet runs dry, requery by orderId
// (404 with code 20 when unknown), wallet balance and DISCO status.
//
//   deno run -A supabase/local/standins/buypower.ts   (port from PB_INSTANCE, key BUYPOWER_API_KEY)
import { createHash } from "node:crypto";
import { instancePorts, LOCAL_BUYPOWER_API_KEY, type StackConfig } from "../stack.ts";

export const DISCOS = [
  "ABUJA",
  "EKO",
  "IKEJA",
  "IBADAN",
  "ENUGU",
  "PH",
  "JOS",
  "KADUNA",
  "KANO",
  "BENIN",
  "YOLA",
];

export interface SandboxOptions {
  apiKey: string;
  /** How long each answer takes (the bench uses 50 ms). */
  latencyMs?: number;
  /** The operator wallet, naira. */
  walletNaira?: number;
}

// deno-lint-ignore no-explicit-any -- JSON bodies of the protocol
type Json = any;

export interface VendRecord {
  orderId: string;
  meter: string;
  disco: string;
  vendType: string;
  amount: number;
  data: Json;
}

export function signature(body: string, apiKey: string): string {
  return createHash("sha512").update(body + apiKey).digest("hex");
}

const digitsOf = (text: string) =>
  [...createHash("sha256").update(text).digest()].map((b) => b % 10).join("");

/** Per-meter facts, derived from the number so they are stable: name, address, tariff, limits. */
export function meterFacts(meter: string, disco: string) {
  const digits = digitsOf(`${disco}:${meter}`);
  const names = [
    "Adaeze Okafor",
    "Babatunde Adeyemi",
    "Chinedu Eze",
    "Fatima Bello",
    "Ngozi Obi",
    "Yusuf Danjuma",
  ];
  const streets = ["Adeola Odeku St", "Awolowo Rd", "Ahmadu Bello Way", "Aba Rd", "Murtala Mohammed Way"];
  return {
    name: names[Number(digits[0]) % names.length],
    address: `${Number(digits.slice(1, 3)) + 1} ${streets[Number(digits[3]) % streets.length]}`,
    tariff: `R${(Number(digits[4]) % 3) + 2}`,
    tariffClass: ["A", "B", "C"][Number(digits[5]) % 3],
    // Limits differ per meter: minimum ₦100-₦500, maximum ₦50,000-₦100,000.
    minVendAmount: 100 + (Number(digits[6]) % 5) * 100,
    maxVendAmount: 50000 + (Number(digits[7]) % 6) * 10000,
    outstanding: Number(digits[8]) > 6 ? Number(digits.slice(9, 12)) : 0,
  };
}

/** A tampered answer: the body changed after signing (a proxy rewrote it, or an attacker did). */
function tampered(body: string): string {
  const rewritten = body.replace(/"units":"?[\d.]+"?/, '"units":"999"').replace(/\d(?=-\d{4}")/, "0");
  return rewritten === body ? `${body} ` : rewritten;
}

export class BuyPowerSandbox {
  readonly transactions = new Map<string, VendRecord>();
  wallet: number;
  private sequence = 0;

  constructor(readonly options: SandboxOptions) {
    this.wallet = options.walletNaira ?? 50_000_000;
  }

  /** A signed JSON response. */
  respond(status: number, payload: Json, tamper = false): Response {
    const body = JSON.stringify(payload);
    const signed = signature(body, this.options.apiKey);
    const sent = tamper ? tampered(body) : body;
    return new Response(sent, {
      status,
      headers: { "content-type": "application/json", "x-buypower-signature": signed },
    });
  }

  authorized(request: Request): boolean {
    return request.headers.get("authorization") === `Bearer ${this.options.apiKey}`;
  }

  checkMeter(url: URL): [number, Json] {
    const meter = url.searchParams.get("meter") ?? "";
    const disco = (url.searchParams.get("disco") ?? "").toUpperCase();
    const vendType = (url.searchParams.get("vendType") ?? "PREPAID").toUpperCase();
    if (!DISCOS.includes(disco)) return [400, { error: true, responseCode: 400, message: "Invalid disco" }];
    const valid = vendType === "PREPAID"
      ? /^(\d{11}|\d{13})$/.test(meter)
      : /^[0-9A-Za-z-]{6,20}$/.test(meter);
    // Meters ending in 000 do not exist at the DISCO: the sandbox's way to show "not found".
    if (!valid || meter.endsWith("000")) {
      return [404, {
        error: true,
        responseCode: 404,
        message: "Meter not found. Please check the meter number.",
      }];
    }
    return [200, {
      error: false,
      discoCode: disco,
      vendType,
      meterNo: meter,
      responseCode: 100,
      debtRepayment: 0,
      ...meterFacts(meter, disco),
    }];
  }

  /** Processes a vend: [status, payload]; a new orderId is recorded, a repeated one is 409. */
  vend(body: Json): [number, Json] {
    const orderId = typeof body?.orderId === "string" ? body.orderId : "";
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(orderId)) {
      return [400, { status: false, responseCode: 400, message: "Invalid order id" }];
    }
    if (this.transactions.has(orderId)) {
      return [409, { status: false, responseCode: 409, message: "Request already received" }];
    }
    const disco = String(body.disco ?? "").toUpperCase();
    const meter = String(body.meter ?? "");
    const amount = Number(body.amount);
    const [checked, facts] = this.checkMeter(
      new URL(
        `http://x/?meter=${encodeURIComponent(meter)}&disco=${disco}&vendType=${body.vendType ?? "PREPAID"}`,
      ),
    );
    if (
      checked !== 200 || !Number.isFinite(amount) || amount < facts.minVendAmount ||
      amount > facts.maxVendAmount
    ) {
      return [400, { status: false, responseCode: 400, message: "Invalid vend request" }];
    }
    if (amount > this.wallet) {
      return [422, { status: false, responseCode: 422, message: "Insufficient wallet balance" }];
    }
    this.wallet -= amount;
    this.sequence++;
    const tokenDigits = digitsOf(`${orderId}:${this.sequence}`).slice(0, 20);
    const token = tokenDigits.match(/\d{4}/g)!.join("-");
    const tax = Math.round(amount * 0.075 * 100) / 100;
    const units = Math.round(((amount - tax) / 68.2) * 10) / 10;
    const data = {
      responseCode: 100,
      token: body.vendType === "POSTPAID" ? "" : token,
      units: String(units),
      vendRef: `BP${Date.now()}${this.sequence}`,
      receiptNo: `RCPT-${this.sequence.toString().padStart(8, "0")}`,
      amountGenerated: String(Math.round((amount - tax) * 100) / 100),
      tax: String(tax),
      totalAmountPaid: amount,
      parcels: body.vendType === "POSTPAID" ? [] : [{ type: "TOKEN", content: token }],
    };
    this.transactions.set(orderId, { orderId, meter, disco, vendType: String(body.vendType), amount, data });
    return [200, { status: true, responseCode: 200, data }];
  }

  requery(orderId: string): [number, Json] {
    const record = this.transactions.get(orderId);
    if (!record) {
      return [404, { status: false, responseCode: 404, code: 20, message: "Transaction not found" }];
    }
    return [200, { status: true, responseCode: 200, data: record.data }];
  }

  /** The whole protocol; `fetch`-shaped. */
  async handle(request: Request): Promise<Response> {
    if (new URL(request.url).pathname === "/health") return Response.json({ status: "ok" });
    if (this.options.latencyMs) await new Promise((resolve) => setTimeout(resolve, this.options.latencyMs));
    if (!this.authorized(request)) {
      return this.respond(401, { status: false, responseCode: 401, message: "Unauthorized" });
    }
    const url = new URL(request.url);
    const path = url.pathname.replace(/^\/v2/, "");
    if (request.method === "GET" && path === "/check/meter") return this.respond(...this.checkMeter(url));
    if (request.method === "POST" && path === "/vend") {
      let body: Json;
      try {
        body = await request.json();
      } catch {
        return this.respond(400, { status: false, responseCode: 400, message: "Invalid JSON" });
      }
      return this.respond(...this.vend(body));
    }
    const requery = path.match(/^\/transaction\/([^/]+)$/);
    if (request.method === "GET" && requery) {
      return this.respond(...this.requery(decodeURIComponent(requery[1])));
    }
    if (request.method === "GET" && path === "/wallet/balance") {
      return this.respond(200, { status: true, data: { balance: this.wallet } });
    }
    if (request.method === "GET" && path === "/discos/status") {
      return this.respond(200, Object.fromEntries(DISCOS.map((code) => [code, true])));
    }
    return this.respond(404, { status: false, responseCode: 404, message: "Not found" });
  }
}

/** The stand-in's port, from the stack's port table (supabase/local/stack.ts). */
export function standinPort(instance = Number(Deno.env.get("PB_INSTANCE") ?? "0")): number {
  return instancePorts(instance).buypower;
}

/** What `./dev status` checks (supabase/local/standins/README.md). */
export const standin = {
  name: "buypower",
  healthUrl: (config: StackConfig) => `${config.buypowerUrl}/health`,
};

export { LOCAL_BUYPOWER_API_KEY };

if (import.meta.main) {
  const sandbox = new BuyPowerSandbox({
    apiKey: Deno.env.get("BUYPOWER_API_KEY") ?? LOCAL_BUYPOWER_API_KEY,
    latencyMs: Number(Deno.env.get("BUYPOWER_LATENCY_MS") ?? "0"),
  });
  const port = Number(Deno.env.get("BUYPOWER_PORT") ?? standinPort());
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: () =>
      console.log(JSON.stringify({ level: "info", msg: `buypower sandbox on http://127.0.0.1:${port}/v2` })),
  }, (request) => sandbox.handle(request));
}
