import type { TaskResult } from "../results/task-result.js";
import { bitextMiningTaskType, evaluateBitextMining } from "./bitext-mining/bitext-mining-task.js";
import { classificationTaskType, evaluateClassification } from "./classification/classification-task.js";
import { clusteringTaskType, evaluateClustering } from "./clustering/clustering-task.js";
import {
  evaluatePairClassification,
  pairClassificationTaskType,
} from "./pair-classification/pair-classification-task.js";
import { evaluateReranking, rerankingTaskType } from "./reranking/reranking-task.js";
import type { TaskEmbeddingContext } from "./shared/task-embedding.js";
import { evaluateSts, stsTaskType } from "./sts/sts-task.js";
import { evaluateSummarization, summarizationTaskType } from "./summarization/summarization-task.js";
import type { TypedDataset } from "./typed-task-folder.js";

/** Runs the evaluator of a dataset's task type: one entry point for the CLI's run path. */
export function evaluateTypedTask(context: TaskEmbeddingContext, typed: TypedDataset): Promise<TaskResult> {
  switch (typed.type) {
    case "sts":
      return evaluateSts(context, typed.dataset);
    case "pair-classification":
      return evaluatePairClassification(context, typed.dataset);
    case "summarization":
      return evaluateSummarization(context, typed.dataset);
    case "bitext-mining":
      return evaluateBitextMining(context, typed.dataset);
    case "classification":
      return evaluateClassification(context, typed.dataset);
    case "clustering":
      return evaluateClustering(context, typed.dataset);
    case "reranking":
      return evaluateReranking(context, typed.dataset);
  }
}

/** Every metric name a task of another type than retrieval writes (for the compare rule's checks). */
export const typedTaskMetricNames: readonly string[] = [
  ...new Set(
    [
      stsTaskType,
      pairClassificationTaskType,
      summarizationTaskType,
      bitextMiningTaskType,
      classificationTaskType,
      clusteringTaskType,
      rerankingTaskType,
    ].flatMap((definition) => [...definition.metricKeys, definition.mainScore]),
  ),
  "max_over_subqueries_map_at_1000",
];
