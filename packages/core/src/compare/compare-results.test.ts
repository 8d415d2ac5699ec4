import { describe, expect, it } from "vitest";
import { buildTaskResult, noisyScores } from "../testing/task-result-builder.js";
import { compareResults } from "./compare-results.js";
import type { CompareOverride, CompareRule } from "./compare-rule.js";

const rule: CompareRule & { overrides: CompareOverride[] } = {
  metric: "ndcg_at_10",
  maxDrop: { kind: "absolute", amount: 0.002 },
  significance: 0.05,
  resamples: 1000,
  seed: 1,
  overrides: [],
};

describe("compareResults", () => {
  it("reports identical scores as unchanged with CI [0, 0] and p = 1", () => {
    const scores = noisyScores(100, 0.6, 0.3, 1);
    const base = [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores })];
    const head = [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores })];
    const comparison = compareResults(base, head, rule);
    const row = comparison.entries[0]?.primary;
    expect(row).toMatchObject({ verdict: "unchanged", delta: 0, interval: { low: 0, high: 0 }, pValue: 1 });
    expect(row?.pairedQueries).toBe(100);
    expect(comparison.regressed).toBe(false);
  });

  it("flags a constant drop on every query as a significant regression", () => {
    const scores = noisyScores(50, 0.6, 0.3, 2).map((value) => Math.max(0.05, value));
    const base = [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores })];
    const head = [
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores.map((value) => value - 0.05) }),
    ];
    const comparison = compareResults(base, head, rule);
    const row = comparison.entries[0]?.primary;
    expect(row?.verdict).toBe("regression");
    expect(row?.delta).toBeCloseTo(-0.05, 12);
    expect(row?.pValue).toBe(1 / 10_001);
    expect(row?.interval?.low).toBeCloseTo(-0.05, 12);
    expect(comparison.regressed).toBe(true);
    expect(comparison.regressions).toHaveLength(1);
  });

  it("calls a -0.4 point delta on 300 noisy queries noise, not a regression", () => {
    const base = noisyScores(300, 0.6, 0.35, 3);
    const jitter = noisyScores(300, 0, 0.2, 4);
    const head = base.map((value, index) => value + (jitter[index] as number));
    // Shift so the mean delta is exactly -0.004 (0.4 nDCG points), beyond the 0.002 threshold.
    const meanShift = head.reduce((sum, value, index) => sum + value - (base[index] as number), 0) / 300;
    const shifted = head.map((value) => value - meanShift - 0.004);
    const comparison = compareResults(
      [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: base })],
      [buildTaskResult({ model: "bm25", task: "SciFact", ndcg: shifted })],
      rule,
    );
    const row = comparison.entries[0]?.primary;
    expect(row?.delta).toBeCloseTo(-0.004, 10);
    expect(row?.pValue).toBeGreaterThan(0.05);
    expect(row?.interval?.low).toBeLessThan(0);
    expect(row?.interval?.high).toBeGreaterThan(0);
    expect(row?.verdict).toBe("noise");
    expect(comparison.regressed).toBe(false);
  });

  it("does not fail a significant drop that stays within the allowed amount", () => {
    const scores = new Array(200).fill(0.5);
    const comparison = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: scores })],
      [buildTaskResult({ model: "m", task: "T", ndcg: scores.map((value) => value - 0.001) })],
      rule,
    );
    expect(comparison.entries[0]?.primary.pValue).toBeLessThan(0.001);
    expect(comparison.entries[0]?.primary.verdict).toBe("noise");
  });

  it("applies a relative drop rule against the base score", () => {
    const scores = new Array(100).fill(0.5);
    const relative = { ...rule, maxDrop: { kind: "relative" as const, amount: 0.02 } };
    const within = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: scores })],
      [buildTaskResult({ model: "m", task: "T", ndcg: scores.map((value) => value - 0.009) })],
      relative,
    );
    expect(within.entries[0]?.primary.verdict).toBe("noise");
    const beyond = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: scores })],
      [buildTaskResult({ model: "m", task: "T", ndcg: scores.map((value) => value - 0.011) })],
      relative,
    );
    expect(beyond.entries[0]?.primary.verdict).toBe("regression");
  });

  it("reports improvements", () => {
    const scores = new Array(100).fill(0.4);
    const comparison = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: scores })],
      [buildTaskResult({ model: "m", task: "T", ndcg: scores.map((value) => value + 0.05) })],
      rule,
    );
    expect(comparison.entries[0]?.primary.verdict).toBe("improvement");
    expect(comparison.improvements).toHaveLength(1);
  });

  it("honours overrides by task, model and metric with levels off, warn and error", () => {
    const scores = new Array(100).fill(0.5);
    const drop = scores.map((value) => value - 0.05);
    const base = [
      buildTaskResult({ model: "a", task: "T1", ndcg: scores }),
      buildTaskResult({ model: "b", task: "T1", ndcg: scores }),
      buildTaskResult({ model: "a", task: "T2", ndcg: scores }),
    ];
    const head = [
      buildTaskResult({ model: "a", task: "T1", ndcg: drop }),
      buildTaskResult({ model: "b", task: "T1", ndcg: drop }),
      buildTaskResult({ model: "a", task: "T2", ndcg: drop }),
    ];
    const comparison = compareResults(base, head, {
      ...rule,
      overrides: [
        { task: "T1", model: "a", level: "warn" },
        { model: "b", maxDrop: { kind: "absolute", amount: 0.1 } },
        { task: "T2", level: "off" },
        { task: "T2", metric: "recall_at_10", level: "error" },
      ],
    });
    const byKey = new Map(comparison.entries.map((entry) => [`${entry.model}/${entry.task}`, entry]));
    expect(byKey.get("a/T1")?.primary).toMatchObject({ verdict: "regression", level: "warn" });
    expect(byKey.get("b/T1")?.primary).toMatchObject({ verdict: "noise", level: "error" });
    const t2 = byKey.get("a/T2");
    expect(t2?.primary).toMatchObject({ metric: "ndcg_at_10", level: "off" });
    const recall = t2?.rows.find((row) => row.metric === "recall_at_10");
    expect(recall).toMatchObject({ gated: true, level: "error", verdict: "regression" });
    expect(comparison.warnings.map((row) => row.model)).toEqual(["a"]);
    expect(comparison.regressions.map((row) => `${row.task}/${row.metric}`)).toEqual(["T2/recall_at_10"]);
  });

  it("shows models and tasks present on one side only as added and removed, never regressions", () => {
    const scores = new Array(20).fill(0.5);
    const comparison = compareResults(
      [buildTaskResult({ model: "old", task: "T", ndcg: scores })],
      [buildTaskResult({ model: "new", task: "T", ndcg: new Array(20).fill(0) })],
      rule,
    );
    expect(comparison.entries.map((entry) => [entry.model, entry.status, entry.primary.verdict])).toEqual([
      ["new", "added", "added"],
      ["old", "removed", "removed"],
    ]);
    expect(comparison.regressed).toBe(false);
  });

  it("shows a (model, task) that failed on the head side as failed, not removed, and fails the check", () => {
    const scores = noisyScores(40, 0.6, 0.3, 12);
    const base = [
      buildTaskResult({ model: "a", task: "SciFact", ndcg: scores }),
      buildTaskResult({ model: "b", task: "SciFact", ndcg: scores }),
    ];
    const head = [buildTaskResult({ model: "a", task: "SciFact", ndcg: scores })];
    const message = "error: bedrock: ValidationException (400) | `x`";
    const failed = compareResults(base, head, rule, {
      failures: [{ model: "b", message }],
      permutations: 500,
    });
    const entry = failed.entries.find((candidate) => candidate.model === "b");
    expect(entry?.status).toBe("failed");
    expect(entry?.primary).toMatchObject({ verdict: "failed", failure: message, head: null, level: "error" });
    expect(failed.failed).toBe(true);
    expect(failed.failures.map((row) => row.model)).toEqual(["b"]);
    expect(failed.regressed).toBe(false);

    // Still listed in the config but no result and no reported failure: failed too.
    const silent = compareResults(base, head, rule, {
      configured: { models: ["a", "b"], tasks: ["SciFact"] },
      permutations: 500,
    });
    expect(silent.entries.find((candidate) => candidate.model === "b")?.primary.verdict).toBe("failed");
    expect(silent.failed).toBe(true);

    // Gone from the config: removed, the check passes.
    const removed = compareResults(base, head, rule, {
      configured: { models: ["a"], tasks: ["SciFact"] },
      permutations: 500,
    });
    expect(removed.entries.find((candidate) => candidate.model === "b")?.primary.verdict).toBe("removed");
    expect(removed.failed).toBe(false);

    // A failure with no result on either side (a new model) still gets its row; level warn does not fail.
    const warned = compareResults(
      base,
      head,
      { ...rule, overrides: [{ model: "c", level: "warn" }] },
      {
        failures: [{ model: "c", task: "SciFact", message: "no key" }],
        permutations: 500,
      },
    );
    const added = warned.entries.find((candidate) => candidate.model === "c");
    expect(added?.primary).toMatchObject({ verdict: "failed", level: "warn", failure: "no key" });
    expect(warned.failed).toBe(false);
    expect(warned.failures).toHaveLength(1);
  });

  it("never gates a row whose dataset changed, and computes its delta on the paired queries only", () => {
    const scores = noisyScores(100, 0.6, 0.3, 14).map((value) => Math.max(0.1, value));
    const base = buildTaskResult({ model: "a", task: "SciFact", ndcg: scores });
    base.dataset_revision = "rev-1";
    // The new revision drops 20 queries; the 80 shared queries lose 5 points each.
    const headScores = scores.slice(0, 80).map((value) => value - 0.05);
    const head = buildTaskResult({ model: "a", task: "SciFact", ndcg: headScores });
    head.dataset_revision = "rev-2";
    const comparison = compareResults([base], [head], rule, { permutations: 500 });
    const row = comparison.entries[0]?.primary;
    expect(row).toMatchObject({
      verdict: "dataset changed",
      level: "warn",
      pairedQueries: 80,
      datasetChange: { base: "rev-1", head: "rev-2" },
    });
    expect(row?.delta).toBeCloseTo(-0.05, 12);
    expect(comparison.regressed).toBe(false);
    expect(comparison.regressions).toHaveLength(0);
    expect(comparison.warnings).toHaveLength(0);
    expect(comparison.datasetChanges).toEqual([row]);

    // Same files under another revision name (equal content hashes): compared and gated as usual.
    base.embedeval.dataset_content_hash = "sha256:same";
    head.embedeval.dataset_content_hash = "sha256:same";
    const same = compareResults(
      [base],
      [buildTaskResult({ model: "a", task: "SciFact", ndcg: scores.map((value) => value - 0.05) })].map(
        (result) => ({
          ...result,
          dataset_revision: "rev-2",
          embedeval: { ...result.embedeval, dataset_content_hash: "sha256:same" },
        }),
      ),
      rule,
      { permutations: 500 },
    );
    expect(same.entries[0]?.primary.verdict).toBe("regression");
    expect(same.regressed).toBe(true);
  });

  it("treats an empty base as a missing baseline: every row added, the check passes", () => {
    const comparison = compareResults(
      [],
      [buildTaskResult({ model: "m", task: "T", ndcg: [0.1, 0.2] })],
      rule,
    );
    expect(comparison.baselineMissing).toBe(true);
    expect(comparison.entries[0]?.primary).toMatchObject({ status: "added", head: 0.15000000000000002 });
    expect(comparison.regressed).toBe(false);
  });

  it("is deterministic, and adding a model does not change the other rows", () => {
    const base = [buildTaskResult({ model: "m", task: "T", ndcg: noisyScores(80, 0.5, 0.3, 5) })];
    const head = [buildTaskResult({ model: "m", task: "T", ndcg: noisyScores(80, 0.5, 0.3, 6) })];
    const first = compareResults(base, head, rule).entries[0]?.rows;
    expect(compareResults(base, head, rule).entries[0]?.rows).toEqual(first);
    const extra = buildTaskResult({ model: "z", task: "T", ndcg: [0.5] });
    expect(
      compareResults([...base, extra], [extra, ...head], rule).entries.find((e) => e.model === "m")?.rows,
    ).toEqual(first);
  });

  it("compares every metric in the files, gated metric first", () => {
    const comparison = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: [0.5, 0.6] })],
      [buildTaskResult({ model: "m", task: "T", ndcg: [0.5, 0.7] })],
      rule,
    );
    expect(comparison.entries[0]?.rows.map((row) => [row.metric, row.gated])).toEqual([
      ["ndcg_at_10", true],
      ["recall_at_10", false],
    ]);
  });

  it("resolves main_score to the result's main metric", () => {
    const comparison = compareResults(
      [buildTaskResult({ model: "m", task: "T", ndcg: [0.5] })],
      [buildTaskResult({ model: "m", task: "T", ndcg: [0.5] })],
      { ...rule, metric: "main_score" },
    );
    expect(comparison.entries[0]?.metric).toBe("ndcg_at_10");
  });
});
