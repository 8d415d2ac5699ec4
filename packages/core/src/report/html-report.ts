import type { Comparison, ComparisonEntry, ComparisonRow } from "../compare/comparison.js";
import {
  aggregateCells,
  aggregateHeaders,
  benchmarkSummary,
  entryTaskType,
  taskTypeRank,
} from "./benchmark-summary.js";
import { renderChartScripts } from "./html-chart-scripts.js";
import {
  type IntervalChart,
  type IntervalRow,
  intervalExtent,
  renderIntervalCanvas,
} from "./html-interval-chart.js";
import { type QueryViewSources, renderQueryView } from "./html-query-view.js";
import { costAxisValue, html, type ModelSummary, summariseModels, taskKey } from "./html-report-data.js";
import { renderScatterCanvas, type ScatterChart } from "./html-scatter-chart.js";
import type { BaselineDescription } from "./markdown-report.js";
import {
  formatCost,
  formatCount,
  formatDelta,
  formatInterval,
  formatLatency,
  formatPValue,
  formatScore,
  metricFamily,
  metricLabel,
} from "./report-format.js";

export interface HtmlReportOptions extends QueryViewSources {
  /** The config's name, in the title. */
  configName: string;
  baseline?: BaselineDescription;
  headCommit?: string;
  /** When the report was made (shown; tests pass a fixed date). */
  generatedAt?: Date;
}

/**
 * The HTML report: one self-contained file (inline CSS and scripts, Chart.js included; no font, image or
 * script from the network) that opens from an artifact or a disk. Quality against price and against latency with the Pareto
 * front, dimensions and price per model, each task's table, the comparison with confidence intervals when
 * there is a baseline, and the queries that got worse. Everything from config or data is escaped.
 */
export function renderHtmlReport(comparison: Comparison, options: HtmlReportOptions): string {
  const models = summariseModels(comparison);
  const gatedMetric = metricLabel(comparison.entries[0]?.metric ?? comparison.rule.metric);
  const title = `embedeval report: ${options.configName}`;
  const charts = scatterCharts(models, gatedMetric);
  const comparisonChart = comparison.baselineMissing ? undefined : intervalChart(comparison);
  const scripts = renderChartScripts([...charts, ...(comparisonChart ? [comparisonChart] : [])]);
  const sections = [
    renderHeader(comparison, options, title),
    renderModels(models, gatedMetric),
    renderCharts(models, charts),
    renderBenchmark(comparison),
    renderTasks(comparison),
    comparisonChart ? renderComparison(comparison, comparisonChart) : "",
    comparison.baselineMissing ? "" : renderQueryView(comparison, options),
  ].filter((section) => section !== "");
  return [
    "<!doctype html>",
    '<html lang="en">',
    "<head>",
    '<meta charset="utf-8">',
    // Nothing may load from the network: no connections at all, inline styles, and only the inline
    // scripts of this page (Chart.js and the code drawing the charts), each allowed by its hash.
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:${scripts.hashes.length > 0 ? `; script-src ${scripts.hashes.join(" ")}` : ""}">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${html(title)}</title>`,
    `<style>${styles}</style>`,
    "</head>",
    "<body>",
    ...sections,
    ...(scripts.markup ? [scripts.markup] : []),
    "</body>",
    "</html>",
    "",
  ].join("\n");
}

function renderHeader(comparison: Comparison, options: HtmlReportOptions, title: string): string {
  const facts: string[] = [];
  if (options.headCommit) facts.push(`Head <code>${html(options.headCommit.slice(0, 12))}</code>`);
  if (options.baseline?.commit && !comparison.baselineMissing) {
    facts.push(
      `baseline <code>${html(options.baseline.commit.slice(0, 12))}</code>${options.baseline.source ? ` (${html(options.baseline.source)})` : ""}`,
    );
  }
  if (options.generatedAt) facts.push(`generated ${html(options.generatedAt.toISOString())}`);
  const verdict = comparison.baselineMissing
    ? "No baseline: absolute scores."
    : comparison.regressions.length > 0
      ? `${comparison.regressions.length} regression${comparison.regressions.length === 1 ? "" : "s"}: ${comparison.regressions
          .map(
            (row) => `${row.model} × ${row.task} ${metricLabel(row.metric)} ${formatDelta(row.delta)} points`,
          )
          .join("; ")}`
      : "No regressions.";
  return `<header><h1>${html(title)}</h1><p class="verdict${comparison.regressions.length > 0 ? " bad" : ""}">${html(verdict)}</p>${facts.length > 0 ? `<p class="facts">${facts.join(" · ")}</p>` : ""}</header>`;
}

function renderModels(models: ModelSummary[], gatedMetric: string): string {
  const rows = models.map(
    (model) =>
      `<tr><td>${html(model.id)}</td><td>${html(model.provider)}</td><td>${html(model.model)}</td><td class="number">${model.dimensions ?? "—"}</td><td class="number">${model.pricePerMillionTokens === null ? "—" : html(formatCost(model.pricePerMillionTokens))}</td><td class="number">${html(formatScore(model.quality))}</td><td class="number">${model.latencyP50Ms === null ? "—" : `${Math.round(model.latencyP50Ms)} ms`}</td><td class="number">${html(formatCost(model.costUsd))}</td><td class="number">${model.tasks}</td></tr>`,
  );
  return `<section><h2>Models</h2><table><thead><tr><th>Model</th><th>Provider</th><th>Name</th><th>Dimensions</th><th>Price per 1M tokens</th><th>Mean ${html(gatedMetric)}</th><th>Latency p50 per call</th><th>This run's cost</th><th>Tasks</th></tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

function scatterCharts(models: ModelSummary[], gatedMetric: string): ScatterChart[] {
  const detail = (model: ModelSummary) => [
    `${gatedMetric} ${formatScore(model.quality)}`,
    model.pricePerMillionTokens === null
      ? "no price"
      : `${formatCost(model.pricePerMillionTokens)} per 1M tokens`,
    model.latencyP50Ms === null ? "no calls timed" : `${Math.round(model.latencyP50Ms)} ms p50`,
    `${model.dimensions ?? "?"} dimensions`,
  ];
  const byCost: ScatterChart = {
    kind: "scatter",
    id: "quality-vs-cost",
    title: `Mean ${gatedMetric} against price`,
    xLabel: "Price per 1M tokens (USD; local and lexical models at 0)",
    yLabel: `Mean ${gatedMetric} (points)`,
    points: models.map((model) => ({
      label: model.id,
      x: costAxisValue(model),
      y: model.quality,
      front: model.paretoByCost,
      detail: detail(model),
    })),
    xUnit: "usd",
  };
  const byLatency: ScatterChart = {
    kind: "scatter",
    id: "quality-vs-latency",
    title: `Mean ${gatedMetric} against latency`,
    xLabel: "Latency p50 per call (ms)",
    yLabel: `Mean ${gatedMetric} (points)`,
    points: models
      .filter((model) => model.latencyP50Ms !== null)
      .map((model) => ({
        label: model.id,
        x: model.latencyP50Ms as number,
        y: model.quality,
        front: model.paretoByLatency,
        detail: detail(model),
      })),
    xUnit: "ms",
  };
  return [byCost, byLatency];
}

function renderCharts(models: ModelSummary[], charts: ScatterChart[]): string {
  const untimed = models.filter((model) => model.latencyP50Ms === null).map((model) => model.id);
  return `<section><h2>Quality, cost and latency</h2><noscript><p class="note">The charts are drawn by a script (Chart.js, inlined); with scripts blocked, the models table above has the same numbers.</p></noscript><div class="charts">${charts.map(renderScatterCanvas).join("")}</div>${untimed.length > 0 ? `<p class="note">Not on the latency chart (no provider calls timed in this run, e.g. every vector came from the cache, or a lexical model): ${html(untimed.join(", "))}.</p>` : ""}</section>`;
}

/** MTEB(eng, v2)'s aggregates per model (head, with the change from the base), when a model ran two of its tasks. */
function renderBenchmark(comparison: Comparison): string {
  const summary = benchmarkSummary(comparison);
  if (!summary) return "";
  const rows = summary.rows.map(
    (row) =>
      `<tr><td>${html(row.model)}</td>${aggregateCells(summary, row)
        .map((cell) => `<td class="number">${html(cell)}</td>`)
        .join("")}</tr>`,
  );
  return `<section><h2>${html(summary.benchmark)}</h2><p class="note">MTEB's means of the main scores in points: over tasks, over task types (each type's mean counts once), and per type${comparison.baselineMissing ? "" : "; head, with the change from the base in parentheses"}. Partial when a model ran only some of the benchmark's tasks.</p><table data-benchmark="${html(summary.benchmark)}"><thead><tr><th>Model</th>${aggregateHeaders(
    summary,
  )
    .map((header) => `<th>${html(header)}</th>`)
    .join("")}</tr></thead><tbody>${rows.join("")}</tbody></table></section>`;
}

/** Each task: its models with the gated metric's family at every cutoff, latency and cost. */
function renderTasks(comparison: Comparison): string {
  const byTask = new Map<string, ComparisonEntry[]>();
  for (const entry of comparison.entries) {
    if (!entry.head) continue;
    byTask.set(taskKey(entry), [...(byTask.get(taskKey(entry)) ?? []), entry]);
  }
  // Grouped by MTEB task type (Retrieval first), headed by the type when there is more than one.
  const groups = [...byTask].sort(
    ([, a], [, b]) =>
      taskTypeRank(entryTaskType(a[0] as ComparisonEntry)) -
      taskTypeRank(entryTaskType(b[0] as ComparisonEntry)),
  );
  const types = new Set(groups.map(([, entries]) => entryTaskType(entries[0] as ComparisonEntry)));
  let previousType = "";
  const tables = groups.map(([task, entries]) => {
    const type = entryTaskType(entries[0] as ComparisonEntry);
    const typeHeading =
      types.size > 1 && type !== previousType ? `<h3 class="task-type">${html(type)}</h3>` : "";
    previousType = type;
    const gated = metricFamily(entries[0]?.metric ?? "");
    const metrics = [
      ...new Set(
        entries.flatMap((entry) =>
          entry.rows
            .map((row) => row.metric)
            .filter((metric) => metric === entry.metric || metricFamily(metric).family === gated.family),
        ),
      ),
    ].sort((a, b) => (metricFamily(a).cutoff ?? 0) - (metricFamily(b).cutoff ?? 0));
    const header = metrics.map((metric) => `<th>${html(metricLabel(metric))}</th>`).join("");
    const rows = entries.map((entry) => {
      const usage = entry.head?.embedeval?.usage;
      const cells = metrics
        .map((metric) => {
          const row = entry.rows.find((candidate) => candidate.metric === metric);
          return `<td class="number${metric === entry.metric ? " gated" : ""}">${html(formatScore(row?.head ?? null))}</td>`;
        })
        .join("");
      return `<tr><td>${html(entry.model)}</td>${cells}<td class="number">${html(formatLatency(usage?.latencyMs))}</td><td class="number">${html(formatCost(usage?.costUsd))}</td></tr>`;
    });
    const counts = entries[0]?.head?.embedeval?.counts;
    return `${typeHeading}<h3>${html(task)}</h3>${counts ? `<p class="note">${formatCount(counts.queries)} queries, ${formatCount(counts.documents)} documents.</p>` : ""}<table><thead><tr><th>Model</th>${header}<th>Latency p50 / p95</th><th>Cost</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
  });
  return `<section><h2>Tasks</h2>${tables.join("")}</section>`;
}

/**
 * Each compared (model, task)'s delta on the gated metric with its 95% interval, for the comparison's
 * chart. Labels are "model × task"; should two still read the same (a model or task name that contains
 * " × "), the later ones are numbered, so no row hides another on the axis.
 */
function intervalChart(comparison: Comparison): IntervalChart {
  const compared = comparison.entries.filter((entry) => entry.primary.delta !== null);
  const seen = new Map<string, number>();
  const rows: IntervalRow[] = compared.map((entry) => {
    const name = `${entry.model} × ${taskKey(entry)}`;
    const count = (seen.get(name) ?? 0) + 1;
    seen.set(name, count);
    const verdict = entry.primary.verdict;
    return {
      label: count === 1 ? name : `${name} (${count})`,
      delta: entry.primary.delta as number,
      low: entry.primary.interval?.low ?? null,
      high: entry.primary.interval?.high ?? null,
      verdict: verdict === "regression" || verdict === "improvement" ? verdict : "unchanged",
      detail: [
        `model: ${entry.model}`,
        `task: ${taskKey(entry)}`,
        `Δ ${formatDelta(entry.primary.delta)} points`,
        `95% CI ${formatInterval(entry.primary.interval)}`,
        `verdict: ${plainVerdict(entry.primary)}`,
      ],
    };
  });
  const drop = comparison.rule.maxDrop.kind === "absolute" ? -comparison.rule.maxDrop.amount : null;
  return {
    kind: "intervals",
    id: "comparison-intervals",
    title: `Δ ${metricLabel(comparison.rule.metric)} with 95% confidence intervals`,
    xLabel: "Δ (points)",
    rows,
    allowedDrop: drop,
    extent: intervalExtent(rows, drop),
  };
}

function renderComparison(comparison: Comparison, chart: IntervalChart): string {
  const table = comparison.entries.map(
    (entry) =>
      `<tr class="${html(entry.primary.verdict.replace(/\s+/g, "-"))}"><td>${html(entry.model)}</td><td>${html(plainVerdict(entry.primary))}</td><td>${html(taskKey(entry))}</td><td class="number">${html(formatScore(entry.primary.base))}</td><td class="number">${html(formatScore(entry.primary.head))}</td><td class="number">${html(formatDelta(entry.primary.delta))}</td><td class="number">${html(formatInterval(entry.primary.interval))}</td><td class="number">${html(formatPValue(entry.primary.pValue))}</td></tr>`,
  );
  return `<section><h2>Comparison with the baseline</h2><p class="note">Δ of ${html(metricLabel(comparison.rule.metric))} in points with its 95% confidence interval (paired bootstrap); the dashed line is the allowed drop.</p><noscript><p class="note">The chart is drawn by a script (Chart.js, inlined); with scripts blocked, the table below has the same numbers.</p></noscript>${renderIntervalCanvas(chart)}<table><thead><tr><th>Model</th><th>Verdict</th><th>Task</th><th>Base</th><th>Head</th><th>Δ</th><th>95% CI</th><th>p</th></tr></thead><tbody>${table.join("")}</tbody></table></section>`;
}

/** The verdict in words (the comment's emoji need a colour-emoji font that a printed or headless page may lack). */
function plainVerdict(row: ComparisonRow): string {
  if (row.verdict === "regression" && row.level === "warn") return "regression (warn)";
  if (row.verdict === "dataset changed")
    return `dataset changed (Δ on ${formatCount(row.pairedQueries)} paired queries)`;
  return row.verdict;
}

const styles = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;color:#1f2328;margin:24px auto;max-width:1320px;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}h3.task-type{font-size:16px;color:#59636e;text-transform:none;border-left:3px solid #0969da;padding-left:6px}
.verdict{font-weight:600;margin:4px 0}.verdict.bad{color:#cf222e}.facts,.note{color:#59636e;margin:4px 0}
table{border-collapse:collapse;margin:6px 0 12px}th,td{border:1px solid #d0d7de;padding:3px 8px;text-align:left}th{background:#f6f8fa}
td.number{text-align:right;font-variant-numeric:tabular-nums}td.gated{font-weight:600}
tr.regression td{background:#ffebe9}tr.improvement td{background:#dafbe1}
.charts{display:flex;flex-wrap:wrap;gap:16px}figure{margin:0}figcaption{color:#59636e;font-size:12px;max-width:640px}
canvas{background:#fff}
details{margin:6px 0}summary{cursor:pointer}details.query{margin:4px 0 4px 16px}
.rankings{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:12px}.ranking table{margin:4px 0;width:100%}caption{text-align:left;font-weight:600;padding:2px 0}
td.excerpt{font-size:12px;color:#424a53}tr.relevant td{background:#dafbe1}.moved{font-size:11px;color:#9a6700}code{font:12px ui-monospace,SFMono-Regular,Menlo,monospace}
`;
