// The TREC file formats (qrels, run files) and trec_eval's document order, shared by metrics and search.
export { compareDocumentIds } from "./document-id-order.js";
export type { Qrels } from "./qrels.js";
export { type ParsedQrels, parseQrels, type QrelsFormat, readQrels } from "./qrels-file.js";
export { parseRelevanceGrade } from "./relevance-grade.js";
export type * from "./run.js";
export { type ParseTrecOptions, parseTrecRun, readTrecRun, TrecRun } from "./trec-run.js";
