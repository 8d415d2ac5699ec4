/** The rule that decides when a score change is a regression, and its per-task or per-model overrides. */

import { mainRetrievalMetric } from "../tasks/retrieval-task.js";

export type DropRule =
  /** An absolute drop in the metric, in its own units (0.01 = one nDCG point). */
  | { kind: "absolute"; amount: number }
  /** A relative drop, as a fraction of the baseline (0.02 = 2%). */
  | { kind: "relative"; amount: number };

export interface CompareRule {
  metric: string;
  maxDrop: DropRule;
  /** A drop counts as a regression only when its permutation p-value is below this. */
  significance: number;
  /** Bootstrap resamples for confidence intervals. */
  resamples: number;
  seed: number;
}

export interface CompareOverride {
  task?: string;
  model?: string;
  metric?: string;
  maxDrop?: DropRule;
  significance?: number;
  /** "off" ignores the pair; "warn" reports without failing; "error" (default) fails. */
  level?: "off" | "warn" | "error";
}

/** The comparison rule when the config says nothing (also used by `compare` and `report` without --config). */
export const defaultCompareRule: CompareRule & { overrides: CompareOverride[] } = {
  metric: mainRetrievalMetric,
  maxDrop: { kind: "absolute", amount: 0.01 },
  significance: 0.05,
  resamples: 2000,
  seed: 42,
  overrides: [],
};
