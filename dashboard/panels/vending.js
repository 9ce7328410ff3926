// @ts-check
/// <reference lib="dom" />
// Vending: queue depth, success rate, breaker state and batch progress. Fed by
// GET /functions/v1/vend/counts?range=24h (vending.vend_counts; admin, analyst, support), the vending
// probe of GET /functions/v1/health/status (admin only: breaker, queue depth, pause) and
// GET /functions/v1/vend/batches/{id} for the batches an operator follows; each unfinished batch's
// progress is live from its private topic vending:batch:<id> (batch_progress). Vending has no route that
// lists batches and announces new ones on no topic, so the operator names the batch to follow (the
// batchId of the upload's answer); the followed ids are kept for the browser session.
import { debounced, find, isDenied, percent, text } from "./charts.js";

/** @typedef {import("../types.js").BatchRow} BatchRow */
/**
 * GET /vend/batches/{id} (shared/vending/batches.ts readBatch over vending.batches).
 * @typedef {{ batchId: BatchRow["id"], fileName: BatchRow["file_name"], accepted: BatchRow["accepted_count"],
 *   status: BatchRow["status"], createdAt: BatchRow["created_at"],
 *   counts: { succeeded: BatchRow["succeeded_count"], failed: BatchRow["failed_count"],
 *     needsAttention: BatchRow["attention_count"] } }} BatchAnswer
 */
/**
 * vending:batch:<id>, event batch_progress (private.vending_count_batch_items): the batch's counters,
 * and the message id realtime.send adds.
 * @typedef {{ id?: string, batchId: BatchRow["id"], accepted: BatchRow["accepted_count"],
 *   succeeded: BatchRow["succeeded_count"], failed: BatchRow["failed_count"],
 *   needsAttention: BatchRow["attention_count"], inFlight: number, status: BatchRow["status"] }} BatchProgress
 */
/**
 * A followed batch as the table shows it.
 * @typedef {{ id: BatchRow["id"], fileName?: BatchRow["file_name"], accepted: number, succeeded: number,
 *   failed: number, needsAttention: number, status: BatchRow["status"], createdAt?: BatchRow["created_at"] }} ShownBatch
 */

const BATCHES = 6;
const FINAL = ["succeeded", "failed", "needs_attention"];

const template = `
  <h2>Vending <small>(BuyPower, last 24 h)</small></h2>
  <div class="kpis">
    <div class="kpi"><b data-testid="vending-queue-depth">–</b><small>queue depth (due now)</small></div>
    <div class="kpi"><b data-testid="vending-success-rate">–</b><small>vend success</small></div>
    <div class="kpi"><b data-testid="vending-breaker">–</b><small>breaker</small></div>
    <div class="kpi"><b data-testid="vending-vends">–</b><small>vends (₦ vended)</small></div>
  </div>
  <p class="hint" data-testid="vending-health-note" hidden>Queue depth and breaker state are shown to admins
    only.</p>
  <figure><figcaption>Batches</figcaption>
    <form class="inline" data-testid="vending-follow-batch">
      <label>Follow batch <input name="batchId" placeholder="batchId from POST /vend/batches" size="38" required></label>
      <button type="submit">Follow</button> <span class="error" role="alert"></span>
    </form>
    <table class="batches" data-testid="vending-batches"></table></figure>`;

const FOLLOWED_KEY = "powerbase.dashboard.vending-batches";
const BATCH_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** @param {BatchAnswer} body @returns {ShownBatch} */
const batchFromRoute = (body) => ({
  id: body.batchId,
  fileName: body.fileName,
  accepted: body.accepted,
  succeeded: body.counts.succeeded,
  failed: body.counts.failed,
  needsAttention: body.counts.needsAttention,
  status: body.status,
  createdAt: body.createdAt,
});

/** @returns {string[]} */
const followedIds = () => JSON.parse(sessionStorage.getItem(FOLLOWED_KEY) ?? "[]");

/** @param {ShownBatch} batch */
function batchRow(batch) {
  const settled = batch.succeeded + batch.failed + batch.needsAttention;
  const share = batch.accepted === 0 ? 1 : settled / batch.accepted;
  return `<tr data-batch-id="${text(batch.id)}" data-status="${text(batch.status)}">
    <td>${text(batch.fileName ?? batch.id.slice(0, 8))}</td>
    <td><progress max="1" value="${share.toFixed(3)}"></progress></td>
    <td data-testid="batch-progress">${settled}/${batch.accepted}</td>
    <td>${batch.succeeded} ok · ${batch.failed} failed · ${batch.needsAttention} attention</td>
    <td>${text(batch.status)}</td></tr>`;
}

/** @type {import("../types.js").Panel} */
export default {
  id: "vending",
  title: "Vending",
  topics: [],
  mount(element, { call, watch }) {
    element.innerHTML = template;
    /** @param {string} selector */
    const q = (selector) => find(element, selector);
    /** @type {Map<string, ShownBatch>} */
    const batches = new Map();
    /** @type {Map<string, () => void>} */
    const watched = new Map();

    function renderBatches() {
      const rows = [...batches.values()].sort((a, b) =>
        String(b.createdAt).localeCompare(String(a.createdAt))
      );
      q('[data-testid="vending-batches"]').innerHTML = rows.length === 0
        ? "<tr><td>No batches yet.</td></tr>"
        : "<tr><th>file</th><th>progress</th><th>settled</th><th>outcomes</th><th>status</th></tr>" +
          rows.slice(0, BATCHES).map(batchRow).join("");
    }

    /** @param {ShownBatch} batch */
    function follow(batch) {
      const topic = `vending:batch:${batch.id}`;
      if (batch.status === "completed") {
        watched.get(topic)?.();
        watched.delete(topic);
      } else if (!watched.has(topic)) {
        watched.set(
          topic,
          watch(topic, onProgress, () => loadBatch(batch.id).then(renderBatches).catch(() => {})),
        );
      }
    }

    /** @param {string} event @param {Record<string, unknown>} message */
    function onProgress(event, message) {
      const payload = /** @type {BatchProgress} */ (message);
      const known = batches.get(payload.batchId);
      if (event !== "batch_progress" || !known) return;
      // realtime.send puts its message id into the payload as `id`: the batch is payload.batchId.
      const { id: _messageId, batchId, inFlight: _inFlight, ...progress } = payload;
      /** @type {ShownBatch} */
      const batch = { ...known, ...progress, id: batchId };
      batches.set(batch.id, batch);
      renderBatches();
      follow(batch);
      // Queue depth and success rate move with every batch step: refetch them (debounced) live.
      refresh().catch(() => {});
    }

    /** @param {string} id @returns {Promise<string | null>} the problem, or null once loaded */
    async function loadBatch(id) {
      const answer = await call(`vend/batches/${id}`);
      if (answer.status !== 200) return answer.body?.error?.message ?? `vend answered ${answer.status}`;
      const batch = batchFromRoute(answer.body);
      // A broadcast may be ahead of the row just read; keep the further one.
      const known = batches.get(batch.id);
      /** @param {ShownBatch} b */
      const settled = (b) => b.succeeded + b.failed + b.needsAttention;
      if (!known || settled(batch) >= settled(known)) batches.set(batch.id, batch);
      follow(/** @type {ShownBatch} */ (batches.get(batch.id)));
      return null;
    }

    async function loadBatches() {
      await Promise.all(followedIds().map(loadBatch));
      renderBatches();
    }

    /** @type {HTMLFormElement} */
    const form = find(element, '[data-testid="vending-follow-batch"]');
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = String(new FormData(form).get("batchId") ?? "").trim();
      const error = find(form, ".error");
      error.textContent = "";
      if (!BATCH_ID.test(id)) {
        error.textContent = "A batch id is a UUID.";
        return;
      }
      const problem = await loadBatch(id);
      if (problem) {
        error.textContent = problem;
        return;
      }
      sessionStorage.setItem(
        FOLLOWED_KEY,
        JSON.stringify([id, ...followedIds().filter((f) => f !== id)].slice(0, BATCHES)),
      );
      form.reset();
      renderBatches();
    });

    async function load() {
      const [counts, health] = await Promise.all([call("vend/counts?range=24h"), call("health/status")]);
      if (isDenied(counts.status)) return "denied";
      if (counts.status !== 200) throw new Error(`vend answered ${counts.status}`);
      /** @type {Record<string, number>} vending.vend_counts' vendsByStatus */
      const byStatus = counts.body.vendsByStatus ?? {};
      const total = Object.values(byStatus).reduce((sum, n) => sum + Number(n), 0);
      const final = FINAL.reduce((sum, status) => sum + Number(byStatus[status] ?? 0), 0);
      q('[data-testid="vending-success-rate"]').textContent = final === 0
        ? "no vends"
        : percent(Number(byStatus.succeeded ?? 0) / final);
      const naira = Number(counts.body.amountSucceededKobo ?? 0) / 100;
      q('[data-testid="vending-vends"]').textContent = `${total} (₦${naira.toLocaleString("en")})`;

      // Health is admin only (503 still carries the report when the database is down).
      const probe = health.status === 200 || health.status === 503 ? health.body.vending : null;
      q('[data-testid="vending-health-note"]').hidden = !isDenied(health.status);
      const status = probe?.ok ? probe.value : null;
      q('[data-testid="vending-queue-depth"]').textContent = status
        ? `${status.queueDepth} (${status.dueNow})`
        : "–";
      const breaker = q('[data-testid="vending-breaker"]');
      breaker.textContent = status
        ? (status.paused ? `${status.breakerState}, paused` : status.breakerState)
        : "–";
      breaker.dataset.state = status?.breakerState ?? "unknown";

      await loadBatches();
      return "ok";
    }

    const refresh = debounced(load, 150);
    return {
      refresh,
      onBroadcast() {},
      destroy() {
        watched.forEach((leave) => leave());
        watched.clear();
      },
    };
  },
};
