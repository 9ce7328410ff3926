// @ts-check
/// <reference lib="dom" />
// Leads: totals, hot, conversion, the status pie, industry and score bars, the score x trust quality
// matrix, the funnel, top opportunities and the newest hot leads as they arrive. Fed by
// GET /functions/v1/leads/dashboard, live from the private topic leads:dashboard (event lead_hot).
import { chart, debounced, find, isDenied, percent, setSeries, text } from "./charts.js";

/** @typedef {import("../types.js").LeadsDashboard} LeadsDashboard */
/** @typedef {import("../types.js").HotLeadBroadcast} HotLeadBroadcast */
/** @typedef {LeadsDashboard["topOpportunities"][number]} Opportunity */
/** A lead in the newest-hot list: from the top opportunities or a lead_hot broadcast. */
/** @typedef {(Opportunity | HotLeadBroadcast) & { fresh?: boolean }} ListedLead */

const DAY = 24 * 3600 * 1000;
const NEWEST = 8;

const template = `
  <h2>Leads <small>(last 30 days)</small></h2>
  <div class="kpis">
    <div class="kpi"><b data-testid="leads-total">–</b><small>leads</small></div>
    <div class="kpi"><b data-testid="leads-hot-count">–</b><small>hot</small></div>
    <div class="kpi"><b data-testid="leads-conversion">–</b><small>conversion</small></div>
    <div class="kpi"><b data-testid="leads-average-score">–</b><small>average score</small></div>
  </div>
  <div class="grid">
    <figure><figcaption>Status</figcaption><div style="height:12rem"><canvas data-chart="status"></canvas></div></figure>
    <figure><figcaption>Industry</figcaption><div style="height:12rem"><canvas data-chart="industry"></canvas></div></figure>
    <figure><figcaption>Score</figcaption><div style="height:12rem"><canvas data-chart="score"></canvas></div></figure>
    <figure><figcaption>Funnel</figcaption><div style="height:12rem"><canvas data-chart="funnel"></canvas></div></figure>
    <figure><figcaption>Quality: score × trust</figcaption><table class="matrix" data-testid="leads-matrix"></table></figure>
    <figure><figcaption>Newest hot leads</figcaption><ol class="live" data-testid="leads-newest-hot"></ol></figure>
  </div>
  <figure><figcaption>Top opportunities</figcaption><table data-testid="leads-top"></table></figure>`;

/** @param {LeadsDashboard["qualityMatrix"]} cells */
function matrixTable(cells) {
  const scores = [...new Set(cells.map((c) => c.scoreBucket))].sort();
  const trusts = [...new Set(cells.map((c) => c.trustBucket))].sort();
  /** @param {string} s @param {string} t */
  const count = (s, t) => cells.find((c) => c.scoreBucket === s && c.trustBucket === t)?.count ?? 0;
  const max = Math.max(1, ...cells.map((c) => c.count));
  const head = `<tr><th>score \\ trust</th>${trusts.map((t) => `<th>${text(t)}</th>`).join("")}</tr>`;
  const rows = scores.map((s) =>
    `<tr><th>${text(s)}</th>${
      trusts.map((t) => {
        const n = count(s, t);
        return `<td style="background:rgba(255,107,74,${(n / max).toFixed(2)})">${n}</td>`;
      }).join("")
    }</tr>`
  );
  return cells.length ? head + rows.join("") : "<tr><td>no leads yet</td></tr>";
}

/** @param {ListedLead} lead */
const leadName = (lead) =>
  ("companyName" in lead ? lead.companyName : lead.company_name) ??
    ("firstName" in lead ? [lead.firstName, lead.lastName].filter(Boolean).join(" ") : null) ??
    lead.id;

/** @type {import("../types.js").Panel} */
export default {
  id: "leads",
  title: "Leads",
  topics: ["leads:dashboard"],
  mount(element, { call, Chart }) {
    element.innerHTML = template;
    /** @param {string} selector */
    const q = (selector) => find(element, selector);
    /** @param {string} name @returns {HTMLCanvasElement} */
    const canvas = (name) => find(element, `[data-chart="${name}"]`);
    const charts = {
      status: chart(Chart, canvas("status"), "doughnut"),
      industry: chart(Chart, canvas("industry"), "bar"),
      score: chart(Chart, canvas("score"), "bar"),
      funnel: chart(Chart, canvas("funnel"), "bar", { indexAxis: "y" }),
    };
    /** @type {ListedLead[]} */
    const newest = [];

    function renderNewest() {
      q('[data-testid="leads-newest-hot"]').innerHTML =
        newest.map((lead) =>
          `<li class="${lead.fresh ? "fresh" : ""}" data-lead-id="${text(lead.id)}">${
            text(leadName(lead))
          } · score ${text(lead.score)}${lead.industry ? ` · ${text(lead.industry)}` : ""}</li>`
        ).join("") || "<li>none yet</li>";
    }

    async function load() {
      const now = Date.now();
      const window = `from=${encodeURIComponent(new Date(now - 30 * DAY).toISOString())}&to=${
        encodeURIComponent(new Date(now + 60_000).toISOString())
      }&top=8`;
      const { status, body } = await call(`leads/dashboard?${window}`);
      if (isDenied(status)) return "denied";
      if (status !== 200) throw new Error(`leads dashboard answered ${status}`);
      /** @type {LeadsDashboard} */
      const { summary, distribution, qualityMatrix, funnel, topOpportunities } = body;
      q('[data-testid="leads-total"]').textContent = String(summary.total);
      q('[data-testid="leads-hot-count"]').textContent = String(summary.hot);
      q('[data-testid="leads-conversion"]').textContent = percent(summary.conversionRate);
      q('[data-testid="leads-average-score"]').textContent = String(summary.averageScore);
      setSeries(
        charts.status,
        distribution.byStatus.map((d) => d.key),
        distribution.byStatus.map((d) => d.count),
      );
      setSeries(
        charts.industry,
        distribution.byIndustry.map((d) => d.key),
        distribution.byIndustry.map((d) => d.count),
      );
      setSeries(
        charts.score,
        distribution.byScoreBucket.map((d) => d.key),
        distribution.byScoreBucket.map((d) => d.count),
      );
      setSeries(charts.funnel, funnel.map((s) => s.stage), funnel.map((s) => s.count));
      q('[data-testid="leads-matrix"]').innerHTML = matrixTable(qualityMatrix);
      q('[data-testid="leads-top"]').innerHTML =
        "<tr><th>lead</th><th>industry</th><th>score</th><th>trust</th><th>status</th></tr>" +
        topOpportunities.map((lead) =>
          `<tr><td>${text(leadName(lead))}</td><td>${text(lead.industry)}</td><td>${
            text(lead.score)
          }</td><td>${text(lead.trustScore)}</td><td>${text(lead.status)}</td></tr>`
        ).join("");
      if (newest.length === 0) {
        newest.push(...topOpportunities.filter((lead) => lead.status === "hot").slice(0, NEWEST));
        renderNewest();
      }
      return "ok";
    }
    const refresh = debounced(load, 150);

    return {
      refresh,
      /** @param {string} _topic @param {string} event @param {HotLeadBroadcast} payload */
      onBroadcast(_topic, event, payload) {
        if (event !== "lead_hot") return;
        newest.forEach((lead) => (lead.fresh = false));
        const index = newest.findIndex((lead) => lead.id === payload.id);
        if (index >= 0) newest.splice(index, 1);
        newest.unshift({ ...payload, fresh: true });
        newest.splice(NEWEST);
        renderNewest();
        refresh();
      },
      destroy() {
        Object.values(charts).forEach((c) => c.destroy());
      },
    };
  },
};
