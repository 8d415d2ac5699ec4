import type { Similarity } from "../../search/similarity.js";
import { pearsonCorrelation, spearmanCorrelation } from "../../statistics/correlation.js";
import { cosineSimilarity, dotProduct, modelSimilarity } from "../shared/pair-scores.js";

/** MTEB's summarization keys, in its order; main score `cosine_spearman`. */
export const summarizationMetricKeys = [
  "pearson",
  "spearman",
  "cosine_spearman",
  "cosine_pearson",
  "dot_pearson",
  "dot_spearman",
] as const;
export const summarizationMainScore = "cosine_spearman";

export interface SummarizationText {
  humanVectors: readonly Float32Array[];
  machineVectors: readonly Float32Array[];
  /** One gold score per machine summary (raw; MTEB's min/max rescaling cannot change a correlation). */
  relevance: readonly number[];
}

export interface SummarizationScores {
  scores: Record<(typeof summarizationMetricKeys)[number], number>;
  /** Per kept text, its cosine Spearman: the unit the comparison resamples. */
  perText: { index: number; cosineSpearman: number }[];
  /** Texts left out: all gold scores equal, or all cosine maxima equal, or all dot maxima equal. */
  skipped: number[];
}

/**
 * MTEB's SummarizationEvaluator (the fixed one of SummEvalSummarization.v2): each machine summary scores
 * its best match among the text's human summaries (cosine, dot, the model's similarity); per text the
 * correlations with the gold relevance; each key is the mean over the texts kept.
 */
export function scoreSummarization(
  texts: readonly SummarizationText[],
  similarity: Similarity,
): SummarizationScores {
  const sums = {
    pearson: 0,
    spearman: 0,
    cosine_spearman: 0,
    cosine_pearson: 0,
    dot_pearson: 0,
    dot_spearman: 0,
  };
  const perText: SummarizationScores["perText"] = [];
  const skipped: number[] = [];
  texts.forEach((text, index) => {
    const best = (score: (a: Float32Array, b: Float32Array) => number): number[] =>
      text.machineVectors.map((machine) =>
        Math.max(...text.humanVectors.map((human) => score(human, machine))),
      );
    const cosine = best(cosineSimilarity);
    const dot = best(dotProduct);
    const model = best((a, b) => modelSimilarity(similarity, a, b));
    if (allEqual(text.relevance) || allEqual(dot) || allEqual(cosine)) {
      skipped.push(index);
      return;
    }
    const cosineSpearman = spearmanCorrelation(text.relevance, cosine);
    sums.pearson += pearsonCorrelation(text.relevance, model);
    sums.spearman += spearmanCorrelation(text.relevance, model);
    sums.cosine_spearman += cosineSpearman;
    sums.cosine_pearson += pearsonCorrelation(text.relevance, cosine);
    sums.dot_pearson += pearsonCorrelation(text.relevance, dot);
    sums.dot_spearman += spearmanCorrelation(text.relevance, dot);
    perText.push({ index, cosineSpearman });
  });
  const kept = perText.length;
  const scores = Object.fromEntries(
    summarizationMetricKeys.map((key) => [key, kept === 0 ? Number.NaN : sums[key] / kept]),
  ) as SummarizationScores["scores"];
  return { scores, perText, skipped };
}

function allEqual(values: readonly number[]): boolean {
  return values.every((value) => value === values[0]);
}
