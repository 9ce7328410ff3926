// BuyPower's B2B API (v2) over real HTTP: check/meter, vend, requery (GET /transaction/{orderId}),
// wallet balance and DISCO status. Every answer's `x-buypower-signature` (hex SHA-512 of the raw body
// followed by the API key) is checked before anything in it is trusted; each call comes back with a
// masked record for vending.vendor_calls. The client does not decide what an answer means for a vend:
// shared/vending/outcomes.ts does.
import { Buffer } from "node:buffer";
import { createHash, timingSafeEqual } from "node:crypto";
import { maskText } from "../log.ts";

export type VendType = "PREPAID" | "POSTPAID";

export interface VendorCall {
  endpoint: string;
  httpStatus: number | null;
  responseCode: number | null;
  latencyMs: number;
  signatureValid: boolean | null;
  outcome: string;
  summary: Record<string, unknown>;
  calledAt: string;
}

/** One answer: the HTTP status (null when none came), the parsed body when signed correctly. */
export interface VendorAnswer {
  httpStatus: number | null;
  /** Body responseCode (data.responseCode first), else the HTTP status. */
  code: number | null;
  signatureValid: boolean;
  // deno-lint-ignore no-explicit-any -- the vendor's JSON, read field by field by outcomes.ts
  body: any;
  /** timeout | network | null */
  failure: "timeout" | "network" | null;
  message: string;
  call: VendorCall;
}

export function signBody(body: string, apiKey: string): string {
  return createHash("sha512").update(body + apiKey).digest("hex");
}

export function verifySignature(body: string, apiKey: string, header: string | null): boolean {
  if (!header || !/^[0-9a-fA-F]{128}$/.test(header)) return false;
  return timingSafeEqual(Buffer.from(signBody(body, apiKey), "hex"), Buffer.from(header, "hex"));
}

/** Last three characters only: enough to tell meters apart in a log, useless to anyone else. */
export const maskMeter = (meter: string) => `***${meter.slice(-3)}`;

export interface BuyPowerOptions {
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

export interface VendRequest {
  orderId: string;
  meter: string;
  disco: string;
  vendType: VendType;
  /** Naira, as BuyPower takes it. */
  amount: number;
  phone: string;
  email?: string | null;
  name?: string | null;
}

export class BuyPowerClient {
  private readonly base: string;
  constructor(private readonly options: BuyPowerOptions) {
    this.base = options.baseUrl.replace(/\/$/, "");
  }

  checkMeter(meter: string, disco: string, vendType: VendType): Promise<VendorAnswer> {
    const query = new URLSearchParams({
      meter,
      disco,
      vendType,
      vertical: "ELECTRICITY",
      orderId: "false",
    });
    return this.call("GET /check/meter", `/check/meter?${query}`, undefined, {
      meter: maskMeter(meter),
      disco,
      vendType,
    });
  }

  vend(request: VendRequest): Promise<VendorAnswer> {
    const body = {
      orderId: request.orderId,
      meter: request.meter,
      disco: request.disco,
      paymentType: "B2B",
      vendType: request.vendType,
      vertical: "ELECTRICITY",
      amount: request.amount,
      phone: request.phone,
      ...(request.email ? { email: request.email } : {}),
      ...(request.name ? { name: request.name } : {}),
    };
    return this.call("POST /vend", "/vend?strict=0", body, {
      orderId: request.orderId,
      meter: maskMeter(request.meter),
      disco: request.disco,
      amount: request.amount,
    });
  }

  requery(orderId: string): Promise<VendorAnswer> {
    return this.call("GET /transaction", `/transaction/${encodeURIComponent(orderId)}`, undefined, {
      orderId,
    });
  }

  walletBalance(): Promise<VendorAnswer> {
    return this.call("GET /wallet/balance", "/wallet/balance", undefined, {});
  }

  discoStatus(): Promise<VendorAnswer> {
    return this.call("GET /discos/status", "/discos/status", undefined, {});
  }

  private async call(
    endpoint: string,
    path: string,
    json: unknown,
    summary: Record<string, unknown>,
  ): Promise<VendorAnswer> {
    const started = performance.now();
    const calledAt = new Date().toISOString();
    const doFetch = this.options.fetch ?? fetch;
    let httpStatus: number | null = null;
    let text = "";
    let failure: VendorAnswer["failure"] = null;
    let signatureValid = false;
    let message = "";
    // A timer cleared as soon as the answer is read, rather than AbortSignal.timeout: that one stays
    // armed for the whole timeout after every call and builds a DOMException when it fires, which at
    // 100 calls/s is a thousand live timers and a steady cost on the worker's event loop.
    const abort = new AbortController();
    const timer = setTimeout(
      () => abort.abort(new DOMException("vendor call timed out", "TimeoutError")),
      this.options.timeoutMs,
    );
    try {
      const response = await doFetch(`${this.base}${path}`, {
        method: json === undefined ? "GET" : "POST",
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: "application/json",
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
        signal: abort.signal,
      });
      httpStatus = response.status;
      text = await response.text();
      signatureValid = verifySignature(
        text,
        this.options.apiKey,
        response.headers.get("x-buypower-signature"),
      );
    } catch (error) {
      const name = (error as Error)?.name;
      failure = name === "TimeoutError" || name === "AbortError" ? "timeout" : "network";
      message = failure === "timeout" ? `no answer within ${this.options.timeoutMs} ms` : String(error);
    } finally {
      clearTimeout(timer);
    }
    const latencyMs = Math.round(performance.now() - started);
    // deno-lint-ignore no-explicit-any -- see VendorAnswer.body
    let body: any = null;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = null;
      }
    }
    // An unsigned or tampered body is not read at all: nothing in it is true.
    const trusted = signatureValid ? body : null;
    const bodyCode = Number(trusted?.data?.responseCode ?? trusted?.responseCode);
    const code = Number.isFinite(bodyCode) ? bodyCode : httpStatus;
    if (!message) message = typeof trusted?.message === "string" ? trusted.message : "";
    const outcome = failure ??
      (httpStatus !== null && !signatureValid ? "signature_invalid" : `http_${httpStatus}`);
    return {
      httpStatus,
      code,
      signatureValid,
      body: trusted,
      failure,
      message,
      call: {
        endpoint,
        httpStatus,
        responseCode: code,
        latencyMs,
        signatureValid: httpStatus === null ? null : signatureValid,
        outcome,
        summary: { ...summary, ...(message ? { message: maskText(message).slice(0, 300) } : {}) },
        calledAt,
      },
    };
  }
}
