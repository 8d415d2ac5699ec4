import type { Similarity } from "../../search/similarity.js";
import { modelSimilarity } from "../shared/pair-scores.js";
import { torchTopOneIndex } from "./torch-top-one.js";

/** MTEB's bitext mining keys, in its order; the main score is per task (f1 for most). */
export const bitextMiningMetricKeys = ["precision", "recall", "f1", "accuracy"] as const;
export const bitextMiningMainScore = "f1";

export interface BitextMiningScores {
  scores: Record<(typeof bitextMiningMetricKeys)[number], number>;
  /** For each sentence1 row, the sentence2 row it was matched with (the gold match is the same row). */
  predictions: number[];
}

/**
 * MTEB's BitextMiningEvaluator: every sentence1 row takes its nearest sentence2 row by the model's
 * similarity (torch.topk's choice among ties); scikit-learn's accuracy and weighted precision, recall
 * and F1 with the gold row as the class. MTEB's query (100) and corpus (500,000) chunks do not change
 * the choice for corpora under 500,000 rows, the only ones embedeval mines.
 */
export function scoreBitextMining(
  vectors1: readonly Float32Array[],
  vectors2: readonly Float32Array[],
  similarity: Similarity,
): BitextMiningScores {
  const n = vectors1.length;
  const predictions = vectors1.map((source) =>
    torchTopOneIndex(vectors2.map((target) => modelSimilarity(similarity, source, target))),
  );
  // m_i: how many rows predicted row i. Class i has support 1, so weighted means are plain means over rows.
  const predictedCount = new Map<number, number>();
  for (const prediction of predictions)
    predictedCount.set(prediction, (predictedCount.get(prediction) ?? 0) + 1);
  let correct = 0;
  let precision = 0;
  let f1 = 0;
  predictions.forEach((prediction, row) => {
    if (prediction !== row) return;
    const count = predictedCount.get(row) as number;
    correct++;
    precision += 1 / count;
    f1 += 2 / (1 + count);
  });
  const accuracy = correct / n;
  return { scores: { precision: precision / n, recall: accuracy, f1: f1 / n, accuracy }, predictions };
}
