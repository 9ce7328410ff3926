// @ts-check
/// <reference lib="dom" />
// Tracking: active sessions, events per minute, funnel drop-off and the p95 of the most sampled
// performance metric. Fed by the analytics function (/realtime, /funnel, /metrics, /performance), live
// from the private topic analytics:tracking (event rollup, sent by every rollup run). The metric is the
// one /analytics/metrics lists first (most samples in 90 days): the names are whatever clients send
// (the demo seed sends lcp and ttfb), so a fixed name would show nothing on most projects.
import { chart, debounced, find, isDenied, percent, setSeries, text } from "./charts.js";

/** @typedef {import("../types.js").Database["tracking"]["Tables"]["rollup_metrics"]["Row"]} MetricRollup */
/** GET /analytics/metrics: names from tracking.rollup_metrics with their day samples. */
/** @typedef {{ metrics: Array<{ name: MetricRollup["name"], samples: MetricRollup["samples"] }> }} MetricList */
/**
 * GET /analytics/performance (tracking.analytics_performance's JSON).
 * @typedef {{ overall?: { p95: MetricRollup["p95"] }, buckets?: Array<{ bucket: MetricRollup["bucket"],
 *   p95: MetricRollup["p95"] }> }} Performance
 */

const template = `
  <h2>Tracking <small>(last 5 minutes, funnel and p95 over 24 h)</small></h2>
  <div class="kpis">
    <div class="kpi"><b data-testid="tracking-active-sessions">–</b><small>active sessions</small></div>
    <div class="kpi"><b data-testid="tracking-events-per-minute">–</b><small>events per minute</small></div>
    <div class="kpi"><b data-testid="tracking-p95">–</b><small><span data-testid="tracking-metric">metric</span> p95</small></div>
    <div class="kpi"><b data-testid="tracking-rollup">–</b><small>rollups as of</small></div>
  </div>
  <div class="grid">
    <figure><figcaption>Funnel drop-off</figcaption><div style="height:12rem"><canvas data-chart="funnel"></canvas></div></figure>
    <figure><figcaption><span data-metric-label>metric</span> p95 by bucket</figcaption><div style="height:12rem"><canvas data-chart="p95"></canvas></div></figure>
  </div>`;

/** @type {import("../types.js").Panel} */
export default {
  id: "tracking",
  title: "Tracking",
  topics: ["analytics:tracking"],
  mount(element, { call, Chart }) {
    element.innerHTML = template;
    /** @param {string} selector */
    const q = (selector) => find(element, selector);
    /** @param {string} name @returns {HTMLCanvasElement} */
    const canvas = (name) => find(element, `[data-chart="${name}"]`);
    const charts = {
      funnel: chart(Chart, canvas("funnel"), "bar"),
      p95: chart(Chart, canvas("p95"), "bar"),
    };
    async function load() {
      const [live, funnel, metrics] = await Promise.all([
        call("analytics/realtime"),
        call("analytics/funnel?range=24h"),
        call("analytics/metrics"),
      ]);
      if ([live, funnel, metrics].some((r) => isDenied(r.status))) return "denied";
      for (const r of [live, funnel, metrics]) {
        if (r.status !== 200) throw new Error(`analytics answered ${r.status}`);
      }
      const metric = /** @type {MetricList} */ (metrics.body).metrics[0]?.name ?? null;
      /** @type {Performance} */
      let performance = {};
      if (metric) {
        const answer = await call(`analytics/performance?metric=${encodeURIComponent(metric)}&range=24h`);
        if (isDenied(answer.status)) return "denied";
        if (answer.status !== 200) throw new Error(`analytics answered ${answer.status}`);
        performance = answer.body;
      }
      const label = metric ? text(metric) : "no metric yet";
      q('[data-testid="tracking-metric"]').innerHTML = label;
      q("[data-metric-label]").innerHTML = label;
      q('[data-testid="tracking-active-sessions"]').textContent = live.body.activeSessions;
      q('[data-testid="tracking-events-per-minute"]').textContent = (Number(live.body.events) / 5).toFixed(1);
      const p95 = performance.overall?.p95;
      q('[data-testid="tracking-p95"]').textContent = p95 === null || p95 === undefined
        ? "–"
        : String(Math.round(p95));
      const asOf = live.body.rollupsProcessedUntil;
      q('[data-testid="tracking-rollup"]').textContent = asOf ? new Date(asOf).toLocaleTimeString() : "–";
      /** @type {Array<{ name: string, sessions: number, dropOffRate: number }>} */
      const steps = funnel.body.steps ?? [];
      setSeries(
        charts.funnel,
        steps.map((s) => `${s.name} (${percent(s.dropOffRate)})`),
        steps.map((s) => s.sessions),
      );
      const buckets = performance.buckets ?? [];
      setSeries(
        charts.p95,
        buckets.map((b) => new Date(b.bucket).toLocaleTimeString()),
        buckets.map((b) => b.p95 ?? 0),
      );
      return "ok";
    }
    const refresh = debounced(load, 150);
    return {
      refresh,
      /** @param {string} _topic @param {string} event */
      onBroadcast(_topic, event) {
        if (event === "rollup") refresh();
      },
      destroy() {
        Object.values(charts).forEach((c) => c.destroy());
      },
    };
  },
};
