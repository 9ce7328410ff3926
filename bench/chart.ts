// A dependency-free SVG bar chart of every row that has a ratio to its anchor.
import type { BenchRow } from "./lib.ts";

const escape = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

export function renderChart(rows: BenchRow[]): string {
  const bars = rows.filter((row) => row.ratio !== undefined && Number.isFinite(row.ratio));
  const width = 900;
  const barHeight = 22;
  const labelWidth = 430;
  const max = Math.max(1, ...bars.map((row) => row.ratio!));
  const scale = (width - labelWidth - 80) / max;
  const height = 40 + bars.length * (barHeight + 6);
  const items = bars.map((row, i) => {
    const y = 30 + i * (barHeight + 6);
    const length = Math.max(1, row.ratio! * scale);
    const colour = row.met === false ? "#d9534f" : "#4a90d9";
    const label = escape(`${row.scenario} · ${row.subject} · ${row.metric} vs ${row.anchor ?? "anchor"}`);
    return `<text x="4" y="${y + 15}" font-size="12">${label}</text>` +
      `<rect x="${labelWidth}" y="${y}" width="${length}" height="${barHeight}" fill="${colour}"/>` +
      `<text x="${labelWidth + length + 4}" y="${y + 15}" font-size="12">${row.ratio!.toFixed(2)}x</text>`;
  });
  const oneX = labelWidth + scale;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif">` +
    `<text x="4" y="18" font-size="14" font-weight="bold">powerbase bench: ratios to same-run anchors</text>` +
    `<line x1="${oneX}" y1="24" x2="${oneX}" y2="${height}" stroke="#999" stroke-dasharray="4"/>` +
    items.join("") + `</svg>\n`;
}
