/**
 * The one decision "does this comparison pass the check?", shared by `embedeval compare` (its exit code)
 * and the GitHub Action (its step status), so the two can never disagree about the same results.
 */

import type { Comparison, ComparisonRow } from "./comparison.js";

export interface GatePolicy {
  /** Fail on a significant regression beyond the allowed drop at level "error" (default true). */
  failOnRegression?: boolean;
  /** Fail when a gated (model, task) at level "error" produced no head result (default true). */
  failOnError?: boolean;
}

/** One reason the check fails (or would fail, had the policy not waived it). */
export interface GateFinding {
  /** "failures": gated (model, task) pairs with no head result; "regressions": gated regressions. */
  check: "failures" | "regressions";
  /** The level-"error" rows behind the finding, in comparison order. */
  rows: ComparisonRow[];
  /** One sentence naming what was found, e.g. "1 significant regression(s) beyond the allowed drop". */
  summary: string;
}

export interface GateVerdict {
  passed: boolean;
  /**
   * The findings that fail the check. Failures come first: a model that errors on the head side must not
   * pass as "removed", which would switch its gate off.
   */
  reasons: GateFinding[];
  /** The findings the policy lets pass (failOnError or failOnRegression false): worth a log line. */
  waived: GateFinding[];
}

/** How many failed pairs a summary names before it says "...". */
const namedPairsLimit = 5;

export function gateVerdict(comparison: Comparison, policy: GatePolicy = {}): GateVerdict {
  const findings: { finding: GateFinding; fails: boolean }[] = [];
  const failedPairs = comparison.failures.filter((row) => row.level === "error");
  if (failedPairs.length > 0) {
    const named = failedPairs
      .slice(0, namedPairsLimit)
      .map((row) => `${row.model} × ${row.task}`)
      .join(", ");
    findings.push({
      finding: {
        check: "failures",
        rows: failedPairs,
        summary: `${failedPairs.length} gated model × task pair(s) failed to evaluate (${named}${failedPairs.length > namedPairsLimit ? ", ..." : ""})`,
      },
      fails: policy.failOnError ?? true,
    });
  }
  if (comparison.regressions.length > 0) {
    findings.push({
      finding: {
        check: "regressions",
        rows: comparison.regressions,
        summary: `${comparison.regressions.length} significant regression(s) beyond the allowed drop`,
      },
      fails: policy.failOnRegression ?? true,
    });
  }
  const reasons = findings.filter((item) => item.fails).map((item) => item.finding);
  const waived = findings.filter((item) => !item.fails).map((item) => item.finding);
  return { passed: reasons.length === 0, reasons, waived };
}
