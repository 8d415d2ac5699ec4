import type { Comparison } from "../compare/comparison.js";
import { aggregateCells, aggregateHeaders, benchmarkSummary } from "./benchmark-summary.js";
import { escapeMarkdown } from "./markdown-escape.js";

/**
 * MTEB(eng, v2)'s aggregates per model, tasks grouped by type (one column per type's mean), head with its
 * change from the base when there is one: the number people compare models by. Empty when no model ran at
 * least two of the benchmark's tasks.
 */
export function renderBenchmarkTable(comparison: Comparison): string {
  const summary = benchmarkSummary(comparison);
  if (!summary) return "";
  const headers = aggregateHeaders(summary);
  return [
    `**${escapeMarkdown(summary.benchmark)}**: MTEB's means of the main scores${comparison.baselineMissing ? "" : " (head, Δ from the base in points)"}; partial when a model ran only some of its tasks.`,
    "",
    `| Model | ${headers.map(escapeMarkdown).join(" | ")} |`,
    `|---|${headers.map(() => "--:").join("|")}|`,
    ...summary.rows.map(
      (row) => `| ${[escapeMarkdown(row.model), ...aggregateCells(summary, row)].join(" | ")} |`,
    ),
  ].join("\n");
}
