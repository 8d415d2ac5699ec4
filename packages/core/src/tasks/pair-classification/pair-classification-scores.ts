import type { Similarity } from "../../search/similarity.js";
import { averagePrecisionScore } from "../../statistics/average-precision-score.js";
import {
  dotProduct,
  euclideanDistance,
  manhattanDistance,
  modelSimilarity,
  pairedCosineScore,
} from "../shared/pair-scores.js";

/** The five score lists of MTEB's PairClassificationEvaluator, in its order. */
export const scoreLists = ["similarity", "cosine", "manhattan", "euclidean", "dot"] as const;
const measures = ["accuracy", "f1", "precision", "recall", "ap"] as const;

/** MTEB's keys: each list's five measures, then each measure's maximum over the lists. */
export const pairClassificationMetricKeys: readonly string[] = [
  ...scoreLists.flatMap((list) => measures.map((measure) => `${list}_${measure}`)),
  ...measures.map((measure) => `max_${measure}`),
];
export const pairClassificationMainScore = "max_ap";

export interface PairClassificationInput {
  labels: readonly number[];
  vectors1: readonly Float32Array[];
  vectors2: readonly Float32Array[];
  similarity: Similarity;
}

/**
 * MTEB's PairClassificationEvaluator. For each score list the rows are stable-sorted by score (most
 * similar first: descending for similarities, ascending for distances), so tied rows keep dataset order;
 * every prefix of 1..n-1 rows is a candidate "positive" set, even one that splits a group of equal
 * scores (MTEB's quirk, kept so accuracy and F1 equal MTEB's on ties).
 */
export function scorePairClassification(input: PairClassificationInput): Record<string, number> {
  const { labels } = input;
  const lists = pairScoreLists(input);
  const scores: Record<string, number> = {};
  for (const list of scoreLists) {
    const higherIsSimilar = list !== "manhattan" && list !== "euclidean";
    const values = lists[list];
    const sorted = sortedLabels(values, labels, higherIsSimilar);
    scores[`${list}_accuracy`] = bestAccuracy(sorted);
    const f1 = bestF1(sorted);
    scores[`${list}_f1`] = f1.f1;
    scores[`${list}_precision`] = f1.precision;
    scores[`${list}_recall`] = f1.recall;
    scores[`${list}_ap`] = averagePrecisionScore(
      labels,
      higherIsSimilar ? values : values.map((value) => -value),
    );
  }
  for (const measure of measures) {
    scores[`max_${measure}`] = Math.max(...scoreLists.map((list) => scores[`${list}_${measure}`] as number));
  }
  return scores;
}

/** The five score lists; for the distances, low means similar. */
export function pairScoreLists(
  input: Omit<PairClassificationInput, "labels">,
): Record<(typeof scoreLists)[number], number[]> {
  const lists: Record<(typeof scoreLists)[number], number[]> = {
    similarity: [],
    cosine: [],
    manhattan: [],
    euclidean: [],
    dot: [],
  };
  input.vectors1.forEach((a, index) => {
    const b = input.vectors2[index] as Float32Array;
    lists.similarity.push(modelSimilarity(input.similarity, a, b));
    lists.cosine.push(pairedCosineScore(a, b));
    lists.manhattan.push(manhattanDistance(a, b));
    lists.euclidean.push(euclideanDistance(a, b));
    lists.dot.push(dotProduct(a, b));
  });
  return lists;
}

/** Labels in the order of a stable sort on the score alone (Python's sorted(..., reverse=...) keeps ties in order). */
function sortedLabels(values: readonly number[], labels: readonly number[], descending: boolean): number[] {
  const order = values.map((_, index) => index);
  order.sort(
    (a, b) =>
      (descending
        ? (values[b] as number) - (values[a] as number)
        : (values[a] as number) - (values[b] as number)) || a - b,
  );
  return order.map((index) => labels[index] as number);
}

/** `_find_best_acc_and_threshold`: the first prefix with the strictly best accuracy. */
function bestAccuracy(sortedLabels: readonly number[]): number {
  const n = sortedLabels.length;
  let remainingNegatives = sortedLabels.filter((label) => label === 0).length;
  let positivesSoFar = 0;
  let best = 0;
  for (let index = 0; index < n - 1; index++) {
    if (sortedLabels[index] === 1) positivesSoFar++;
    else remainingNegatives--;
    const accuracy = (positivesSoFar + remainingNegatives) / n;
    if (accuracy > best) best = accuracy;
  }
  return best;
}

/** `_find_best_f1_and_threshold`: the first prefix with the strictly best F1, with its precision and recall. */
function bestF1(sortedLabels: readonly number[]): { f1: number; precision: number; recall: number } {
  const totalPositives = sortedLabels.filter((label) => label === 1).length;
  let extracted = 0;
  let correct = 0;
  let best = { f1: 0, precision: 0, recall: 0 };
  for (let index = 0; index < sortedLabels.length - 1; index++) {
    extracted++;
    if (sortedLabels[index] === 1) correct++;
    if (correct > 0) {
      const precision = correct / extracted;
      const recall = correct / totalPositives;
      const f1 = (2 * precision * recall) / (precision + recall);
      if (f1 > best.f1) best = { f1, precision, recall };
    }
  }
  return best;
}
