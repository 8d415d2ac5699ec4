export { defaultQueriesPerEntry, type QueryViewSources } from "./html-query-view.js";
export type { HtmlReportOptions } from "./html-report.js";
export { renderHtmlReport } from "./html-report.js";
export {
  codeBlockLabel,
  commentMarker,
  defuseLinks,
  escapeHtml,
  escapeMarkdown,
  mermaidLabel,
  stripControlCharacters,
} from "./markdown-escape.js";
export type { BaselineDescription, MarkdownReportOptions } from "./markdown-report.js";
export {
  comparableCommentBody,
  githubCommentLimit,
  renderMarkdownReport,
  runDetailsMarker,
} from "./markdown-report.js";
export {
  documentsShown,
  type PredictionsByEntry,
  predictionsKey,
  readResultPredictions,
} from "./query-rankings.js";
export {
  type DatasetTexts,
  documentExcerptLength,
  type QueryTextSource,
  readDatasetTexts,
  readQueryTexts,
} from "./query-texts.js";
export {
  formatAge,
  formatCost,
  formatCount,
  formatDelta,
  formatInterval,
  formatLatency,
  formatPValue,
  formatScore,
  metricFamily,
  metricLabel,
} from "./report-format.js";
export type { TerminalReportOptions } from "./terminal-report.js";
export { renderTerminalReport } from "./terminal-report.js";
