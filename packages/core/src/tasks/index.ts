export {
  type EvaluateRetrievalOptions,
  emptyUsage,
  evaluateRetrieval,
  mainRetrievalMetric,
  type RetrievalProgress,
  retrievalKValues,
} from "./retrieval-task.js";
