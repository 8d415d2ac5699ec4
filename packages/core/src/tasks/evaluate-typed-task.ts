import type { TaskResult } from "../results/task-result.js";
import { evaluateBitextMining } from "./bitext-mining/bitext-mining-task.js";
import { evaluateClassification } from "./classification/classification-task.js";
import { evaluateClustering } from "./clustering/clustering-task.js";
import { evaluatePairClassification } from "./pair-classification/pair-classification-task.js";
import { evaluateReranking } from "./reranking/reranking-task.js";
import type { TaskEmbeddingContext } from "./shared/task-embedding.js";
import { evaluateSts } from "./sts/sts-task.js";
import { evaluateSummarization } from "./summarization/summarization-task.js";
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
