// Provider work that must not run inside a webhook's or a staff request's transaction: refund calls
// (Stripe with an Idempotency-Key per refund; Paystack listed before a retry), the verification of
// Paystack charges (GET /transaction/verify/:reference must agree on status, amount and currency) and
// the status checks of pending Paystack payments near their reservation's expiry (Paystack sends no
// webhook for a failed or abandoned charge; verify reports it).
// Woken through pg_net after commit; a cron job wakes it every minute as a safety net.
import { asService, rpc, rpcRows } from "../db.ts";
import { log } from "../log.ts";
import { refundTransaction, verifyTransaction } from "./paystack.ts";
import { ProviderError } from "./provider-http.ts";
import { createRefund } from "./stripe.ts";

interface Work {
  kind: "refund" | "verify" | "check";
  id: string;
  provider: "stripe" | "paystack";
  reference: string | null;
  /** int8 arrives from postgres.js as a string. */
  amount_minor: string | number | null;
  currency: string | null;
  attempts: number;
}

export interface DispatchSummary {
  refundsSent: number;
  refundsFailed: number;
  chargesVerified: number;
  chargesRejected: number;
  /** Pending Paystack payments whose status was asked for, and what came of it. */
  paymentsChecked: number;
  paymentsPaid: number;
  paymentsFailed: number;
  deferred: number;
}

export async function dispatchProviderWork(maxRounds = 5): Promise<DispatchSummary> {
  const summary: DispatchSummary = {
    refundsSent: 0,
    refundsFailed: 0,
    chargesVerified: 0,
    chargesRejected: 0,
    paymentsChecked: 0,
    paymentsPaid: 0,
    paymentsFailed: 0,
    deferred: 0,
  };
  for (let round = 0; round < maxRounds; round++) {
    const work = await asService((tx) =>
      rpcRows<Work>(tx, "commerce.claim_provider_work", { max_items: 20 })
    );
    if (work.length === 0) break;
    await Promise.all(
      work.map((item) =>
        item.kind === "refund"
          ? sendRefund(item, summary)
          : item.kind === "verify"
          ? verifyCharge(item, summary)
          : checkPayment(item, summary)
      ),
    );
  }
  return summary;
}

async function sendRefund(item: Work, summary: DispatchSummary): Promise<void> {
  try {
    let reference: string;
    let status: string;
    if (item.provider === "stripe") {
      const refund = await createRefund({
        paymentIntent: item.reference!,
        amountMinor: Number(item.amount_minor),
        refundId: item.id,
      });
      reference = refund.id;
      status = refund.status;
    } else {
      const refund = await refundTransaction({
        reference: item.reference!,
        amountMinor: Number(item.amount_minor),
        refundId: item.id,
        earlierAttempts: item.attempts - 1,
      });
      reference = String(refund.id);
      status = refund.status;
    }
    await asService((tx) =>
      rpc<void>(tx, "commerce.refund_sent", {
        refund_id: item.id,
        provider_reference: reference,
        provider_status: status,
      })
    );
    summary.refundsSent++;
  } catch (error) {
    summary.refundsFailed++;
    log("warn", "refund not sent", { refundId: item.id, provider: item.provider, error: String(error) });
    await asService((tx) =>
      rpc<void>(tx, "commerce.refund_send_failed", { refund_id: item.id, error: String(error) })
    );
  }
}

async function verifyCharge(item: Work, summary: DispatchSummary): Promise<void> {
  const webhookEventId = Number(item.id);
  let transaction;
  try {
    transaction = await verifyTransaction(item.reference!);
  } catch (error) {
    if (error instanceof ProviderError && !error.retryable) {
      await asService((tx) =>
        rpc(tx, "commerce.settle_webhook_event", {
          webhook_event_id: webhookEventId,
          outcome: "rejected",
          detail: `verify refused: ${error.message}`,
        })
      );
      summary.chargesRejected++;
      return;
    }
    summary.deferred++;
    log("warn", "paystack verification deferred", { webhookEventId, error: String(error) });
    return;
  }
  const matches = transaction.status === "success" && transaction.amount === Number(item.amount_minor) &&
    transaction.currency === item.currency && transaction.reference === item.reference;
  if (!matches) {
    await asService((tx) =>
      rpc(tx, "commerce.settle_webhook_event", {
        webhook_event_id: webhookEventId,
        outcome: "rejected",
        detail: `verify says ${transaction.status} ${transaction.amount} ${transaction.currency}`,
      })
    );
    summary.chargesRejected++;
    return;
  }
  const metadata = typeof transaction.metadata === "object" && transaction.metadata
    ? transaction.metadata
    : {};
  const paymentId = typeof metadata.payment_id === "string" ? metadata.payment_id : null;
  await asService((tx) =>
    rpc(tx, "commerce.apply_payment_update", {
      webhook_event_id: webhookEventId,
      provider: "paystack",
      reference: transaction.reference,
      payment_id: paymentId && /^[0-9a-f-]{36}$/i.test(paymentId) ? paymentId : null,
      new_status: "succeeded",
      amount_minor: transaction.amount,
      currency: transaction.currency,
      card_fingerprint: transaction.authorization?.signature ?? null,
    })
  );
  summary.chargesVerified++;
}

/** Asks Paystack for a pending payment's transaction; what it says is applied in one transaction. */
async function checkPayment(item: Work, summary: DispatchSummary): Promise<void> {
  let transaction;
  try {
    // One attempt: the claim's growing pause is the retry, so a slow Paystack holds no dispatcher.
    transaction = await verifyTransaction(item.reference!, undefined, 0);
  } catch (error) {
    summary.deferred++;
    log("warn", "paystack status check deferred", { paymentId: item.id, error: String(error) });
    return;
  }
  summary.paymentsChecked++;
  const outcome = await asService((tx) =>
    rpc<string>(tx, "commerce.apply_payment_check", {
      payment_id: item.id,
      provider_status: transaction.status,
      reference: transaction.reference ?? item.reference,
      amount_minor: transaction.amount,
      currency: transaction.currency,
      card_fingerprint: transaction.authorization?.signature ?? null,
    })
  );
  if (outcome === "applied") {
    if (transaction.status === "success") summary.paymentsPaid++;
    else summary.paymentsFailed++;
  }
}
