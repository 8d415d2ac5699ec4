export { averagePrecisionAt } from "./average-precision.js";
export { compareDocumentIds } from "./document-id-order.js";
export { type EvaluateRunOptions, evaluateRun, type RunEvaluation } from "./evaluate-run.js";
export { type JudgedRanking, RELEVANCE_LEVEL, rankGradedDocuments } from "./judged-ranking.js";
export {
  DEFAULT_K_VALUES,
  MAIN_METRIC,
  MEASURES,
  type Measure,
  metricName,
  metricNames,
  normalizeKValues,
  parseKValues,
} from "./metric-names.js";
export { ndcgAt } from "./ndcg.js";
export { precisionAt } from "./precision.js";
export { type ParsedQrels, parseQrels, type QrelsFormat, readQrels } from "./qrels-file.js";
export { recallAt } from "./recall.js";
export { reciprocalRankAt } from "./reciprocal-rank.js";
export type * from "./run.js";
export { successAt } from "./success.js";
export { type ParseTrecOptions, parseTrecRun, readTrecRun, TrecRun } from "./trec-run.js";
