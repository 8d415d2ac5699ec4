import { html } from "./html-report-data.js";

/**
 * The comparison at a glance, drawn by Chart.js in the page as the scatter plots are: one row per
 * (model, task), its 95% interval as a floating bar and its delta as a point, coloured by verdict, with a
 * line at zero and a dashed one at the allowed drop. The comparison table below it carries the same
 * numbers without scripts.
 */
export interface IntervalRow {
  /** "model × task", unique within the chart (a row's only name on the axis). */
  label: string;
  delta: number;
  /** The 95% interval's ends; null without per-query scores on both sides (the point alone is drawn). */
  low: number | null;
  high: number | null;
  /** The colour: anything but a regression or an improvement is drawn as unchanged. */
  verdict: "regression" | "improvement" | "unchanged";
  /** Tooltip lines: model, task, Δ, interval and verdict. */
  detail: string[];
}

export interface IntervalChart {
  kind: "intervals";
  /** The canvas id ("comparison-intervals"). */
  id: string;
  title: string;
  xLabel: string;
  rows: IntervalRow[];
  /** The allowed drop as a delta (e.g. -0.01), when the rule's drop is absolute; null otherwise. */
  allowedDrop: number | null;
  /** The x axis runs at least from -extent to +extent: zero in the middle, every row and the drop inside. */
  extent: number;
}

const width = 880;
const rowHeight = 28;
/** Title, the x axis's ticks and its title. */
const frameHeight = 96;

/** The chart's place in the page: a canvas sized to its rows, or nothing when no row has a delta. */
export function renderIntervalCanvas(chart: IntervalChart): string {
  if (chart.rows.length === 0) return "";
  const height = frameHeight + chart.rows.length * rowHeight;
  return `<figure><canvas id="${html(chart.id)}" width="${width}" height="${height}" role="img" aria-label="${html(chart.title)}"></canvas><figcaption>Bars are 95% confidence intervals, points the deltas; red: regression, green: improvement, grey: neither. The solid line is zero, the dashed one the allowed drop.</figcaption></figure>`;
}

/** The smallest symmetric range around zero that holds every delta, interval end and the allowed drop. */
export function intervalExtent(rows: IntervalRow[], allowedDrop: number | null): number {
  return Math.max(
    ...rows.flatMap((row) => [Math.abs(row.delta), Math.abs(row.low ?? 0), Math.abs(row.high ?? 0)]),
    Math.abs(allowedDrop ?? 0),
    0.0001,
  );
}

/**
 * Draws one interval chart on its canvas: a function expression, run in the page (plain JavaScript in a
 * string, like the scatter plots'). Chart.js has no annotation lines in its core, so a small plugin draws
 * the zero and allowed-drop lines under the bars and points. Animation is off.
 */
export const drawIntervalChart = `(canvas, spec) => {
  const colours = { regression: "#cf222e", improvement: "#1a7f37", unchanged: "#59636e" };
  const fills = { regression: "rgba(207, 34, 46, 0.35)", improvement: "rgba(26, 127, 55, 0.35)", unchanged: "rgba(89, 99, 110, 0.3)" };
  const points = (value) => Number((value * 100).toPrecision(6));
  const referenceLines = {
    id: "embedevalReferenceLines",
    beforeDatasetsDraw(chart, _arguments, options) {
      const area = chart.chartArea;
      const context = chart.ctx;
      context.save();
      for (const line of options.lines) {
        const x = Math.round(chart.scales.x.getPixelForValue(line.value)) + 0.5;
        context.strokeStyle = line.colour;
        context.lineWidth = 1;
        context.setLineDash(line.dash);
        context.beginPath();
        context.moveTo(x, area.top);
        context.lineTo(x, area.bottom);
        context.stroke();
      }
      context.restore();
    },
  };
  const lines = [{ value: 0, colour: "#1f2328", dash: [] }];
  if (spec.allowedDrop !== null) lines.push({ value: spec.allowedDrop, colour: "#cf222e", dash: [4, 3] });
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: spec.rows.map((row) => row.label),
      datasets: [
        {
          label: "95% confidence interval",
          indexAxis: "y",
          data: spec.rows.map((row) => (row.low === null || row.high === null ? null : [row.low, row.high])),
          backgroundColor: spec.rows.map((row) => fills[row.verdict]),
          borderColor: spec.rows.map((row) => colours[row.verdict]),
          borderWidth: 1,
          borderSkipped: false,
          barThickness: 8,
        },
        {
          type: "line",
          label: "Δ",
          indexAxis: "y",
          data: spec.rows.map((row) => row.delta),
          showLine: false,
          pointRadius: 5,
          pointHoverRadius: 7,
          pointBackgroundColor: spec.rows.map((row) => colours[row.verdict]),
          pointBorderColor: "#ffffff",
          pointBorderWidth: 1,
        },
      ],
    },
    options: {
      indexAxis: "y",
      responsive: false,
      animation: false,
      layout: { padding: { top: 8, right: 24 } },
      interaction: { mode: "index", axis: "y", intersect: false },
      scales: {
        x: {
          type: "linear",
          suggestedMin: -spec.extent,
          suggestedMax: spec.extent,
          title: { display: true, text: spec.xLabel },
          ticks: { callback: (value) => String(points(value)) },
        },
        y: { type: "category", ticks: { autoSkip: false } },
      },
      plugins: {
        title: { display: true, text: spec.title, align: "start" },
        legend: { display: false },
        tooltip: {
          filter: (item) => item.datasetIndex === 1,
          callbacks: {
            title: (items) => (items.length > 0 ? spec.rows[items[0].dataIndex].label : ""),
            label: (item) => spec.rows[item.dataIndex].detail,
          },
        },
        embedevalReferenceLines: { lines },
      },
    },
    plugins: [referenceLines],
  });
}`;
