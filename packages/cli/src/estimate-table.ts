import { formatCount } from "@embedeval/core";
import type { RunEstimate } from "./run-evaluation.js";

/** The dry run's table: what each model would embed and pay, with a total to read before spending. */
export function renderEstimateTable(estimates: RunEstimate[]): string {
  const header = ["model", "task", "texts", "cached", "to embed", "est. tokens", "est. cost"];
  const rows = estimates.map((estimate) => [
    estimate.model,
    estimate.task,
    formatCount(estimate.texts),
    formatCount(estimate.cached),
    formatCount(estimate.texts - estimate.cached),
    formatCount(estimate.estimatedTokens),
    formatCost(estimate.estimatedCostUsd),
  ]);
  const total = estimates.reduce((sum, estimate) => sum + (estimate.estimatedCostUsd ?? 0), 0);
  const unknown = estimates.filter((estimate) => estimate.estimatedCostUsd === null && estimate.texts > 0);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const format = (row: string[]) =>
    row
      .map((cell, column) =>
        column >= 2 ? cell.padStart(widths[column] as number) : cell.padEnd(widths[column] as number),
      )
      .join("  ")
      .trimEnd();
  const lines = [format(header), widths.map((width) => "─".repeat(width)).join("  "), ...rows.map(format)];
  lines.push(
    "",
    `estimated total: ${formatCost(total)} (tokens estimated at 4 characters each; no provider was called)`,
  );
  const batchTexts = estimates.reduce((sum, estimate) => sum + estimate.batchTexts, 0);
  if (batchTexts > 0) {
    lines.push(
      `batch inference: ${formatCount(batchTexts)} of the texts to embed go through jobs, at the batch price`,
    );
  }
  if (unknown.length > 0) {
    lines.push(
      `no list price for: ${[...new Set(unknown.map((estimate) => estimate.model))].join(", ")} (set pricePerMillionTokens in the config)`,
    );
  }
  return lines.join("\n");
}

function formatCost(value: number | null): string {
  if (value === null) return "-";
  return `$${value.toFixed(value > 0 && value < 0.01 ? 4 : 2)}`;
}
