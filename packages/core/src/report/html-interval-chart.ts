import { html } from "./html-report-data.js";

/**
 * The comparison at a glance: each (model, task)'s delta with its 95% interval, zero and the allowed drop
 * marked. Drawn as inline SVG, so it shows with scripts blocked too (the scatter plots need Chart.js).
 */

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
