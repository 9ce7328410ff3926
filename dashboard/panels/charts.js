// Small helpers the panels share: Chart.js charts that update in place, debounced refreshes, text.
const PALETTE = ["#58a6ff", "#ff6b4a", "#3fb950", "#d29922", "#bc8cff", "#39c5cf", "#f778ba", "#8b949e"];

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

export function setSeries(target, labels, values) {
  target.data.labels = labels;
  target.data.datasets[0].data = values;
  target.update("none");
}

/** Runs `task` at most once per `ms`, the last call winning; returns the promise of the run. */
export function debounced(task, ms) {
  let timer = null;
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

export const text = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
export const percent = (value) => `${(Number(value ?? 0) * 100).toFixed(1)} %`;
export const isDenied = (status) => status === 401 || status === 403;
