// @ts-check
/// <reference lib="dom" />
// Small helpers the panels share: Chart.js charts that update in place, debounced refreshes, text.
/** @typedef {import("chart.js").Chart} Chart */

const PALETTE = ["#58a6ff", "#ff6b4a", "#3fb950", "#d29922", "#bc8cff", "#39c5cf", "#f778ba", "#8b949e"];

/**
 * @param {import("../types.js").ChartConstructor} Chart
 * @param {HTMLCanvasElement} canvas
 * @param {"bar" | "doughnut"} type
 * @param {import("chart.js").ChartOptions} [options]
 * @returns {Chart}
 */
export function chart(Chart, canvas, type, options = {}) {
  return new Chart(canvas, {
    type,
    data: { labels: [], datasets: [{ data: [], backgroundColor: PALETTE }] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      plugins: { legend: { display: type === "doughnut", labels: { color: "#e6edf3" } } },
      scales: type === "doughnut" ? {} : {
        x: { ticks: { color: "#8b99a8" }, grid: { color: "#26313f" } },
        y: { ticks: { color: "#8b99a8" }, grid: { color: "#26313f" }, beginAtZero: true },
      },
      ...options,
    },
  });
}

/**
 * @param {Chart} target
 * @param {string[]} labels
 * @param {number[]} values
 */
export function setSeries(target, labels, values) {
  target.data.labels = labels;
  target.data.datasets[0].data = values;
  target.update("none");
}

/**
 * Runs `task` at most once per `ms`, the last call winning; returns the promise of the run.
 * @template T
 * @param {() => Promise<T>} task
 * @param {number} ms
 * @returns {() => Promise<T>}
 */
export function debounced(task, ms) {
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  /** @type {Array<{ resolve: (value: T) => void, reject: (error: unknown) => void }>} */
  let waiting = [];
  return () =>
    new Promise((resolve, reject) => {
      waiting.push({ resolve, reject });
      clearTimeout(timer);
      timer = setTimeout(async () => {
        const settle = waiting;
        waiting = [];
        try {
          const result = await task();
          settle.forEach((w) => w.resolve(result));
        } catch (error) {
          settle.forEach((w) => w.reject(error));
        }
      }, ms);
    });
}

/** HTML-escaped text. @param {unknown} value */
export const text = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** @param {unknown} value */
export const percent = (value) => `${(Number(value ?? 0) * 100).toFixed(1)} %`;
/** @param {number} status */
export const isDenied = (status) => status === 401 || status === 403;

/**
 * The element a panel's template put under `root` (a missing one is a template bug, not a state).
 * @template {Element} [E=HTMLElement]
 * @param {ParentNode} root
 * @param {string} selector
 * @returns {E}
 */
export function find(root, selector) {
  const element = root.querySelector(selector);
  if (!element) throw new Error(`the panel has no ${selector}`);
  return /** @type {E} */ (/** @type {unknown} */ (element));
}
