import type { Comparison, ComparisonEntry } from "../compare/comparison.js";
import type { TaskResult } from "../results/task-result.js";
import { aggregatesOver, type BenchmarkAggregates } from "../tasks/benchmark-aggregates.js";
import { findMtebBenchmark } from "../tasks/mteb-task-registry.js";
import { mtebTypedTaskList, mtebTypedTasksBenchmark } from "../tasks/mteb-typed-tasks.js";
import type { MtebTaskType } from "../tasks/shared/task-type.js";
import { formatDelta, formatScore } from "./report-format.js";

/** MTEB's order of task types, Retrieval first: how reports group tasks. */
export const taskTypeOrder: readonly string[] = [
  "Retrieval",
  "Reranking",
  "STS",
  "PairClassification",
  "Summarization",
  "BitextMining",
  "Classification",
  "MultilabelClassification",
  "Clustering",
];

/** A result's MTEB task type; retrieval files written before 0.2 have none. */
export function taskTypeOf(result: TaskResult | null): string {
  return result?.embedeval.task_type ?? "Retrieval";
}

/** An entry's task type, from whichever side has a result. */
export function entryTaskType(entry: ComparisonEntry): string {
  return taskTypeOf(entry.head ?? entry.base);
}

export function taskTypeRank(type: string): number {
  const index = taskTypeOrder.indexOf(type);
  return index === -1 ? taskTypeOrder.length : index;
}

export interface BenchmarkSummaryRow {
  model: string;
  head: BenchmarkAggregates | undefined;
  base: BenchmarkAggregates | undefined;
}

export interface BenchmarkSummary {
  benchmark: string;
  /** How many tasks the benchmark has. */
  taskCount: number;
  /** The task types with a mean on either side, in MTEB's order. */
  types: string[];
  rows: BenchmarkSummaryRow[];
}

/**
 * MTEB(eng, v2)'s aggregates per model, on each side of the comparison, as MTEB's leaderboard computes
 * them (mean over tasks, mean over task types, each type's mean; the same as the CLI's table), for the
 * models that ran at least two of its tasks; undefined when none did.
 */
export function benchmarkSummary(comparison: Comparison): BenchmarkSummary | undefined {
  const benchmark = findMtebBenchmark(mtebTypedTasksBenchmark);
  if (!benchmark) return undefined;
  const names = [...benchmark.tasks, ...mtebTypedTaskList.map((task) => task.name)];
  const side = (entries: ComparisonEntry[], pick: "base" | "head") =>
    aggregatesOver(
      names,
      entries.flatMap((entry) => {
        const result = entry[pick];
        // One main score per task, as MTEB's leaderboard takes it: the first split's first subset.
        const score = result ? Object.values(result.scores)[0]?.[0]?.main_score : undefined;
        return result && typeof score === "number"
          ? [{ task: result.task_name, type: taskTypeOf(result) as MtebTaskType, mainScore: score }]
          : [];
      }),
    );
  const rows: BenchmarkSummaryRow[] = [];
  for (const model of [...new Set(comparison.entries.map((entry) => entry.model))]) {
    const entries = comparison.entries.filter((entry) => entry.model === model);
    const head = side(entries, "head");
    const base = comparison.baselineMissing ? undefined : side(entries, "base");
    if (head || base) rows.push({ model, head, base });
  }
  if (rows.length === 0) return undefined;
  const types = [
    ...new Set(
      rows.flatMap((row) => [
        ...Object.keys(row.head?.perTaskType ?? {}),
        ...Object.keys(row.base?.perTaskType ?? {}),
      ]),
    ),
  ].sort((a, b) => taskTypeRank(a) - taskTypeRank(b));
  return { benchmark: benchmark.name, taskCount: names.length, types, rows };
}

/** A mean on the head side with its change from the base, e.g. "61.20 (-0.85)"; "—" without a head mean. */
export function formatAggregate(head: number | undefined, base: number | undefined): string {
  if (head === undefined || Number.isNaN(head)) return "—";
  return base === undefined || Number.isNaN(base)
    ? formatScore(head)
    : `${formatScore(head)} (${formatDelta(head - base)})`;
}

/** The columns both reports show: mean over tasks, mean over task types, then each type's mean. */
export function aggregateCells(summary: BenchmarkSummary, row: BenchmarkSummaryRow): string[] {
  return [
    formatAggregate(row.head?.meanOverTasks, row.base?.meanOverTasks),
    formatAggregate(row.head?.meanOverTaskTypes, row.base?.meanOverTaskTypes),
    ...summary.types.map((type) =>
      formatAggregate(row.head?.perTaskType[type]?.mean, row.base?.perTaskType[type]?.mean),
    ),
    `${row.head?.tasks ?? 0} of ${summary.taskCount}`,
  ];
}

export function aggregateHeaders(summary: BenchmarkSummary): string[] {
  return ["Mean (task)", "Mean (task type)", ...summary.types, "Tasks"];
}
