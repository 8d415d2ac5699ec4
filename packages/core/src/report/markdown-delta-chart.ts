import type { Comparison, ComparisonEntry } from "../compare/comparison.js";
import { codeBlockLabel } from "./markdown-escape.js";
import { formatDelta, formatInterval, metricLabel } from "./report-format.js";

/** Rows the chart draws at most (the most important first); the table has every row anyway. */
const chartRowLimit = 30;
/** Characters of the plot area. */
const plotWidth = 41;
/** A label longer than this is cut, and numbered when two cut labels would read the same. */
const labelLimit = 44;

/**
 * The gated metric's delta for each (model, task) with its 95% interval, one text line each, in a code
 * block: a forest plot. Each row carries its own full label, so two models can never share a bar (as
 * cut-off labels did in a bar chart), and nothing is drawn across unrelated models. `|` marks zero and
 * `:` the allowed drop, when it is one number of points for every row. ASCII only inside the plot: box
 * drawing characters fall back to fonts of other widths and break the columns.
 */
export function renderDeltaChart(comparison: Comparison, order: number[]): string {
  const rows = order
    .map((index) => comparison.entries[index] as ComparisonEntry)
    .filter((entry) => entry.primary.delta !== null)
    .slice(0, chartRowLimit);
  if (rows.length === 0) return "";
  const labels = uniqueLabels(
    rows.map((entry) => `${entry.model} × ${entry.task}${entry.split === "test" ? "" : ` (${entry.split})`}`),
  );
  const drops = new Set(
    rows.map((entry) =>
      entry.primary.maxDrop.kind === "absolute" ? entry.primary.maxDrop.amount : Number.NaN,
    ),
  );
  const allowed = drops.size === 1 && !Number.isNaN([...drops][0]) ? ([...drops][0] as number) : undefined;
  const extent = Math.max(
    ...rows.flatMap((entry) => [
      Math.abs(entry.primary.delta as number),
      Math.abs(entry.primary.interval?.low ?? 0),
      Math.abs(entry.primary.interval?.high ?? 0),
    ]),
    allowed ?? 0,
    0.0001,
  );
  const column = (value: number) =>
    Math.max(0, Math.min(plotWidth - 1, Math.round(((value / extent + 1) / 2) * (plotWidth - 1))));
  const width = Math.max(...labels.map((label) => [...label].length));
  const metric = metricLabel(rows[0]?.metric ?? "");
  const lines = rows.map((entry, index) => {
    const cells = Array.from({ length: plotWidth }, () => " ");
    if (allowed !== undefined) cells[column(-allowed)] = ":";
    const interval = entry.primary.interval;
    if (interval) {
      for (let cell = column(interval.low); cell <= column(interval.high); cell++) cells[cell] = "-";
    }
    cells[column(0)] = cells[column(0)] === "-" ? "+" : "|";
    cells[column(entry.primary.delta as number)] = "*";
    const label = labels[index] as string;
    const padding = " ".repeat(width - [...label].length);
    const mark =
      entry.primary.verdict === "regression" ? " ▼" : entry.primary.verdict === "improvement" ? " ▲" : "";
    return `${label}${padding}  ${cells.join("")}  ${formatDelta(entry.primary.delta)} ${formatInterval(interval)}${mark}`;
  });
  const scale = `${" ".repeat(width + 2)}${formatDelta(-extent).padEnd(plotWidth - formatDelta(extent).length)}${formatDelta(extent)}`;
  return [
    `Δ ${codeBlockLabel(metric)} in points: \`*\` the delta, \`---\` its 95% CI, \`|\` zero${allowed !== undefined ? ", `:` the allowed drop" : ""}; ▼ regression, ▲ improvement:`,
    "",
    "```text",
    ...lines,
    scale,
    "```",
  ].join("\n");
}

/** Labels safe in a code block, cut to the limit, and numbered where cutting made two of them equal. */
function uniqueLabels(raw: string[]): string[] {
  const cut = raw.map((label) => {
    const clean = codeBlockLabel(label);
    const characters = [...clean];
    return characters.length > labelLimit ? `${characters.slice(0, labelLimit - 1).join("")}…` : clean;
  });
  const seen = new Map<string, number>();
  for (const label of cut) seen.set(label, (seen.get(label) ?? 0) + 1);
  const numbered = new Map<string, number>();
  return cut.map((label) => {
    if ((seen.get(label) ?? 0) < 2) return label;
    const count = (numbered.get(label) ?? 0) + 1;
    numbered.set(label, count);
    return `${label} (${count})`;
  });
}
