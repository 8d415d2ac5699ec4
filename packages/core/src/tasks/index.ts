export type { EvaluatedModel } from "./evaluated-model.js";
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
export {
  cacheRevisionOf,
  defaultModelRevision,
  type EvaluateRetrievalOptions,
  emptyUsage,
  evaluateRetrieval,
  mainRetrievalMetric,
  type RetrievalProgress,
  retrievalKValues,
  retrievalMetricNames,
  retrievalTexts,
} from "./retrieval-task.js";
