import type { TaskResult } from "../../results/task-result.js";
import { embedSentencePairs } from "../shared/embed-sentence-pairs.js";
import { perItemRecord, runTask, type TaskDatasetIdentity } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import { bitextMiningMainScore, bitextMiningMetricKeys, scoreBitextMining } from "./bitext-mining-scores.js";

export const bitextMiningTaskType: TaskTypeDefinition = {
  type: "BitextMining",
  mainScore: bitextMiningMainScore,
  metricKeys: bitextMiningMetricKeys,
  promptTypes: { sentence1: null, sentence2: null },
  perItemUnit: "row",
};

export interface BitextMiningDataset extends TaskDatasetIdentity {
  /** Row i of sentence1 is the translation of row i of sentence2. */
  rows: { sentence1: string; sentence2: string }[];
}

/**
 * One bitext mining split as MTEB scores it. Per item: each sentence1 row's term of the weighted F1
 * (2/(1 + m) when it found its own row and m rows chose that row, else 0), whose mean is the F1.
 */
export function evaluateBitextMining(
  context: TaskEmbeddingContext,
  dataset: BitextMiningDataset,
): Promise<TaskResult> {
  return runTask(context, dataset, bitextMiningTaskType, async (embed) => {
    const { vectors1, vectors2 } = await embedSentencePairs(embed, dataset.rows);
    const result = scoreBitextMining(vectors1, vectors2, context.model.similarity);
    const chosen = new Map<number, number>();
    for (const prediction of result.predictions) chosen.set(prediction, (chosen.get(prediction) ?? 0) + 1);
    const terms = result.predictions.map((prediction, row) =>
      prediction === row ? 2 / (1 + (chosen.get(row) as number)) : 0,
    );
    return {
      scores: result.scores,
      perItem: perItemRecord(
        bitextMiningMainScore,
        dataset.rows.map((_, index) => String(index)),
        terms,
      ),
      counts: {
        documents: dataset.rows.length * 2,
        queries: dataset.rows.length,
        scoredQueries: dataset.rows.length,
      },
    };
  });
}
