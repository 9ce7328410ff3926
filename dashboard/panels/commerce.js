// @ts-check
/// <reference lib="dom" />
// Commerce: paid orders and revenue today (UTC), payment success rate, open low-stock and expiring-lot
// alerts. Fed by GET /functions/v1/orders/analytics/{revenue,payment-success} (commerce.revenue_by_day,
// commerce.payment_success_rate; analyst and admin) and GET /functions/v1/inventory/alerts (staff), live
// from the private topics commerce:stock-alerts (alert_raised, alert_resolved), commerce:payments
// (payment_succeeded, payment_failed) and commerce:orders (order_status_changed: a cancellation or a
// refund changes revenue too); orders, revenue and the success rate are refetched on each.
import { chart, debounced, find, isDenied, percent, setSeries, text } from "./charts.js";

/** @typedef {import("../types.js").RevenueRow} RevenueRow */
/** @typedef {import("../types.js").PaymentSuccessRow} PaymentSuccessRow */
/** @typedef {import("../types.js").StockAlert} StockAlert */
/** @typedef {import("../types.js").StockAlertBroadcast} StockAlertBroadcast */
/** An open alert: as listed (with its SKU), or as broadcast until the list is read again. */
/** @typedef {Partial<StockAlert> & Partial<StockAlertBroadcast> & Pick<StockAlert, "id" | "kind" | "raisedAt">} ShownAlert */
/** The details the low-stock trigger records (Json in the table). */
/** @typedef {{ available?: number, sku?: string }} AlertDetails */

const NEWEST = 12;

const template = `
  <h2>Commerce <small>(today, UTC)</small></h2>
  <div class="kpis">
    <div class="kpi"><b data-testid="commerce-orders-today">–</b><small>paid orders today</small></div>
    <div class="kpi"><b data-testid="commerce-revenue-today">–</b><small>revenue today</small></div>
    <div class="kpi"><b data-testid="commerce-payment-success">–</b><small>payment success</small></div>
    <div class="kpi"><b data-testid="commerce-open-alerts">–</b><small>open stock alerts</small></div>
  </div>
  <p class="hint" data-testid="commerce-analytics-note" hidden>Orders, revenue and payments are shown to
    analysts and admins only.</p>
  <div class="grid">
    <figure><figcaption>Payment success by provider</figcaption><div style="height:12rem"><canvas data-chart="payments"></canvas></div></figure>
    <figure><figcaption>Low-stock and expiring-lot alerts</figcaption><ol class="live" data-testid="commerce-stock-alerts"></ol></figure>
  </div>`;

/** @param {Date} now */
const startOfUtcDay = (now) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));

/**
 * Minor units per currency, e.g. "USD 1,234.50 · NGN 5,000.00".
 * @param {Record<string, number>} totals
 */
function money(totals) {
  const entries = Object.entries(totals);
  if (entries.length === 0) return "0";
  return entries.map(([currency, minor]) =>
    `${currency} ${
      (minor / 100).toLocaleString("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 })
    }`
  ).join(" · ");
}

/** @param {ShownAlert} alert */
function alertLine(alert) {
  const details = /** @type {AlertDetails} */ (alert.details ?? {});
  const sku = alert.sku ?? details.sku ?? alert.variantId;
  const what = alert.kind === "low_stock"
    ? `low stock${details.available !== undefined ? `: ${details.available} available` : ""}`
    : "lot expiring";
  return `<b>${text(sku)}</b> ${text(what)} <small>${
    text(new Date(alert.raisedAt).toLocaleString())
  }</small>`;
}

/** @type {import("../types.js").Panel} */
export default {
  id: "commerce",
  title: "Commerce",
  topics: ["commerce:stock-alerts", "commerce:payments", "commerce:orders"],
  mount(element, { call, Chart }) {
    element.innerHTML = template;
    /** @param {string} selector */
    const q = (selector) => find(element, selector);
    /** @type {HTMLCanvasElement} */
    const paymentsCanvas = find(element, '[data-chart="payments"]');
    const charts = { payments: chart(Chart, paymentsCanvas, "bar") };
    /** @type {Map<number, ShownAlert>} */
    const alerts = new Map();

    function renderAlerts() {
      const open = [...alerts.values()].sort((a, b) => String(b.raisedAt).localeCompare(String(a.raisedAt)));
      q('[data-testid="commerce-open-alerts"]').textContent = String(open.length);
      q('[data-testid="commerce-stock-alerts"]').innerHTML = open.slice(0, NEWEST).map((alert) =>
        `<li data-alert-id="${text(alert.id)}" data-sku="${text(alert.sku ?? "")}">${alertLine(alert)}</li>`
      ).join("");
    }

    async function load() {
      const now = new Date();
      const window = `from=${encodeURIComponent(startOfUtcDay(now).toISOString())}&to=${
        encodeURIComponent(now.toISOString())
      }`;
      const [openAlerts, revenue, payments] = await Promise.all([
        call("inventory/alerts?open=true"),
        call(`orders/analytics/revenue?${window}`),
        call(`orders/analytics/payment-success?${window}`),
      ]);
      if (isDenied(openAlerts.status)) return "denied";
      if (openAlerts.status !== 200) throw new Error(`inventory answered ${openAlerts.status}`);
      alerts.clear();
      /** @type {StockAlert[]} */
      const listed = openAlerts.body.items;
      for (const alert of listed) alerts.set(alert.id, alert);
      renderAlerts();

      // Support and sales see stock alerts; orders and payments are analytics (analyst, admin).
      const analytics = !isDenied(revenue.status) && !isDenied(payments.status);
      q('[data-testid="commerce-analytics-note"]').hidden = analytics;
      if (!analytics) return "ok";
      for (const r of [revenue, payments]) {
        if (r.status !== 200) throw new Error(`orders answered ${r.status}`);
      }
      /** @type {RevenueRow[]} */
      const revenueRows = revenue.body.items;
      /** @type {PaymentSuccessRow[]} */
      const paymentRows = payments.body.items;
      /** @type {Record<string, number>} */
      const revenueByCurrency = {};
      let orders = 0;
      for (const row of revenueRows) {
        orders += Number(row.orders);
        revenueByCurrency[row.currency] = (revenueByCurrency[row.currency] ?? 0) + Number(row.revenue_minor);
      }
      q('[data-testid="commerce-orders-today"]').textContent = String(orders);
      q('[data-testid="commerce-revenue-today"]').textContent = money(revenueByCurrency);
      const attempts = paymentRows.reduce((sum, p) => sum + Number(p.attempts), 0);
      const succeeded = paymentRows.reduce((sum, p) => sum + Number(p.succeeded), 0);
      q('[data-testid="commerce-payment-success"]').textContent = attempts === 0
        ? "no payments"
        : percent(succeeded / attempts);
      setSeries(
        charts.payments,
        paymentRows.map((p) => `${p.provider} (${p.succeeded}/${p.attempts})`),
        paymentRows.map((p) => Number(p.success_rate ?? 0) * 100),
      );
      return "ok";
    }

    const refresh = debounced(load, 150);
    return {
      refresh,
      /** @param {string} topic @param {string} event @param {StockAlertBroadcast} payload */
      onBroadcast(topic, event, payload) {
        if (topic === "commerce:payments" || topic === "commerce:orders") {
          refresh().catch(() => {});
          return;
        }
        // The broadcast carries the variant, not its SKU: show it at once, then refetch the named list.
        if (event === "alert_raised") alerts.set(payload.id, { ...payload, ...alerts.get(payload.id) });
        if (event === "alert_resolved") alerts.delete(payload.id);
        renderAlerts();
        refresh().catch(() => {});
      },
      destroy() {
        Object.values(charts).forEach((c) => c.destroy());
      },
    };
  },
};
