import type { Comparison, ComparisonEntry, ComparisonRow, Verdict } from "../compare/comparison.js";
import type { UsageSummary } from "../runtime/usage-summary.js";
import { entryTaskType } from "./benchmark-summary.js";
import { escapeMarkdown } from "./markdown-escape.js";
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

const verdictLabels: Record<Verdict, string> = {
  regression: "❌ regression",
  improvement: "✅ improvement",
  noise: "〰️ noise",
  unchanged: "➖ unchanged",
  added: "🆕 added",
  removed: "🗑️ removed",
  failed: "💥 failed",
  "dataset changed": "📦 dataset changed",
};

export function verdictLabel(row: ComparisonRow): string {
  if (row.verdict === "dataset changed") {
    return `${verdictLabels[row.verdict]} (Δ on ${formatCount(row.pairedQueries)} paired ${row.pairedQueries === 1 ? "query" : "queries"})`;
  }
  if (row.verdict === "regression" && row.level === "warn") return "⚠️ regression (warn)";
  if (row.level === "off" && row.gated) return `${verdictLabels[row.verdict]} (off)`;
  return verdictLabels[row.verdict];
}

function taskCell(entry: ComparisonEntry): string {
  return escapeMarkdown(entry.split === "test" ? entry.task : `${entry.task} (${entry.split})`);
}

/**
 * The gated metric per (model, task): the verdict right after the model (the first thing read), then the
 * score, the delta with its interval and p. Nothing that changes from run to run (latency, cost) is here:
 * those sit below the run-details marker.
 */
export function renderMainTable(comparison: Comparison): { header: string[]; rows: string[] } {
  const metrics = new Set(comparison.entries.map((entry) => entry.metric));
  const metricName = metrics.size === 1 ? metricLabel([...metrics][0] as string) : "Score";
  const compared = !comparison.baselineMissing;
  const header = compared
    ? [
        `| Model | Verdict | Task | ${escapeMarkdown(metricName)} | Δ | 95% CI | p |`,
        "|---|---|---|--:|--:|:-:|--:|",
      ]
    : [`| Model | Verdict | Task | ${escapeMarkdown(metricName)} |`, "|---|---|---|--:|"];
  // With more than one task type, each task says its type (rows are grouped by it).
  const typed = new Set(comparison.entries.map(entryTaskType)).size > 1;
  const rows = comparison.entries.map((entry) => {
    const row = entry.primary;
    const value = row.head ?? row.base;
    const score =
      metrics.size === 1
        ? formatScore(value)
        : `${escapeMarkdown(metricLabel(row.metric))} ${formatScore(value)}`;
    const task = typed ? `${taskCell(entry)} · ${entryTaskType(entry)}` : taskCell(entry);
    const cells = [escapeMarkdown(entry.model), verdictLabel(row), task, score];
    if (compared) {
      cells.push(
        [arrow(row), formatDelta(row.delta)].filter((part) => part !== "").join("\u00a0"),
        formatInterval(row.interval).replace(" ", "\u00a0"),
        formatPValue(row.pValue),
      );
    }
    return `| ${cells.join(" | ")} |`;
  });
  return { header, rows };
}

/**
 * The gated metric's family at every cutoff (nDCG@1 ... nDCG@1000 when nDCG@10 is gated), one row per
 * entry: deltas when there is a baseline, scores otherwise. Only the gated cutoff has a verdict (in the main
 * table); these are for reading, so they carry none.
 */
export function renderFamilyTable(comparison: Comparison, indexes: number[]): string {
  const entries = indexes.map((index) => comparison.entries[index] as ComparisonEntry);
  const withRows = entries.filter((entry) => entry.rows.length > 1);
  if (withRows.length === 0) return "";
  const gated = metricFamily(withRows[0]?.metric ?? "");
  if (gated.cutoff === null) return "";
  const members = new Map<string, number>();
  for (const entry of withRows) {
    for (const row of entry.rows) {
      const family = metricFamily(row.metric);
      if (family.family === gated.family && family.cutoff !== null) members.set(row.metric, family.cutoff);
    }
  }
  if (members.size < 2) return "";
  const metrics = [...members].sort((a, b) => a[1] - b[1]).map(([metric]) => metric);
  const compared = !comparison.baselineMissing;
  const header = `| Model | Task | ${metrics.map((metric) => `${escapeMarkdown(metricLabel(metric))}${metric === withRows[0]?.metric ? " (gated)" : ""}`).join(" | ")} |`;
  const lines = withRows.map((entry) => {
    const cells = metrics.map((metric) => {
      const row = entry.rows.find((candidate) => candidate.metric === metric);
      if (!row) return "—";
      return compared && row.delta !== null ? formatDelta(row.delta) : formatScore(row.head ?? row.base);
    });
    return `| ${escapeMarkdown(entry.model)} | ${taskCell(entry)} | ${cells.join(" | ")} |`;
  });
  const familyName = metricLabel(metrics[0] as string).replace(/@\d+$/, "");
  return [
    `**${escapeMarkdown(familyName)} at every cutoff** (${compared ? "Δ in points; not gated except the gated cutoff" : "points"}):`,
    "",
    header,
    `|---|---|${metrics.map(() => "--:").join("|")}|`,
    ...lines,
  ].join("\n");
}

/**
 * Every other metric (outside the gated family) in one fold: its delta and interval, no verdict (they
 * are not gated). Rows for the given entries only (the truncation keeps the important ones).
 */
export function renderOtherMetrics(comparison: Comparison, indexes: number[]): string {
  const compared = !comparison.baselineMissing;
  const lines: string[] = [];
  for (const index of indexes) {
    const entry = comparison.entries[index] as ComparisonEntry;
    const gatedFamily = metricFamily(entry.metric).family;
    for (const row of entry.rows) {
      if (row.gated || metricFamily(row.metric).family === gatedFamily) continue;
      const cells = [escapeMarkdown(entry.model), taskCell(entry), escapeMarkdown(metricLabel(row.metric))];
      if (compared) {
        cells.push(
          formatScore(row.base),
          formatScore(row.head),
          formatDelta(row.delta),
          formatInterval(row.interval),
        );
      } else {
        cells.push(formatScore(row.head ?? row.base));
      }
      lines.push(`| ${cells.join(" | ")} |`);
    }
  }
  if (lines.length === 0) return "";
  const header = compared
    ? ["| Model | Task | Metric | Base | Head | Δ | 95% CI |", "|---|---|---|--:|--:|--:|:-:|"]
    : ["| Model | Task | Metric | Score |", "|---|---|---|--:|"];
  return [
    `<details><summary>Every other metric (${formatCount(lines.length)} rows, not gated)</summary>`,
    "",
    ...header,
    ...lines,
    "",
    "</details>",
  ].join("\n");
}

/** Dataset changes, per entry: which revisions were scored and on how many paired queries. */
export function renderDatasetChanges(comparison: Comparison): string {
  const lines = comparison.entries.flatMap((entry) => {
    const change = entry.primary.datasetChange;
    if (!change) return [];
    return [
      `- 📦 **${escapeMarkdown(entry.model)} × ${taskCell(entry)}**: the baseline scored revision ${escapeMarkdown(change.base)}, this run ${escapeMarkdown(change.head)}. Deltas are means over the ${formatCount(entry.primary.pairedQueries)} queries scored on both sides; the row is not gated.`,
    ];
  });
  return lines.join("\n");
}

/**
 * What changes on every run even when the scores do not: latency, cost and what came from the cache. It
 * sits below the run-details marker, outside the part of the comment that decides whether it is edited.
 */
export function renderRunDetails(comparison: Comparison): string {
  const rows = comparison.entries.filter((entry) => entry.head?.embedeval?.usage);
  if (rows.length === 0) return "";
  const usages = rows.map((entry) => entry.head?.embedeval?.usage as UsageSummary);
  const embedded = usages.reduce((sum, usage) => sum + usage.textsEmbedded, 0);
  const cached = usages.reduce((sum, usage) => sum + usage.cacheHits, 0);
  const costs = usages.map((usage) => usage.costUsd).filter((cost): cost is number => cost !== null);
  const cost = costs.length > 0 ? ` for ${formatCost(costs.reduce((sum, value) => sum + value, 0))}` : "";
  const table = rows.map((entry) => {
    const usage = entry.head?.embedeval?.usage as UsageSummary;
    return `| ${escapeMarkdown(entry.model)} | ${taskCell(entry)} | ${formatLatency(usage.latencyMs)} | ${formatCost(usage.costUsd)} | ${formatCount(usage.textsEmbedded)} (${formatCount(usage.cacheHits)}) |`;
  });
  return [
    `This run embedded ${formatCount(embedded)} texts (${formatCount(cached)} more came from the cache)${cost}.`,
    "",
    "<details><summary>Latency and cost of this run</summary>",
    "",
    "| Model | Task | Latency p50 / p95 | Cost | Embedded (cached) |",
    "|---|---|--:|--:|--:|",
    ...table,
    "",
    "</details>",
  ].join("\n");
}

function arrow(row: ComparisonRow): string {
  if (row.delta === null) return "";
  if (Math.abs(row.delta) < 0.00005) return "";
  return row.delta > 0 ? "▲" : "▼";
}
