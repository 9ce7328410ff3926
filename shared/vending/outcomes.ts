// What a BuyPower answer means for a vend: the one place that applies the rule. An outcome that is
// not known for certain (timeout, 202, 409, 500, 502, an unsigned body) is `pending` and is requeried
// under the same orderId; only a requery saying the vendor never saw the order (203, 404 code 20)
// sends that same orderId again. A token is taken only from a response whose signature verified.
import type { VendorAnswer } from "./buypower.ts";

export type Settlement =
  | "succeeded"
  | "failed"
  | "pending"
  | "resubmit"
  | "released"
  | "needs_attention";

export interface VendResult {
  token: string | null;
  units: number | null;
  vendRef: string | null;
  receiptNo: string | null;
  amountGeneratedKobo: number | null;
  taxKobo: number | null;
  parcels: unknown[] | null;
}

export interface Decision {
  settlement: Settlement;
  /** Seconds to wait before the next attempt: the vendor's delay when it gave one, else backoff. */
  delaySeconds?: number;
  /** The vendor's requery schedule from a 202. */
  requeryDelays?: number[];
  result?: VendResult;
  /** Whether this answer speaks of the vendor's health (the breaker counts it as a failure). */
  vendorFailure: boolean;
  /** A 422 on submit: the operator wallet is empty. */
  pauseQueue?: boolean;
  reason: string;
}

const TOKEN = /^\d{4}(-?\d{4}){4}$/;
const kobo = (naira: unknown) => {
  const value = Number(naira);
  return Number.isFinite(value) ? Math.round(value * 100) : null;
};

/** The vend's data block when the answer is a verified success with what a success must carry. */
function success(answer: VendorAnswer, vendType: string): VendResult | null {
  if (!answer.signatureValid || answer.httpStatus !== 200) return null;
  const data = answer.body?.data;
  if (!data || Number(data.responseCode) !== 100) return null;
  const token = typeof data.token === "string" && data.token ? data.token : null;
  if (token !== null && !TOKEN.test(token)) return null;
  // A prepaid vend without a token has not succeeded, whatever the code says.
  if (vendType === "PREPAID" && token === null) return null;
  return {
    token,
    units: Number.isFinite(Number(data.units)) ? Number(data.units) : null,
    vendRef: data.vendRef != null ? String(data.vendRef) : null,
    receiptNo: data.receiptNo != null ? String(data.receiptNo) : null,
    amountGeneratedKobo: kobo(data.amountGenerated),
    taxKobo: kobo(data.tax),
    parcels: Array.isArray(data.parcels) ? data.parcels : null,
  };
}

function unknown(reason: string, vendorFailure: boolean): Decision {
  return { settlement: "pending", vendorFailure, reason };
}

/** The answer to POST /vend. */
export function decideSubmit(answer: VendorAnswer, vendType: string): Decision {
  if (answer.failure) return unknown(answer.failure, true);
  if (!answer.signatureValid) return unknown("signature_invalid", true);
  const result = success(answer, vendType);
  if (result) return { settlement: "succeeded", result, vendorFailure: false, reason: "vended" };
  switch (answer.httpStatus) {
    case 200:
    case 202: {
      const delays = Array.isArray(answer.body?.delay)
        ? answer.body.delay.map(Number).filter((n: number) => Number.isFinite(n) && n >= 0)
        : [];
      return {
        settlement: "pending",
        requeryDelays: delays,
        delaySeconds: delays[0],
        vendorFailure: false,
        reason: "in_progress",
      };
    }
    case 409:
      return unknown("already_received", false);
    case 500:
    case 502:
      return unknown(`vendor_${answer.httpStatus}`, true);
    case 400:
      return { settlement: "failed", vendorFailure: false, reason: "invalid_order" };
    case 501:
      return { settlement: "failed", vendorFailure: false, reason: "meter_maintenance" };
    case 422:
      return {
        settlement: "resubmit",
        vendorFailure: false,
        pauseQueue: true,
        reason: "insufficient_balance",
      };
    case 503:
      return { settlement: "resubmit", vendorFailure: true, reason: "vendor_unavailable" };
    case 429:
      return { settlement: "resubmit", vendorFailure: false, reason: "rate_limited" };
    default:
      // Anything else (401 for a wrong key, an unexpected status) may or may not have reached the
      // DISCO: treat it as unknown and requery, never as failed.
      return unknown(`vendor_${answer.httpStatus}`, (answer.httpStatus ?? 500) >= 500);
  }
}

/** The answer to GET /transaction/{orderId}. */
export function decideRequery(answer: VendorAnswer, vendType: string): Decision {
  if (answer.failure) return unknown(answer.failure, true);
  if (!answer.signatureValid) return unknown("signature_invalid", true);
  const result = success(answer, vendType);
  if (result) return { settlement: "succeeded", result, vendorFailure: false, reason: "vended" };
  if (answer.httpStatus === 404 && Number(answer.body?.code) === 20) {
    return { settlement: "resubmit", vendorFailure: false, reason: "not_found" };
  }
  if (answer.httpStatus === 429) return unknown("requery_too_early", false);
  if ((answer.httpStatus ?? 500) >= 500) return unknown(`vendor_${answer.httpStatus}`, true);
  switch (answer.code) {
    case 201:
      return unknown("still_processing", false);
    case 202:
      return { settlement: "failed", vendorFailure: false, reason: "vendor_failed" };
    case 203:
      return { settlement: "resubmit", vendorFailure: false, reason: "never_initiated" };
    default:
      return unknown(`vendor_code_${answer.code}`, false);
  }
}

/**
 * Exponential backoff with full jitter (a random wait up to base * 2^attempt, capped), so a herd of
 * vends that failed together does not come back together.
 */
export function backoffSeconds(
  attempt: number,
  baseSeconds = 2,
  capSeconds = 300,
  random = Math.random,
): number {
  const ceiling = Math.min(capSeconds, baseSeconds * 2 ** Math.max(0, attempt - 1));
  return Math.max(baseSeconds / 2, ceiling * random());
}
