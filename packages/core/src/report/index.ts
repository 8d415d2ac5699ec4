export {
  commentMarker,
  escapeHtml,
  escapeMarkdown,
  mermaidLabel,
  stripControlCharacters,
} from "./markdown-escape.js";
export type { BaselineDescription, MarkdownReportOptions } from "./markdown-report.js";
export { githubCommentLimit, renderMarkdownReport } from "./markdown-report.js";
export {
  formatAge,
  formatCost,
  formatDelta,
  formatInterval,
  formatLatency,
  formatPValue,
  formatScore,
  metricLabel,
} from "./report-format.js";
export type { TerminalReportOptions } from "./terminal-report.js";
export { renderTerminalReport } from "./terminal-report.js";
