export {
  cacheRevisionOf,
  defaultModelRevision,
  type EvaluateRetrievalOptions,
  emptyUsage,
  evaluateRetrieval,
  mainRetrievalMetric,
  type RetrievalProgress,
  retrievalKValues,
  retrievalTexts,
} from "./retrieval-task.js";
