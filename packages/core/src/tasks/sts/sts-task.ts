import type { TaskResult } from "../../results/task-result.js";
import type { Similarity } from "../../search/similarity.js";
import { spearmanTerms } from "../../statistics/correlation.js";
import { embedSentencePairs } from "../shared/embed-sentence-pairs.js";
import { pairedCosineScore } from "../shared/pair-scores.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import { scoreSts, stsMainScore, stsMetricKeys } from "./sts-scores.js";

export const stsTaskType: TaskTypeDefinition = {
  type: "STS",
  mainScore: stsMainScore,
  metricKeys: stsMetricKeys,
  // MTEB's input1/input2 prompt types are None for every English STS task: no query/document prefix.
  promptTypes: { sentence1: null, sentence2: null },
  perItemUnit: "pair",
};

export interface StsDataset extends TaskDatasetIdentity {
  rows: { sentence1: string; sentence2: string; score: number }[];
}

/**
 * One STS split as MTEB scores it: both columns embedded as they are (no strip, no dedup beyond the
 * cache), the four prediction lists correlated with the gold scores. Per pair, the term of the cosine
 * Spearman correlation (ranks standardised and multiplied), whose mean is the main score.
 */
export function evaluateSts(context: TaskEmbeddingContext, dataset: StsDataset): Promise<TaskResult> {
  return runTask(context, dataset, stsTaskType, async (embed) => {
    const { vectors1, vectors2 } = await embedSentencePairs(embed, dataset.rows);
    const gold = dataset.rows.map((row) => row.score);
    const scores = scoreSts({ gold, vectors1, vectors2, similarity: context.model.similarity as Similarity });
    const cosine = vectors1.map((vector, index) =>
      pairedCosineScore(vector, vectors2[index] as Float32Array),
    );
    return {
      scores,
      perItem: perItemRecord(
        stsMainScore,
        dataset.rows.map((_, index) => String(index)),
        spearmanTerms(gold, cosine),
      ),
      counts: {
        documents: dataset.rows.length * 2,
        queries: dataset.rows.length,
        scoredQueries: dataset.rows.length,
      },
    };
  });
}
