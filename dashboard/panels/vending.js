// Vending: queue depth, success rate, breaker state and batch progress. Fed by
// GET /functions/v1/vend/counts?range=24h (vending.vend_counts; admin, analyst, support), the vending
// probe of GET /functions/v1/health/status (admin only: breaker, queue depth, pause) and
// GET /functions/v1/vend/batches/{id} for the batches an operator follows; each unfinished batch's
// progress is live from its private topic vending:batch:<id> (batch_progress). Vending has no route that
// lists batches and announces new ones on no topic, so the operator names the batch to follow (the
// batchId of the upload's answer); the followed ids are kept for the browser session.
import { debounced, isDenied, percent, text } from "./charts.js";

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

const followedIds = () => JSON.parse(sessionStorage.getItem(FOLLOWED_KEY) ?? "[]");

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

export default {
  id: "vending",
  title: "Vending",
  topics: [],
  mount(element, { call, watch }) {
    element.innerHTML = template;
    const q = (selector) => element.querySelector(selector);
    const batches = new Map();
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

    function onProgress(event, payload) {
      if (event !== "batch_progress" || !batches.has(payload.batchId)) return;
      // realtime.send puts its message id into the payload as `id`: the batch is payload.batchId.
      const { id: _messageId, batchId, ...progress } = payload;
      const batch = { ...batches.get(batchId), ...progress, id: batchId };
      batches.set(batch.id, batch);
      renderBatches();
      follow(batch);
      // Queue depth and success rate move with every batch step: refetch them (debounced) live.
      refresh().catch(() => {});
    }

    async function loadBatch(id) {
      const answer = await call(`vend/batches/${id}`);
      if (answer.status !== 200) return answer.body?.error?.message ?? `vend answered ${answer.status}`;
      const batch = batchFromRoute(answer.body);
      // A broadcast may be ahead of the row just read; keep the further one.
      const known = batches.get(batch.id);
      const settled = (b) => b.succeeded + b.failed + b.needsAttention;
      if (!known || settled(batch) >= settled(known)) batches.set(batch.id, batch);
      follow(batches.get(batch.id));
      return null;
    }

    async function loadBatches() {
      await Promise.all(followedIds().map(loadBatch));
      renderBatches();
    }

    const form = q('[data-testid="vending-follow-batch"]');
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const id = new FormData(form).get("batchId").trim();
      const error = form.querySelector(".error");
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
      q('[data-testid="vending-health-note"]').hidden = isDenied(health.status) ? false : true;
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
