/**
 * A model-selection study in miniature, for the HTML report's tests and its screenshot: five models with
 * known prices, latencies, dimensions and per-query scores, and a baseline in which one of them was better.
 */
import { compareResults } from "../compare/compare-results.js";
import type { Comparison } from "../compare/comparison.js";
import type { TaskResult } from "../results/task-result.js";
import { buildTaskResult, noisyScores } from "./task-result-builder.js";

export interface FixtureModel {
  id: string;
  provider: string;
  dimensions: number | undefined;
  pricePerMillionTokens: number | null;
  latencyP50Ms: number | null;
  /** Mean nDCG@10 the head side is built around, per task. */
  quality: number;
  /** How much the head side lost against the baseline, per query. */
  drop: number;
}

export const fixtureModels: FixtureModel[] = [
  {
    id: "titan-v2-512",
    provider: "bedrock",
    dimensions: 512,
    pricePerMillionTokens: 0.02,
    latencyP50Ms: 120,
    quality: 0.7,
    drop: 0.04,
  },
  {
    id: "cohere-v3",
    provider: "bedrock",
    dimensions: 1024,
    pricePerMillionTokens: 0.1,
    latencyP50Ms: 90,
    quality: 0.72,
    drop: 0,
  },
  {
    id: "openai-3-small",
    provider: "openai",
    dimensions: 1536,
    pricePerMillionTokens: 0.02,
    latencyP50Ms: 200,
    quality: 0.66,
    drop: 0,
  },
  {
    id: "bge-base-local",
    provider: "local",
    dimensions: 768,
    pricePerMillionTokens: null,
    latencyP50Ms: 40,
    quality: 0.64,
    drop: 0,
  },
  {
    id: "bm25",
    provider: "bm25",
    dimensions: undefined,
    pricePerMillionTokens: null,
    latencyP50Ms: null,
    quality: 0.55,
    drop: 0,
  },
];

export const fixtureTasks = ["SciFact", "SupportTickets"];

/** The per-query nDCG@10 of a model on a task (head side), clamped to [0, 1]. */
export function fixtureScores(model: FixtureModel, taskIndex: number): number[] {
  const seed = fixtureModels.indexOf(model) * 10 + taskIndex + 1;
  const raw = noisyScores(80, model.quality, 0.25, seed).map((value) => Math.min(1, Math.max(0, value)));
  // Re-centre so the mean is exactly the model's quality (clamping moved it).
  const shift = model.quality - raw.reduce((sum, value) => sum + value, 0) / raw.length;
  return raw.map((value) => value + shift);
}

function result(model: FixtureModel, task: string, scores: number[]): TaskResult {
  const built = buildTaskResult({
    model: model.id,
    task,
    provider: model.provider,
    ndcg: scores,
    derive: (ndcg) => ({
      ndcg_at_1: Math.max(0, ndcg - 0.1),
      ndcg_at_100: Math.min(1, ndcg + 0.05),
      recall_at_100: Math.min(1, ndcg + 0.2),
      map_at_10: Math.max(0, ndcg - 0.05),
    }),
    usage: {
      pricePerMillionTokens: model.pricePerMillionTokens,
      costUsd: model.pricePerMillionTokens === null ? null : (model.pricePerMillionTokens * 50_000) / 1e6,
      latencyMs:
        model.latencyP50Ms === null
          ? null
          : { p50: model.latencyP50Ms, p95: model.latencyP50Ms * 2.5, mean: model.latencyP50Ms * 1.2 },
    },
  });
  if (model.dimensions !== undefined) built.embedeval.model.dimensions = model.dimensions;
  return built;
}

export function fixtureComparison(): Comparison {
  const head: TaskResult[] = [];
  const base: TaskResult[] = [];
  for (const model of fixtureModels) {
    fixtureTasks.forEach((task, taskIndex) => {
      const scores = fixtureScores(model, taskIndex);
      head.push(result(model, task, scores));
      // Per-query noise around the model's drop: the baseline differs query by query, as real runs do.
      const jitter = noisyScores(
        scores.length,
        0.5,
        0.06,
        100 + fixtureModels.indexOf(model) * 10 + taskIndex,
      );
      base.push(
        result(
          model,
          task,
          scores.map((value, index) => value + model.drop + ((jitter[index] as number) - 0.5) / 2),
        ),
      );
    });
  }
  return compareResults(
    base,
    head,
    {
      metric: "ndcg_at_10",
      maxDrop: { kind: "absolute", amount: 0.01 },
      significance: 0.05,
      resamples: 500,
      seed: 7,
      overrides: [],
    },
    { permutations: 500 },
  );
}
