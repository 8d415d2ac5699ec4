import { documentText } from "../datasets/beir-folder-loader.js";
import type { TaskResult } from "../results/task-result.js";
import { bitextMiningTaskType, evaluateBitextMining } from "./bitext-mining/bitext-mining-task.js";
import { classificationTaskType, evaluateClassification } from "./classification/classification-task.js";
import { undersampledTrainIndices } from "./classification/undersample.js";
import { clusteringDocuments, clusteringTaskType, evaluateClustering } from "./clustering/clustering-task.js";
import type { EvaluatedModel } from "./evaluated-model.js";
import {
  evaluateMultilabelClassification,
  multilabelClassificationTaskType,
} from "./multilabel-classification/multilabel-classification-task.js";
import { undersampledMultilabelIndices } from "./multilabel-classification/multilabel-scores.js";
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
    case "multilabel-classification":
      return evaluateMultilabelClassification(context, typed.dataset);
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
      multilabelClassificationTaskType,
      clusteringTaskType,
      rerankingTaskType,
    ].flatMap((definition) => [...definition.metricKeys, definition.mainScore]),
  ),
  "max_over_subqueries_map_at_1000",
];

/**
 * The exact texts a task of another type sends, by input type, as its evaluator builds them: for cost
 * estimates (`embedeval run --dry-run`) that count what a run would pay. Symmetric texts go out as
 * "document" without a prefix; reranking's judged queries with the query prefix, its corpus with the
 * document prefix.
 */
export function typedTaskTexts(
  typed: TypedDataset,
  model: Pick<EvaluatedModel, "queryPrefix" | "documentPrefix">,
): { document: string[]; query: string[] } {
  switch (typed.type) {
    case "sts":
    case "pair-classification":
    case "bitext-mining":
      return { document: typed.dataset.rows.flatMap((row) => [row.sentence1, row.sentence2]), query: [] };
    case "summarization":
      return {
        document: typed.dataset.rows.flatMap((row) => [...row.humanSummaries, ...row.machineSummaries]),
        query: [],
      };
    case "classification": {
      const { dataset } = typed;
      const sampled = undersampledTrainIndices(
        dataset.train.map((row) => row.label),
        dataset.samplesPerLabel ?? 8,
        dataset.experiments ?? 10,
      );
      const used = [...new Set(sampled.flat())];
      return {
        document: [
          ...used.map((index) => dataset.train[index]?.text as string),
          ...dataset.test.map((row) => row.text),
        ],
        query: [],
      };
    }
    case "multilabel-classification": {
      const { dataset } = typed;
      const sampled = undersampledMultilabelIndices(
        dataset.train.map((row) => row.labels),
        dataset.samplesPerLabel ?? 8,
        dataset.experiments ?? 10,
      );
      const used = [...new Set(sampled.flat())];
      return {
        document: [
          ...used.map((index) => dataset.train[index]?.text as string),
          ...dataset.test.map((row) => row.text),
        ],
        query: [],
      };
    }
    case "clustering": {
      const { indices } = clusteringDocuments(typed.dataset);
      return { document: indices.map((index) => typed.dataset.rows[index]?.sentence as string), query: [] };
    }
    case "reranking": {
      const { dataset } = typed;
      return {
        document: dataset.corpus.map((document) => model.documentPrefix + documentText(document)),
        query: dataset.queries
          .filter((query) => dataset.qrels.has(query.id))
          .map((query) => model.queryPrefix + query.text),
      };
    }
  }
}
