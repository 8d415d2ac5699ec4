import { html } from "./html-report-data.js";

/**
 * The HTML report's scatter plots (quality against price, against latency, with the Pareto front), drawn
 * by Chart.js in the page (html-chart-scripts.ts inlines Chart.js, the numbers as a JSON block, and the
 * drawing code below), so the file opens offline. Tests find each chart with `Chart.getChart(id)` and
 * check its points against `chart.scales.x.getPixelForValue(...)`.
 */
export interface ScatterPoint {
  label: string;
  x: number;
  y: number;
  /** On the Pareto front: filled, and joined by the front line. */
  front: boolean;
  /** Tooltip lines: model name, score, cost or latency. */
  detail: string[];
}

export interface ScatterChart {
  kind: "scatter";
  /** The canvas id (e.g. "quality-vs-cost"). */
  id: string;
  title: string;
  xLabel: string;
  yLabel: string;
  points: ScatterPoint[];
  /** How the x axis's ticks read: US dollars, or milliseconds. */
  xUnit: "usd" | "ms";
}

const width = 640;
const height = 400;

/** The chart's place in the page: a canvas of fixed size, or a note when no model has both numbers. */
export function renderScatterCanvas(chart: ScatterChart): string {
  if (chart.points.length === 0) {
    return `<p class="empty">No model has both numbers for this chart.</p>`;
  }
  return `<figure><canvas id="${html(chart.id)}" width="${width}" height="${height}" role="img" aria-label="${html(chart.title)}"></canvas><figcaption>Filled points joined by the dashed line are the Pareto front: no other model is at least as good on both axes and better on one.</figcaption></figure>`;
}

/**
 * Draws one scatter chart on its canvas: a function expression, run in the page, so it is plain JavaScript
 * in a string (this package compiles without the DOM's types). Animation is off: the points are where they
 * belong at load.
 */
export const drawScatterChart = `(canvas, spec) => {
  const tick = {
    usd: (value) => "$" + Number(value.toPrecision(6)),
    ms: (value) => String(Number(value.toPrecision(6))),
  };
  const pointLabels = {
    id: "embedevalPointLabels",
    afterDatasetsDraw(chart) {
      const spec = chart.config.options.plugins.embedevalPointLabels.spec;
      const area = chart.chartArea;
      const context = chart.ctx;
      context.save();
      context.font = "12px system-ui, sans-serif";
      context.fillStyle = "#1f2328";
      chart.getDatasetMeta(0).data.forEach((element, index) => {
        const right = element.x > area.left + area.width * 0.75;
        context.textAlign = right ? "right" : "left";
        context.fillText(spec.points[index].label, element.x + (right ? -9 : 9), element.y - 8);
      });
      context.restore();
    },
  };
  const front = spec.points.filter((point) => point.front).sort((a, b) => a.x - b.x || a.y - b.y);
  new Chart(canvas, {
    type: "scatter",
    data: {
      datasets: [
        {
          label: "Models",
          data: spec.points.map((point) => ({ x: point.x, y: point.y })),
          pointRadius: 6,
          pointHoverRadius: 8,
          pointBorderWidth: 2,
          pointBorderColor: "#0969da",
          pointBackgroundColor: spec.points.map((point) => (point.front ? "#0969da" : "#ffffff")),
        },
        {
          label: "Pareto front",
          data: front.map((point) => ({ x: point.x, y: point.y })),
          showLine: true,
          borderColor: "#0969da",
          borderWidth: 1.5,
          borderDash: [4, 3],
          pointRadius: 0,
          pointHoverRadius: 0,
        },
      ],
    },
    options: {
      responsive: false,
      animation: false,
      layout: { padding: { top: 8, right: 24 } },
      scales: {
        x: {
          type: "linear",
          beginAtZero: true,
          title: { display: true, text: spec.xLabel },
          ticks: { callback: tick[spec.xUnit] },
        },
        y: {
          type: "linear",
          title: { display: true, text: spec.yLabel },
          ticks: { callback: (value) => (value * 100).toFixed(1) },
        },
      },
      plugins: {
        title: { display: true, text: spec.title, align: "start" },
        legend: { display: false },
        tooltip: {
          filter: (item) => item.datasetIndex === 0,
          callbacks: {
            title: (items) => (items.length > 0 ? spec.points[items[0].dataIndex].label : ""),
            label: (item) => spec.points[item.dataIndex].detail,
          },
        },
        embedevalPointLabels: { spec },
      },
    },
    plugins: [pointLabels],
  });
}`;
