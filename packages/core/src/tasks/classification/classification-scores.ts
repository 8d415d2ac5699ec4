import { averagePrecisionScore } from "../../statistics/average-precision-score.js";

/** MTEB's per-experiment keys, in its order; main score `accuracy`. */
export const classificationExperimentKeys = [
  "accuracy",
  "f1",
  "f1_weighted",
  "precision",
  "precision_weighted",
  "recall",
  "recall_weighted",
  "ap",
  "ap_weighted",
] as const;
export const classificationMainScore = "accuracy";

export type ExperimentScores = Record<(typeof classificationExperimentKeys)[number], number | null>;

/**
 * scikit-learn's metrics as MTEB's `_calculate_scores` calls them: accuracy; precision, recall and F1
 * macro (plain mean over the labels in the true or predicted labels, 0 where undefined) and weighted
 * (by true support); for two distinct true labels, the average precision of the hard predicted labels
 * (ap and ap_weighted are equal), else null.
 */
export function classificationExperimentScores(
  truth: readonly number[],
  predicted: readonly number[],
): ExperimentScores {
  const labels = [...new Set([...truth, ...predicted])].sort((a, b) => a - b);
  const truePositives = new Map<number, number>();
  const predictedCount = new Map<number, number>();
  const support = new Map<number, number>();
  let correct = 0;
  truth.forEach((label, index) => {
    const prediction = predicted[index] as number;
    support.set(label, (support.get(label) ?? 0) + 1);
    predictedCount.set(prediction, (predictedCount.get(prediction) ?? 0) + 1);
    if (prediction === label) {
      correct++;
      truePositives.set(label, (truePositives.get(label) ?? 0) + 1);
    }
  });
  let precisionSum = 0;
  let recallSum = 0;
  let f1Sum = 0;
  let precisionWeighted = 0;
  let recallWeighted = 0;
  let f1Weighted = 0;
  for (const label of labels) {
    const tp = truePositives.get(label) ?? 0;
    const predictedTotal = predictedCount.get(label) ?? 0;
    const trueTotal = support.get(label) ?? 0;
    const precision = predictedTotal === 0 ? 0 : tp / predictedTotal;
    const recall = trueTotal === 0 ? 0 : tp / trueTotal;
    const denominator = 2 * tp + (predictedTotal - tp) + (trueTotal - tp);
    const f1 = denominator === 0 ? 0 : (2 * tp) / denominator;
    precisionSum += precision;
    recallSum += recall;
    f1Sum += f1;
    precisionWeighted += precision * trueTotal;
    recallWeighted += recall * trueTotal;
    f1Weighted += f1 * trueTotal;
  }
  const n = truth.length;
  const binary = new Set(truth).size === 2;
  const ap = binary
    ? averagePrecisionScore(
        truth.map((label) => (label === 1 ? 1 : 0)),
        predicted,
      )
    : null;
  return {
    accuracy: correct / n,
    f1: f1Sum / labels.length,
    f1_weighted: f1Weighted / n,
    precision: precisionSum / labels.length,
    precision_weighted: precisionWeighted / n,
    recall: recallSum / labels.length,
    recall_weighted: recallWeighted / n,
    ap,
    ap_weighted: ap,
  };
}

/** MTEB's `_calculate_avg_scores`: the mean over experiments per key, nulls skipped, NaN when all are null. */
export function averageExperimentScores(experiments: readonly ExperimentScores[]): Record<string, number> {
  const averages: Record<string, number> = {};
  for (const key of classificationExperimentKeys) {
    const values = experiments
      .map((experiment) => experiment[key])
      .filter((value): value is number => value !== null);
    averages[key] =
      values.length === 0 ? Number.NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  }
  return averages;
}
