export {
  aggregatesOver,
  type BenchmarkAggregates,
  type BenchmarkTaskScore,
  benchmarkAggregates,
} from "./benchmark-aggregates.js";
export {
  type BitextMiningDataset,
  bitextMiningTaskType,
  evaluateBitextMining,
} from "./bitext-mining/bitext-mining-task.js";
export {
  type ClassificationDataset,
  classificationTaskType,
  evaluateClassification,
  scoreClassification,
} from "./classification/classification-task.js";
export { fitLogisticRegression, predictLogisticRegression } from "./classification/logistic-regression.js";
export { undersampledTrainIndices } from "./classification/undersample.js";
export {
  type ClusteringDataset,
  clusteringTaskType,
  evaluateClustering,
} from "./clustering/clustering-task.js";
export { miniBatchKMeansLabels } from "./clustering/mini-batch-k-means.js";
export { evaluateTypedTask, typedTaskMetricNames, typedTaskTexts } from "./evaluate-typed-task.js";
export type { EvaluatedModel } from "./evaluated-model.js";
export { mergeRankings, mergeRuns } from "./merge-rankings.js";
export {
  findMtebBenchmark,
  findMtebTask,
  type MtebBenchmark,
  type MtebRetrievalTask,
  mtebBenchmarkNames,
  mtebBenchmarks,
  mtebBenchmarksOf,
  mtebBenchmarkTasks,
  mtebRetrievalTasks,
  mtebTaskNames,
  suggestMtebTask,
} from "./mteb-task-registry.js";
export { loadMtebTypedTask, loadsFromHub, localTaskTypeOf } from "./mteb-typed-hub-task.js";
export {
  findMtebTypedTask,
  type MtebTypedTask,
  mtebTypedTaskList,
  mtebTypedTasksBenchmark,
} from "./mteb-typed-tasks.js";
export {
  evaluateMultilabelClassification,
  type MultilabelClassificationDataset,
  multilabelClassificationTaskType,
  scoreMultilabelClassification,
} from "./multilabel-classification/multilabel-classification-task.js";
export { undersampledMultilabelIndices } from "./multilabel-classification/multilabel-scores.js";
export {
  evaluatePairClassification,
  type PairClassificationDataset,
  pairClassificationTaskType,
} from "./pair-classification/pair-classification-task.js";
export { evaluateReranking, type RerankingDataset, rerankingTaskType } from "./reranking/reranking-task.js";
export {
  cacheRevisionOf,
  defaultModelRevision,
  type EvaluateRetrievalOptions,
  emptyUsage,
  evaluateRetrieval,
  mainRetrievalMetric,
  type RetrievalProgress,
  type RetrievalRanking,
  retrievalKValues,
  retrievalMetricNames,
  retrievalTexts,
  retrieveRanking,
  scoreRanking,
} from "./retrieval-task.js";
export type { TaskDatasetIdentity } from "./shared/run-task.js";
export type { TaskEmbeddingContext } from "./shared/task-embedding.js";
export type { MtebTaskType, PromptType, TaskTypeDefinition } from "./shared/task-type.js";
export { evaluateSts, type StsDataset, stsTaskType } from "./sts/sts-task.js";
export {
  evaluateSummarization,
  type SummarizationDataset,
  summarizationTaskType,
} from "./summarization/summarization-task.js";
export {
  type LocalTaskType,
  loadTypedTaskFolder,
  localTaskTypes,
  type TypedDataset,
} from "./typed-task-folder.js";
