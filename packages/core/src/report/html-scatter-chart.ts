import { html } from "./html-report-data.js";

/**
 * Charts of the HTML report, drawn as inline SVG by hand rather than with a charting library: the report
 * must open offline from an artifact and as a file, show the same picture with scripts blocked (GitHub's
 * and many mail and file viewers block them), print, and stay a few kilobytes. Two scatter plots and an
 * interval plot need scales, ticks, points and a polyline, which is less code than wiring a 200 kB
 * library's bundle through three bundlers (tsdown, esbuild, vite). Every point carries its numbers in
 * data attributes, and each tick its value, so a test can check that the browser draws points where the
 * numbers say.
 */
export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  /** On the Pareto front: filled, and joined by the front line. */
  front: boolean;
  /** Tooltip text (SVG <title>). */
  detail: string;
}

export interface ScatterChart {
  /** Names the chart in `data-chart` (e.g. "quality-vs-cost"). */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ScatterPoint[];
  formatX: (value: number) => string;
  formatY: (value: number) => string;
}

const width = 640;
const height = 400;
const margin = { left: 64, right: 24, top: 36, bottom: 56 };

/** Ticks at 1, 2 or 5 times a power of ten, about `count` of them, covering [low, high]. */
export function niceTicks(
  low: number,
  high: number,
  count = 5,
): { ticks: number[]; low: number; high: number } {
  const span = high - low || Math.abs(high) || 1;
  const rough = span / count;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step =
    [1, 2, 5, 10].map((factor) => factor * power).find((candidate) => candidate >= rough) ?? power * 10;
  const start = Math.floor(low / step) * step;
  const end = Math.ceil(high / step) * step;
  const ticks: number[] = [];
  for (let value = start; value <= end + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
  return { ticks, low: start, high: end === start ? start + step : end };
}

export function renderScatterChart(chart: ScatterChart): string {
  if (chart.points.length === 0) {
    return `<p class="empty">No model has both numbers for this chart.</p>`;
  }
  const xs = chart.points.map((point) => point.x);
  const ys = chart.points.map((point) => point.y);
  const xAxis = niceTicks(Math.min(0, ...xs), Math.max(...xs));
  const yAxis = niceTicks(Math.min(...ys), Math.max(...ys));
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const scaleX = (value: number) =>
    margin.left + ((value - xAxis.low) / (xAxis.high - xAxis.low)) * plotWidth;
  const scaleY = (value: number) =>
    margin.top + plotHeight - ((value - yAxis.low) / (yAxis.high - yAxis.low)) * plotHeight;
  const round = (value: number) => Math.round(value * 100) / 100;

  const grid = [
    ...xAxis.ticks.map(
      (tick) =>
        `<line class="grid" data-axis="x" data-value="${tick}" x1="${round(scaleX(tick))}" x2="${round(scaleX(tick))}" y1="${margin.top}" y2="${margin.top + plotHeight}"/>` +
        `<text class="tick" x="${round(scaleX(tick))}" y="${margin.top + plotHeight + 18}" text-anchor="middle">${html(chart.formatX(tick))}</text>`,
    ),
    ...yAxis.ticks.map(
      (tick) =>
        `<line class="grid" data-axis="y" data-value="${tick}" x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${round(scaleY(tick))}" y2="${round(scaleY(tick))}"/>` +
        `<text class="tick" x="${margin.left - 8}" y="${round(scaleY(tick)) + 4}" text-anchor="end">${html(chart.formatY(tick))}</text>`,
    ),
  ];
  const front = chart.points
    .filter((point) => point.front)
    .sort((a, b) => a.x - b.x || a.y - b.y)
    .map((point) => `${round(scaleX(point.x))},${round(scaleY(point.y))}`);
  const points = chart.points.map((point) => {
    const cx = round(scaleX(point.x));
    const cy = round(scaleY(point.y));
    const anchor = cx > margin.left + plotWidth * 0.75 ? "end" : "start";
    const labelX = anchor === "end" ? cx - 9 : cx + 9;
    return (
      `<g class="point${point.front ? " pareto" : ""}">` +
      `<circle data-model="${html(point.label)}" data-x="${point.x}" data-y="${point.y}" data-front="${point.front}" cx="${cx}" cy="${cy}" r="6"><title>${html(point.detail)}</title></circle>` +
      `<text x="${labelX}" y="${cy - 8}" text-anchor="${anchor}">${html(point.label)}</text></g>`
    );
  });
  return [
    `<figure><svg data-chart="${html(chart.id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${html(chart.title)}">`,
    `<text class="chart-title" x="${margin.left}" y="20">${html(chart.title)}</text>`,
    ...grid,
    `<rect class="frame" x="${margin.left}" y="${margin.top}" width="${plotWidth}" height="${plotHeight}"/>`,
    front.length > 1 ? `<polyline class="front" points="${front.join(" ")}"/>` : "",
    ...points,
    `<text class="axis-label" x="${margin.left + plotWidth / 2}" y="${height - 12}" text-anchor="middle">${html(chart.xLabel)}</text>`,
    `<text class="axis-label" transform="translate(16 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">${html(chart.yLabel)}</text>`,
    "</svg>",
    `<figcaption>Filled points joined by the line are the Pareto front: no other model is at least as good on both axes and better on one.</figcaption></figure>`,
  ].join("\n");
}

export interface IntervalRow {
  label: string;
  delta: number;
  low: number | null;
  high: number | null;
  verdict: string;
}

/** Deltas with their 95% intervals, one row per (model, task), zero marked: the comparison at a glance. */
export function renderIntervalChart(rows: IntervalRow[], allowedDrop: number | undefined): string {
  if (rows.length === 0) return "";
  const rowHeight = 26;
  const labelWidth = 260;
  const chartWidth = 640;
  const plotLeft = labelWidth + 10;
  const plotWidth = chartWidth - plotLeft - 20;
  const chartHeight = rows.length * rowHeight + 40;
  const extent = Math.max(
    ...rows.flatMap((row) => [Math.abs(row.delta), Math.abs(row.low ?? 0), Math.abs(row.high ?? 0)]),
    allowedDrop ?? 0,
    0.0001,
  );
  const axis = niceTicks(-extent, extent, 4);
  const scale = (value: number) => plotLeft + ((value - axis.low) / (axis.high - axis.low)) * plotWidth;
  const round = (value: number) => Math.round(value * 100) / 100;
  const parts = [
    `<svg data-chart="deltas" viewBox="0 0 ${chartWidth} ${chartHeight}" width="${chartWidth}" height="${chartHeight}" role="img" aria-label="Deltas with 95% confidence intervals">`,
    ...axis.ticks.map(
      (tick) =>
        `<line class="grid" x1="${round(scale(tick))}" x2="${round(scale(tick))}" y1="10" y2="${chartHeight - 24}"/><text class="tick" data-axis="x" data-value="${tick}" x="${round(scale(tick))}" y="${chartHeight - 8}" text-anchor="middle">${Number((tick * 100).toPrecision(6))}</text>`,
    ),
    `<line class="zero" x1="${round(scale(0))}" x2="${round(scale(0))}" y1="10" y2="${chartHeight - 24}"/>`,
    allowedDrop !== undefined
      ? `<line class="allowed" x1="${round(scale(-allowedDrop))}" x2="${round(scale(-allowedDrop))}" y1="10" y2="${chartHeight - 24}"><title>allowed drop</title></line>`
      : "",
  ];
  rows.forEach((row, index) => {
    const y = 22 + index * rowHeight;
    parts.push(
      `<text class="row-label" x="${labelWidth}" y="${y + 4}" text-anchor="end">${html(row.label)}</text>`,
      row.low !== null && row.high !== null
        ? `<line class="interval ${html(row.verdict)}" x1="${round(scale(row.low))}" x2="${round(scale(row.high))}" y1="${y}" y2="${y}"/>`
        : "",
      `<circle class="delta ${html(row.verdict)}" data-delta="${row.delta}" cx="${round(scale(row.delta))}" cy="${y}" r="5"><title>${html(`${row.label}: ${(row.delta * 100).toFixed(2)} points`)}</title></circle>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n");
}
