// @ts-check
/// <reference lib="dom" />
// Tracking: active sessions, events per minute, funnel drop-off and performance p95. Fed by the
// analytics function (/realtime, /funnel, /performance), live from the private topic
// analytics:tracking (event rollup, sent by every rollup run).
import { chart, debounced, find, isDenied, percent, setSeries } from "./charts.js";

const METRIC = "api_response_time";

const template = `
  <h2>Tracking <small>(last 5 minutes, funnel and p95 over 24 h)</small></h2>
  <div class="kpis">
    <div class="kpi"><b data-testid="tracking-active-sessions">–</b><small>active sessions</small></div>
    <div class="kpi"><b data-testid="tracking-events-per-minute">–</b><small>events per minute</small></div>
    <div class="kpi"><b data-testid="tracking-p95">–</b><small>${METRIC} p95 (ms)</small></div>
    <div class="kpi"><b data-testid="tracking-rollup">–</b><small>rollups as of</small></div>
  </div>
  <div class="grid">
    <figure><figcaption>Funnel drop-off</figcaption><div style="height:12rem"><canvas data-chart="funnel"></canvas></div></figure>
    <figure><figcaption>${METRIC} p95 by bucket</figcaption><div style="height:12rem"><canvas data-chart="p95"></canvas></div></figure>
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
      const [live, funnel, performance] = await Promise.all([
        call("analytics/realtime"),
        call("analytics/funnel?range=24h"),
        call(`analytics/performance?metric=${METRIC}&range=24h`),
      ]);
      if ([live, funnel, performance].some((r) => isDenied(r.status))) return "denied";
      for (const r of [live, funnel, performance]) {
        if (r.status !== 200) throw new Error(`analytics answered ${r.status}`);
      }
      q('[data-testid="tracking-active-sessions"]').textContent = live.body.activeSessions;
      q('[data-testid="tracking-events-per-minute"]').textContent = (Number(live.body.events) / 5).toFixed(1);
      q('[data-testid="tracking-p95"]').textContent = performance.body.overall?.p95 ?? "–";
      const asOf = live.body.rollupsProcessedUntil;
      q('[data-testid="tracking-rollup"]').textContent = asOf ? new Date(asOf).toLocaleTimeString() : "–";
      /** @type {Array<{ name: string, sessions: number, dropOffRate: number }>} */
      const steps = funnel.body.steps ?? [];
      setSeries(
        charts.funnel,
        steps.map((s) => `${s.name} (${percent(s.dropOffRate)})`),
        steps.map((s) => s.sessions),
      );
      /** @type {Array<{ bucket: string, p95: number }>} */
      const buckets = performance.body.buckets ?? [];
      setSeries(
        charts.p95,
        buckets.map((b) => new Date(b.bucket).toLocaleTimeString()),
        buckets.map((b) => b.p95),
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
