/**
 * Builds TaskResult objects for tests (compare, report, CLI and action tests): per-query scores in, a
 * result file with honest means out. Not exported from the package: tests import it by path.
 */
import type { TaskResult, UsageSummary } from "../results/task-result.js";
import { mainRetrievalMetric } from "../tasks/retrieval-task.js";

export interface TaskResultSpec {
  model: string;
  task: string;
  split?: string;
  /** Per-query nDCG@10, in query order q0, q1, ... */
  ndcg: number[];
  /** Other metrics per query derived from the nDCG value; recall_at_10 = min(1, ndcg + 0.1) by default. */
  derive?: (ndcg: number, index: number) => Record<string, number>;
  usage?: Partial<UsageSummary>;
  provider?: string;
  date?: number;
}

export function buildTaskResult(spec: TaskResultSpec): TaskResult {
  const split = spec.split ?? "test";
  const derive = spec.derive ?? ((ndcg: number) => ({ recall_at_10: Math.min(1, ndcg + 0.1) }));
  const perQuery: Record<string, Record<string, number>> = {};
  const sums: Record<string, number> = {};
  spec.ndcg.forEach((ndcg, index) => {
    const metrics = { ndcg_at_10: ndcg, ...derive(ndcg, index) };
    perQuery[`q${index}`] = metrics;
    for (const [name, value] of Object.entries(metrics)) sums[name] = (sums[name] ?? 0) + value;
  });
  const means: Record<string, number> = {};
  for (const [name, sum] of Object.entries(sums)) means[name] = sum / spec.ndcg.length;
  return {
    dataset_revision: "fixture",
    task_name: spec.task,
    mteb_version: "1.36.0",
    scores: {
      [split]: [
        { ...means, main_score: means.ndcg_at_10 ?? 0, hf_subset: "default", languages: ["eng-Latn"] },
      ],
    },
    evaluation_time: 1,
    date: spec.date ?? 1_764_000_000,
    embedeval: {
      version: "0.1.0",
      model: {
        id: spec.model,
        provider: spec.provider ?? "bm25",
        model: spec.model,
        options: {},
        revision: "no_revision_available",
      },
      per_query: { [split]: perQuery },
      main_metric: mainRetrievalMetric,
      usage: {
        textsEmbedded: 1200,
        cacheHits: 0,
        calls: 10,
        retries: 0,
        throttles: 0,
        tokens: 50_000,
        tokensSource: "estimated",
        costUsd: 0.001,
        pricePerMillionTokens: 0.02,
        latencyMs: { p50: 120, p95: 340, mean: 150 },
        latencyPerTextMs: null,
        throughput: 800,
        ...spec.usage,
      },
      timings: { embedSeconds: 1, searchSeconds: 0.1, scoreSeconds: 0.01, totalSeconds: 1.2 },
      warnings: [],
      counts: { documents: 1000, queries: spec.ndcg.length, scoredQueries: spec.ndcg.length },
    },
  };
}

/** Deterministic pseudo-random per-query scores in [0, 1] around a mean, for noisy fixtures. */
export function noisyScores(count: number, mean: number, spread: number, seed: number): number[] {
  let state = seed >>> 0;
  const next = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
  return Array.from({ length: count }, () => Math.min(1, Math.max(0, mean + (next() * 2 - 1) * spread)));
}
