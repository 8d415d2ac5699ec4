export type { EvaluatedModel } from "./evaluated-model.js";
export {
  findMtebTask,
  type MtebRetrievalTask,
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
