import type { TaskResult } from "../results/task-result.js";
import { pairedBootstrapInterval } from "../statistics/paired-bootstrap.js";
import { pairedPermutationPValue } from "../statistics/paired-permutation-test.js";
import { deriveSeed } from "../statistics/seeded-random.js";
import type { CompareOverride, CompareRule, DropRule } from "./compare-rule.js";
import type { Comparison, ComparisonEntry, ComparisonRow, RuleLevel, Verdict } from "./comparison.js";

export interface CompareOptions {
  /** Sign-flip permutations per row; 10,000 by default. */
  permutations?: number;
  /** Compare every metric in the result files (default) or only the gated ones (faster on huge query sets). */
  metrics?: "all" | "gated";
  /**
   * Permutations and bootstrap resamples for metrics shown for information only (not gated): 2,000 and
   * 1,000 by default. They decide nothing, and there are ~40 of them per (model, task), so they get a
   * cheaper, slightly coarser estimate (p resolved to about +-0.01 near 0.05).
   */
  informationalPermutations?: number;
  informationalResamples?: number;
  /** (model, task) pairs that failed on the head side; a missing task means the whole model failed. */
  failures?: HeadFailure[];
  /**
   * The model ids and task names the head config lists. A base result whose model and task are both
   * listed but that has no head result failed (even without a reported failure); otherwise it was removed.
   */
  configured?: { models: string[]; tasks: string[] };
}

export interface HeadFailure {
  model: string;
  task?: string | undefined;
  message: string;
}

/** Keys of split score objects that are not metrics. */
const nonMetricKeys = new Set(["hf_subset", "languages", "main_score", "evaluation_time"]);

/**
 * Compares base results with head results for every (model id, task, split, metric).
 *
 * A gated row is a regression when its drop is beyond the allowed amount (absolute or relative, from the
 * rule or the overrides that match its task, model and metric) AND the paired permutation test says the
 * difference is significant (p < significance); an improvement likewise in the other direction. Rows
 * present on one side only are "added" or "removed", never regressions; a (model, task) the head config
 * still lists but that has no head result is "failed", which fails the check when gated at level error. Deterministic: every random
 * stream is seeded from the rule's seed and the row's key.
 */
export function compareResults(
  base: TaskResult[],
  head: TaskResult[],
  rule: CompareRule & { overrides?: CompareOverride[] },
  options: CompareOptions = {},
): Comparison {
  const fullRule = { ...rule, overrides: rule.overrides ?? [] };
  const permutations = options.permutations ?? 10_000;
  const baseByKey = indexResults(base);
  const headByKey = indexResults(head);
  // Head order first (the order the config lists models and tasks), then what the head removed.
  const keys = [...new Set([...headByKey.keys(), ...baseByKey.keys()])];

  const failures = options.failures ?? [];
  const failureOf = (model: string, task: string): string | undefined => {
    const found = failures.find(
      (failure) => failure.model === model && (failure.task === undefined || failure.task === task),
    );
    if (found) return found.message;
    const configured = options.configured;
    if (configured?.models.includes(model) && configured.tasks.includes(task)) {
      return "no result: the model and task are in the config, but the evaluation produced none";
    }
    return undefined;
  };

  const entries: ComparisonEntry[] = [];
  const covered = new Set<string>();
  for (const key of keys) {
    const baseResult = baseByKey.get(key) ?? null;
    const headResult = headByKey.get(key) ?? null;
    const any = (headResult ?? baseResult) as TaskResult;
    const model = any.embedeval?.model?.id ?? "unknown";
    const task = any.task_name;
    covered.add(`${model}\u0000${task}`);
    const failure = headResult ? undefined : failureOf(model, task);
    const splits = [
      ...new Set([...Object.keys(headResult?.scores ?? {}), ...Object.keys(baseResult?.scores ?? {})]),
    ].sort();
    for (const split of splits) {
      entries.push(
        compareSplit(model, task, split, baseResult, headResult, fullRule, permutations, options, failure),
      );
    }
  }
  // Failures with no result on either side (a new model, or no baseline yet) still get a row each.
  for (const failure of failures) {
    const modelShown = entries.some((entry) => entry.model === failure.model);
    const tasks =
      failure.task !== undefined
        ? [failure.task]
        : (options.configured?.tasks ?? (modelShown ? [] : ["all tasks"]));
    for (const task of tasks) {
      if (covered.has(`${failure.model}\u0000${task}`)) continue;
      covered.add(`${failure.model}\u0000${task}`);
      entries.push(
        compareSplit(
          failure.model,
          task,
          "test",
          null,
          null,
          fullRule,
          permutations,
          options,
          failure.message,
        ),
      );
    }
  }

  const gated = entries.flatMap((entry) => entry.rows.filter((row) => row.gated));
  const regressions = gated.filter((row) => row.verdict === "regression" && row.level === "error");
  const warnings = gated.filter((row) => row.verdict === "regression" && row.level === "warn");
  const improvements = gated.filter((row) => row.verdict === "improvement" && row.level !== "off");
  const failedRows = gated.filter((row) => row.verdict === "failed" && row.level !== "off");
  const datasetChanges = gated.filter((row) => row.verdict === "dataset changed");
  return {
    entries,
    regressions,
    warnings,
    improvements,
    failures: failedRows,
    datasetChanges,
    regressed: regressions.length > 0,
    failed: failedRows.some((row) => row.level === "error"),
    baselineMissing: base.length === 0,
    rule: fullRule,
    permutations,
  };
}

function compareSplit(
  model: string,
  task: string,
  split: string,
  base: TaskResult | null,
  head: TaskResult | null,
  rule: CompareRule & { overrides: CompareOverride[] },
  permutations: number,
  options: CompareOptions,
  failure?: string,
): ComparisonEntry {
  const baseScores = base?.scores[split]?.[0];
  const headScores = head?.scores[split]?.[0];
  const status =
    failure !== undefined && !headScores
      ? "failed"
      : !baseScores
        ? "added"
        : !headScores
          ? "removed"
          : "compared";
  const mainMetric = resolveMetric(rule.metric, head ?? base);
  const gatedMetrics = new Set([mainMetric]);
  for (const override of matchingOverrides(rule.overrides, task, model)) {
    if (override.metric) gatedMetrics.add(resolveMetric(override.metric, head ?? base));
  }
  const metricNames = new Set<string>(gatedMetrics);
  if (options.metrics !== "gated") {
    for (const scores of [headScores, baseScores]) {
      for (const [name, value] of Object.entries(scores ?? {})) {
        if (!nonMetricKeys.has(name) && typeof value === "number") metricNames.add(name);
      }
    }
  }
  const datasetChange = base && head && status === "compared" ? changedDataset(base, head) : undefined;
  const ordered = [...gatedMetrics, ...[...metricNames].filter((name) => !gatedMetrics.has(name)).sort()];
  const rows = ordered.map((metric) => {
    const gated = gatedMetrics.has(metric);
    const applied = ruleFor(rule, task, model, metric);
    return compareMetric({
      model,
      task,
      split,
      metric,
      status,
      gated,
      // Scores of different data are not comparable: such a row can warn, never fail the check.
      level: gated ? (datasetChange ? (applied.level === "off" ? "off" : "warn") : applied.level) : "off",
      maxDrop: applied.maxDrop,
      significance: applied.significance,
      base: numberOrNull(baseScores?.[metric]),
      head: numberOrNull(headScores?.[metric]),
      basePerQuery: base?.embedeval?.per_query?.[split],
      headPerQuery: head?.embedeval?.per_query?.[split],
      resamples: gated ? rule.resamples : Math.min(rule.resamples, options.informationalResamples ?? 1000),
      seed: deriveSeed(rule.seed, `${model}\u0000${task}\u0000${split}\u0000${metric}`),
      permutations: gated ? permutations : Math.min(permutations, options.informationalPermutations ?? 2000),
      ...(status === "failed" && failure !== undefined ? { failure } : {}),
      ...(datasetChange ? { datasetChange } : {}),
    });
  });
  return {
    model,
    task,
    split,
    status,
    metric: mainMetric,
    primary: rows[0] as ComparisonRow,
    rows,
    base,
    head,
  };
}

interface MetricInput {
  model: string;
  task: string;
  split: string;
  metric: string;
  status: ComparisonRow["status"];
  gated: boolean;
  level: RuleLevel;
  maxDrop: DropRule;
  significance: number;
  base: number | null;
  head: number | null;
  basePerQuery: Record<string, Record<string, number>> | undefined;
  headPerQuery: Record<string, Record<string, number>> | undefined;
  resamples: number;
  seed: number;
  permutations: number;
  failure?: string;
  datasetChange?: { base: string; head: string };
}

function compareMetric(input: MetricInput): ComparisonRow {
  const { base, head } = input;
  const row: ComparisonRow = {
    model: input.model,
    task: input.task,
    split: input.split,
    metric: input.metric,
    status: input.status,
    base,
    head,
    delta: null,
    relativeDelta: null,
    interval: null,
    pValue: null,
    pairedQueries: 0,
    gated: input.gated,
    level: input.level,
    maxDrop: input.maxDrop,
    significance: input.significance,
    verdict: input.status === "compared" ? "unchanged" : input.status,
    ...(input.failure !== undefined ? { failure: input.failure } : {}),
    ...(input.datasetChange ? { datasetChange: input.datasetChange } : {}),
  };
  if (input.status !== "compared" || base === null || head === null) return row;
  row.delta = head - base;
  row.relativeDelta = base !== 0 ? (head - base) / Math.abs(base) : null;

  const differences = pairedDifferences(input.basePerQuery, input.headPerQuery, input.metric);
  row.pairedQueries = differences.length;
  if (input.datasetChange) {
    // The means cover different query sets: only the queries scored on both sides say anything.
    row.delta = differences.length > 0 ? mean(differences) : null;
    row.relativeDelta = null;
  }
  if (differences.length > 0) {
    row.interval = pairedBootstrapInterval(differences, { resamples: input.resamples, seed: input.seed });
    row.pValue = pairedPermutationPValue(differences, {
      permutations: input.permutations,
      seed: input.seed ^ 0x5bd1e995,
    });
  }
  row.verdict = input.datasetChange ? "dataset changed" : decide(row, differences);
  return row;
}

function mean(values: Float64Array): number {
  let sum = 0;
  for (const value of values) sum += value;
  return sum / values.length;
}

/**
 * The two dataset identities when base and head scored different data, else undefined. The content hash
 * decides when both sides have one (a revision renamed over identical files is the same data); otherwise
 * the sides match when any identity is shared (older result files carried the hash as dataset_revision).
 */
function changedDataset(base: TaskResult, head: TaskResult): { base: string; head: string } | undefined {
  const baseHash = base.embedeval?.dataset_content_hash;
  const headHash = head.embedeval?.dataset_content_hash;
  if (baseHash && headHash) {
    return baseHash === headHash
      ? undefined
      : { base: base.dataset_revision || baseHash, head: head.dataset_revision || headHash };
  }
  const baseIds = new Set([base.dataset_revision, baseHash].filter((id): id is string => Boolean(id)));
  const headIds = [head.dataset_revision, headHash].filter((id): id is string => Boolean(id));
  if (baseIds.size === 0 || headIds.length === 0 || headIds.some((id) => baseIds.has(id))) return undefined;
  return { base: base.dataset_revision, head: head.dataset_revision };
}

function decide(row: ComparisonRow, differences: Float64Array): Verdict {
  const delta = row.delta as number;
  const base = row.base as number;
  const noDifference = differences.length > 0 ? differences.every((value) => value === 0) : delta === 0;
  if (noDifference && delta === 0) return "unchanged";
  const allowed = row.maxDrop.kind === "absolute" ? row.maxDrop.amount : row.maxDrop.amount * Math.abs(base);
  const beyond = Math.abs(delta) > allowed;
  // Without per-query scores (e.g. results from MTEB itself) no test is possible: decide on the threshold.
  const significant = row.pValue === null ? true : row.pValue < row.significance;
  if (beyond && significant) return delta < 0 ? "regression" : "improvement";
  return "noise";
}

function pairedDifferences(
  base: Record<string, Record<string, number>> | undefined,
  head: Record<string, Record<string, number>> | undefined,
  metric: string,
): Float64Array {
  if (!base || !head) return new Float64Array(0);
  const values: number[] = [];
  // Sorted ids: the same pairs in the same order on every machine, whatever the file's key order.
  for (const queryId of Object.keys(head).sort()) {
    const headValue = head[queryId]?.[metric];
    const baseValue = base[queryId]?.[metric];
    if (typeof headValue === "number" && typeof baseValue === "number") values.push(headValue - baseValue);
  }
  return Float64Array.from(values);
}

interface AppliedRule {
  maxDrop: DropRule;
  significance: number;
  level: RuleLevel;
}

/** The rule for one row: the base rule, then every matching override in file order (later wins). */
export function ruleFor(
  rule: CompareRule & { overrides: CompareOverride[] },
  task: string,
  model: string,
  metric: string,
): AppliedRule {
  const applied: AppliedRule = { maxDrop: rule.maxDrop, significance: rule.significance, level: "error" };
  for (const override of matchingOverrides(rule.overrides, task, model)) {
    if (override.metric !== undefined && override.metric !== metric) continue;
    if (override.maxDrop) applied.maxDrop = override.maxDrop;
    if (override.significance !== undefined) applied.significance = override.significance;
    if (override.level) applied.level = override.level;
  }
  return applied;
}

function matchingOverrides(overrides: CompareOverride[], task: string, model: string): CompareOverride[] {
  return overrides.filter(
    (override) =>
      (override.task === undefined || override.task === task) &&
      (override.model === undefined || override.model === model),
  );
}

/** "main_score" means the result's own main metric (ndcg_at_10 for retrieval). */
function resolveMetric(metric: string, result: TaskResult | null): string {
  if (metric === "main_score" && result?.embedeval?.main_metric) return result.embedeval.main_metric;
  return metric;
}

function numberOrNull(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function resultKey(result: TaskResult): string {
  return `${result.embedeval?.model?.id ?? "unknown"}\u0000${result.task_name}`;
}

function indexResults(results: TaskResult[]): Map<string, TaskResult> {
  const map = new Map<string, TaskResult>();
  for (const result of results) map.set(resultKey(result), result);
  return map;
}
