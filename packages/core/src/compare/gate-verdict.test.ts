import { describe, expect, it } from "vitest";
import { buildTaskResult, noisyScores } from "../testing/task-result-builder.js";
import { compareResults } from "./compare-results.js";
import type { CompareOverride, CompareRule } from "./compare-rule.js";
import { gateVerdict } from "./gate-verdict.js";

const rule: CompareRule & { overrides: CompareOverride[] } = {
  metric: "ndcg_at_10",
  maxDrop: { kind: "absolute", amount: 0.01 },
  significance: 0.05,
  resamples: 200,
  seed: 1,
  overrides: [],
};
const scores = noisyScores(60, 0.6, 0.3, 7).map((value) => Math.max(0.1, value));
const dropped = scores.map((value) => value - 0.05);
const result = (model: string, task: string, ndcg: number[]) => buildTaskResult({ model, task, ndcg });
const options = { permutations: 2000 };

/** bm25 regresses on SciFact; tfidf is listed by the config but has no head result (it failed). */
function regressedAndFailed(overrides: CompareOverride[] = []) {
  return compareResults(
    [result("bm25", "SciFact", scores), result("tfidf", "SciFact", scores)],
    [result("bm25", "SciFact", dropped)],
    { ...rule, overrides },
    {
      ...options,
      failures: [{ model: "tfidf", message: "ProviderError: 401" }],
      configured: { models: ["bm25", "tfidf"], tasks: ["SciFact"] },
    },
  );
}

describe("gateVerdict", () => {
  it("passes a comparison with nothing to report", () => {
    const comparison = compareResults(
      [result("bm25", "SciFact", scores)],
      [result("bm25", "SciFact", scores)],
      rule,
      options,
    );
    expect(gateVerdict(comparison)).toEqual({ passed: true, reasons: [], waived: [] });
  });

  it("fails on a significant regression, naming it", () => {
    const comparison = compareResults(
      [result("bm25", "SciFact", scores)],
      [result("bm25", "SciFact", dropped)],
      rule,
      options,
    );
    const verdict = gateVerdict(comparison);
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons).toEqual([
      {
        check: "regressions",
        rows: comparison.regressions,
        summary: "1 significant regression(s) beyond the allowed drop",
      },
    ]);
    expect(verdict.reasons[0]?.rows[0]).toMatchObject({ model: "bm25", verdict: "regression" });
  });

  it("lists failed pairs before regressions, and both fail by default", () => {
    const verdict = gateVerdict(regressedAndFailed());
    expect(verdict.passed).toBe(false);
    expect(verdict.reasons.map((finding) => finding.check)).toEqual(["failures", "regressions"]);
    expect(verdict.reasons[0]?.summary).toBe(
      "1 gated model × task pair(s) failed to evaluate (tfidf × SciFact)",
    );
    expect(verdict.waived).toEqual([]);
  });

  it.each([
    { policy: { failOnError: false }, failing: ["regressions"], waived: ["failures"] },
    { policy: { failOnRegression: false }, failing: ["failures"], waived: ["regressions"] },
    {
      policy: { failOnError: false, failOnRegression: false },
      failing: [],
      waived: ["failures", "regressions"],
    },
  ])("with $policy, waives what the policy lets pass", ({ policy, failing, waived }) => {
    const verdict = gateVerdict(regressedAndFailed(), policy);
    expect(verdict.passed).toBe(failing.length === 0);
    expect(verdict.reasons.map((finding) => finding.check)).toEqual(failing);
    expect(verdict.waived.map((finding) => finding.check)).toEqual(waived);
  });

  it("ignores what the rule only warns about", () => {
    const comparison = regressedAndFailed([{ level: "warn" }]);
    expect(comparison.warnings).toHaveLength(1);
    expect(comparison.failures).toHaveLength(1);
    expect(gateVerdict(comparison)).toEqual({ passed: true, reasons: [], waived: [] });
  });

  it("names at most five failed pairs", () => {
    const models = ["m1", "m2", "m3", "m4", "m5", "m6", "m7"];
    const comparison = compareResults([], [], rule, {
      failures: models.map((model) => ({ model, task: "SciFact", message: "timeout" })),
    });
    expect(gateVerdict(comparison).reasons[0]?.summary).toBe(
      "7 gated model × task pair(s) failed to evaluate (m1 × SciFact, m2 × SciFact, m3 × SciFact, m4 × SciFact, m5 × SciFact, ...)",
    );
  });
});
