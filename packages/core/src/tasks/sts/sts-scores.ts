import type { Similarity } from "../../search/similarity.js";
import { pearsonCorrelation, spearmanCorrelation } from "../../statistics/correlation.js";
import {
  euclideanDistance,
  manhattanDistance,
  modelSimilarity,
  pairedCosineScore,
} from "../shared/pair-scores.js";

/** MTEB's STS keys, in MTEB's order; the main score is `cosine_spearman` for every English STS task. */
export const stsMetricKeys = [
  "pearson",
  "spearman",
  "cosine_pearson",
  "cosine_spearman",
  "manhattan_pearson",
  "manhattan_spearman",
  "euclidean_pearson",
  "euclidean_spearman",
] as const;
export const stsMainScore = "cosine_spearman";

export interface StsScoreInput {
  /** Gold scores, raw: MTEB rescales them by min/max, an affine map no correlation can see. */
  gold: readonly number[];
  vectors1: readonly Float32Array[];
  vectors2: readonly Float32Array[];
  similarity: Similarity;
}

/**
 * MTEB's AnySTSEvaluator: per pair a cosine score, the negated Manhattan and Euclidean distances and the
 * model's similarity; for each list Pearson's r and Spearman's rho against the gold scores (SciPy's).
 */
export function scoreSts(input: StsScoreInput): Record<(typeof stsMetricKeys)[number], number> {
  const { gold, vectors1, vectors2 } = input;
  const cosine: number[] = [];
  const manhattan: number[] = [];
  const euclidean: number[] = [];
  const similarity: number[] = [];
  vectors1.forEach((a, index) => {
    const b = vectors2[index] as Float32Array;
    cosine.push(pairedCosineScore(a, b));
    manhattan.push(-manhattanDistance(a, b));
    euclidean.push(-euclideanDistance(a, b));
    similarity.push(modelSimilarity(input.similarity, a, b));
  });
  return {
    pearson: pearsonCorrelation(gold, similarity),
    spearman: spearmanCorrelation(gold, similarity),
    cosine_pearson: pearsonCorrelation(gold, cosine),
    cosine_spearman: spearmanCorrelation(gold, cosine),
    manhattan_pearson: pearsonCorrelation(gold, manhattan),
    manhattan_spearman: spearmanCorrelation(gold, manhattan),
    euclidean_pearson: pearsonCorrelation(gold, euclidean),
    euclidean_spearman: spearmanCorrelation(gold, euclidean),
  };
}
