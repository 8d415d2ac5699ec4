import type { TaskResult } from "../../results/task-result.js";
import { averagePrecisionTerms } from "../../statistics/average-precision-score.js";
import { embedSentencePairs } from "../shared/embed-sentence-pairs.js";
import { runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import {
  pairClassificationMainScore,
  pairClassificationMetricKeys,
  pairScoreLists,
  scoreLists,
  scorePairClassification,
} from "./pair-classification-scores.js";

export const pairClassificationTaskType: TaskTypeDefinition = {
  type: "PairClassification",
  mainScore: pairClassificationMainScore,
  metricKeys: pairClassificationMetricKeys,
  promptTypes: { sentence1: null, sentence2: null },
  perItemUnit: "pair",
};

export interface PairClassificationDataset extends TaskDatasetIdentity {
  rows: { sentence1: string; sentence2: string; label: number }[];
}

/**
 * One pair classification split as MTEB scores it. Per item: each positive pair's term of the
 * average precision of the list that gave max_ap (the precision at its score step), whose mean over the
 * positive pairs is the main score; negative pairs have no term.
 */
export function evaluatePairClassification(
  context: TaskEmbeddingContext,
  dataset: PairClassificationDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, pairClassificationTaskType, async (embed) => {
    const { vectors1, vectors2 } = await embedSentencePairs(embed, dataset.rows);
    const labels = dataset.rows.map((row) => row.label);
    const input = { labels, vectors1, vectors2, similarity: context.model.similarity };
    const scores = scorePairClassification(input);
    const best = scoreLists.find((list) => scores[`${list}_ap`] === scores.max_ap) ?? "cosine";
    const lists = pairScoreLists(input);
    const values =
      best === "manhattan" || best === "euclidean" ? lists[best].map((value) => -value) : lists[best];
    const terms = averagePrecisionTerms(labels, values);
    const perItem: Record<string, Record<string, number>> = {};
    terms.forEach((term, index) => {
      if (term !== undefined) perItem[String(index)] = { [pairClassificationMainScore]: term };
    });
    return {
      scores,
      perItem,
      counts: {
        documents: dataset.rows.length * 2,
        queries: dataset.rows.length,
        scoredQueries: Object.keys(perItem).length,
      },
    };
  });
}
