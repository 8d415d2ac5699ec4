import { createHash } from "node:crypto";
import { chartLibrarySource } from "./chart-library.js";
import { drawIntervalChart, type IntervalChart } from "./html-interval-chart.js";
import { drawScatterChart, type ScatterChart } from "./html-scatter-chart.js";

/** A chart the page draws with Chart.js: its numbers go into the page as JSON, its kind picks the drawing. */
export type ChartSpec = ScatterChart | IntervalChart;

function drawn(chart: ChartSpec): boolean {
  return chart.kind === "scatter" ? chart.points.length > 0 : chart.rows.length > 0;
}

/**
 * Draws every chart whose canvas is in the page, from the JSON block. One script for all kinds, so the
 * page's policy lists three hashes whatever it shows.
 */
const drawCharts = `(() => {
  const specs = JSON.parse(document.getElementById("embedeval-chart-data").textContent);
  const draw = { scatter: ${drawScatterChart}, intervals: ${drawIntervalChart} };
  for (const spec of specs) {
    const canvas = document.getElementById(spec.id);
    if (canvas) draw[spec.kind](canvas, spec);
  }
})();`;

/** JSON inside a <script> element: `<` escaped so no string from data can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c");
}

function sha256(text: string): string {
  return `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;
}

/**
 * The scripts that draw the charts (the data as JSON, Chart.js, then the drawing code), and the hashes the
 * page's Content-Security-Policy must allow for them: exactly these scripts, no connection. Empty when no
 * chart has anything to draw.
 */
export function renderChartScripts(charts: ChartSpec[]): { markup: string; hashes: string[] } {
  const shown = charts.filter(drawn);
  if (shown.length === 0) return { markup: "", hashes: [] };
  const library = chartLibrarySource();
  return {
    markup: [
      `<script type="application/json" id="embedeval-chart-data">${scriptJson(shown)}</script>`,
      `<script>${library}</script>`,
      `<script>${drawCharts}</script>`,
    ].join("\n"),
    hashes: [sha256(library), sha256(drawCharts)],
  };
}
