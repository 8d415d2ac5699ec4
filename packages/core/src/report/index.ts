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
export { type QueryTextSource, readQueryTexts } from "./query-texts.js";
export {
  formatAge,
  formatCost,
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
