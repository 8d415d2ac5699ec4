import type { TaskResult } from "../results/task-result.js";
import type { ConfidenceInterval } from "../statistics/paired-bootstrap.js";
import type { CompareOverride, CompareRule, DropRule } from "./compare-rule.js";

/**
 * "removed": the head config no longer lists the model or task. "failed": the head config lists it but the
 * evaluation produced no result (the provider errored, a secret was missing): never shown as "removed".
 */
export type RowStatus = "added" | "removed" | "failed" | "compared";
export type Verdict =
  | "regression"
  | "improvement"
  | "noise"
  | "unchanged"
  | "added"
  | "removed"
  | "failed"
  | "dataset changed";
export type RuleLevel = "off" | "warn" | "error";

/** One (model, task, split, metric) line of a comparison. */
export interface ComparisonRow {
  model: string;
  task: string;
  split: string;
  metric: string;
  status: RowStatus;
  /** Mean score of the metric in the base / head result (null when that side has no result). */
  base: number | null;
  head: number | null;
  /** head - base. */
  delta: number | null;
  /** (head - base) / base; null when base is 0 or missing. */
  relativeDelta: number | null;
  /** Paired bootstrap interval of the mean per-query difference; null without per-query scores on both sides. */
  interval: ConfidenceInterval | null;
  /** Two-sided paired permutation p-value; null without per-query scores on both sides. */
  pValue: number | null;
  /** Queries scored on both sides (the pairs the interval and the test use). */
  pairedQueries: number;
  /** True for the metrics the rule decides on (the rule's metric and metrics named by overrides). */
  gated: boolean;
  /** "off" for metrics shown for information only. */
  level: RuleLevel;
  maxDrop: DropRule;
  significance: number;
  verdict: Verdict;
  /** Why the head side has no result (status "failed"), as the evaluation reported it. */
  failure?: string;
  /**
   * Set when base and head scored different data (dataset revision or content hash differ): the row is
   * never gated (verdict "dataset changed"), and delta is the mean difference over the paired queries.
   */
  datasetChange?: { base: string; head: string };
}

/** Everything compared for one (model, task, split): its gated row first, then every other metric. */
export interface ComparisonEntry {
  model: string;
  task: string;
  split: string;
  status: RowStatus;
  /** The metric the rule gates on for this entry (the row shown in the summary table). */
  metric: string;
  primary: ComparisonRow;
  rows: ComparisonRow[];
  base: TaskResult | null;
  head: TaskResult | null;
}

export interface Comparison {
  entries: ComparisonEntry[];
  /** Gated rows with verdict "regression" at level "error": these fail the check. */
  regressions: ComparisonRow[];
  /** Gated rows with verdict "regression" at level "warn". */
  warnings: ComparisonRow[];
  improvements: ComparisonRow[];
  /** Gated rows whose base and head scored different data: shown as warnings, never gated. */
  datasetChanges: ComparisonRow[];
  /** Gated rows whose (model, task) failed on the head side, at level "warn" or "error". */
  failures: ComparisonRow[];
  regressed: boolean;
  /** True when a gated (model, task) at level "error" failed: the check fails as for a regression. */
  failed: boolean;
  /** True when the base side had no results at all (first run): absolute scores only. */
  baselineMissing: boolean;
  rule: CompareRule & { overrides: CompareOverride[] };
  permutations: number;
}
