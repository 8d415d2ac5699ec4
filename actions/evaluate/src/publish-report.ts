import { mkdir, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import * as core from "@actions/core";
import {
  type BaselineDescription,
  type Comparison,
  commentMarker,
  defaultQueriesPerEntry,
  documentsShown,
  type EmbedEvalConfig,
  formatDelta,
  formatInterval,
  formatPValue,
  formatScore,
  metricLabel,
  type PredictionsByEntry,
  readDatasetTexts,
  readResultPredictions,
  renderHtmlReport,
  renderMarkdownReport,
  renderTerminalReport,
  type TaskResult,
} from "@embedeval/core";
import type { CommentPolicy } from "./action-inputs.js";
import type { GateRules } from "./base-rules.js";
import type { GitHubApi } from "./github-api.js";
import type { PullRequestMetadata } from "./pull-request-metadata.js";
import { upsertStickyComment } from "./sticky-comment.js";

/** GitHub's step summary accepts 1 MiB (bytes, not characters: the report's emoji count 3-4 each); keep a margin. */
const summaryLimit = 1_000_000;
/** GitHub shows at most 10 error annotations per step. */
const annotationLimit = 10;

export interface PublishOptions {
  comparison: Comparison;
  config: EmbedEvalConfig;
  /** The rules the comparison used and the config name it is filed under (the base's, in a pull request). */
  gate: GateRules;
  baseline: BaselineDescription | undefined;
  /** The baseline's top 10 per query (results branch or baseline folder); undefined without a baseline. */
  basePredictions: PredictionsByEntry | undefined;
  /** The head's results, read from resultsDirectory: their predictions files are beside them. */
  headResults: readonly TaskResult[];
  pullRequest: PullRequestMetadata | undefined;
  /** "never" also in record mode: a recording run has no base to report against. */
  comment: CommentPolicy;
  resultsDirectory: string;
  workspace: string;
  api: GitHubApi | undefined;
  /** The repository ("owner/repo") the workflow runs in, to tell a fork's pull request apart. */
  repository: string | undefined;
  /** The commit the run is for, shown when there is no pull request. */
  sha: string;
  /** https://github.com (GITHUB_SERVER_URL): commits are linked under it. */
  serverUrl: string;
  /** This workflow run's page, linked from the comment. */
  runUrl: string;
  /** The artifact the workflow uploads the HTML report under; "" when it does not. */
  reportArtifact: string;
}

/**
 * Publishes the comparison everywhere it is read: the report file (output `report-path`), the HTML report
 * (output `html-report-path`), the log, the job summary (1 MiB), an annotation per regression, and the
 * sticky pull request comment (capped, output `comment-id`).
 */
export async function publishReport(options: PublishOptions): Promise<void> {
  const { comparison, config, pullRequest } = options;
  const reportOptions = {
    configName: options.gate.configName,
    ...(options.baseline ? { baseline: options.baseline } : {}),
    headCommit: pullRequest?.headSha ?? options.sha,
    ...(options.repository ? { repositoryUrl: `${options.serverUrl}/${options.repository}` } : {}),
    fullReportUrl: options.runUrl,
    notes: options.gate.notes,
    ...(options.reportArtifact ? { htmlReportArtifact: options.reportArtifact } : {}),
  };
  const summaryBody = renderMarkdownReport(comparison, {
    ...reportOptions,
    maxLength: summaryLimit,
    lengthUnit: "bytes",
  });
  const reportPath = join(options.resultsDirectory, "embedeval-report.md");
  await mkdir(options.resultsDirectory, { recursive: true });
  await writeFile(reportPath, summaryBody);
  core.setOutput("report-path", reportPath);
  // The HTML report beside it: the action cannot upload artifacts itself (that needs @actions/artifact
  // and its storage client in the bundle); the workflow's actions/upload-artifact step does.
  const htmlPath = join(options.resultsDirectory, "embedeval-report.html");
  // As `embedeval report --html`: each side's top 10 per query (the head's predictions files beside its
  // result files; the base's from where the baseline came from), and from the config's local datasets the
  // query texts, judgments and the texts of the documents shown.
  const predictions = {
    head: await readResultPredictions(options.resultsDirectory, options.headResults),
    ...(options.basePredictions ? { base: options.basePredictions } : {}),
  };
  const texts = await readDatasetTexts(
    config.tasks,
    (line) => core.info(line),
    documentsShown(comparison, predictions, defaultQueriesPerEntry),
  );
  await writeFile(
    htmlPath,
    renderHtmlReport(comparison, {
      predictions,
      ...texts,
      configName: options.gate.configName,
      ...(options.baseline ? { baseline: options.baseline } : {}),
      headCommit: reportOptions.headCommit,
      generatedAt: new Date(),
    }),
  );
  core.setOutput("html-report-path", htmlPath);
  core.info(`\n${renderTerminalReport(comparison, { color: false })}`);
  await writeSummary(summaryBody);
  annotate(comparison, config, options.workspace);
  if (pullRequest && options.comment !== "never") {
    await comment(options, pullRequest, renderMarkdownReport(comparison, reportOptions));
  }
}

async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    core.info("no GITHUB_STEP_SUMMARY file: job summary skipped");
    return;
  }
  await core.summary.addRaw(markdown).write();
}

/** One error annotation per failing regression (pointing at the model's line in the config), warnings for `warn`. */
function annotate(comparison: Comparison, config: EmbedEvalConfig, workspace: string): void {
  const file = relative(workspace, config.file);
  const describe = (row: Comparison["regressions"][number]) =>
    `${row.model} × ${row.task} (${row.split}): ${metricLabel(row.metric)} ${formatScore(row.base)} → ${formatScore(row.head)} (${formatDelta(row.delta)} points, 95% CI ${formatInterval(row.interval)}, p ${formatPValue(row.pValue)})`;
  const properties = (row: Comparison["regressions"][number]) => {
    const line = config.models.find((model) => model.id === row.model)?.line;
    return { title: "embedeval regression", file, ...(line ? { startLine: line } : {}) };
  };
  comparison.regressions.slice(0, annotationLimit).forEach((row) => {
    core.error(describe(row), properties(row));
  });
  if (comparison.regressions.length > annotationLimit) {
    core.error(`${comparison.regressions.length - annotationLimit} more regressions: see the job summary`);
  }
  comparison.warnings.slice(0, annotationLimit).forEach((row) => {
    core.warning(describe(row), { ...properties(row), title: "embedeval regression (warn level)" });
  });
  comparison.datasetChanges.slice(0, annotationLimit).forEach((row) => {
    core.warning(
      `${row.model} × ${row.task} (${row.split}): the dataset changed (${row.datasetChange?.base} → ${row.datasetChange?.head}); ${metricLabel(row.metric)} ${formatDelta(row.delta)} points on the ${row.pairedQueries} queries scored on both sides; not gated`,
      { ...properties(row), title: "embedeval: dataset changed" },
    );
  });
}

/** Creates or updates the one comment of this config on the pull request; a read-only token only warns. */
async function comment(
  options: PublishOptions,
  pullRequest: PullRequestMetadata,
  body: string,
): Promise<void> {
  const { api, comparison } = options;
  const changed =
    comparison.baselineMissing || comparison.entries.some((entry) => entry.primary.verdict !== "unchanged");
  if (!api) {
    core.warning("no github-token: the report is in the job summary and the log, not in a comment");
    core.info(body);
    return;
  }
  const outcome = await upsertStickyComment(
    api,
    pullRequest.number,
    commentMarker(options.gate.configName),
    body,
    {
      createIfMissing: options.comment === "always" || changed,
    },
  );
  if (outcome.action === "forbidden") {
    const fork =
      pullRequest.headRepository && options.repository && pullRequest.headRepository !== options.repository;
    core.warning(
      `cannot comment on pull request #${pullRequest.number}: ${(outcome.reason ?? "refused").replace(/\.$/, "")}${fork && !/fork/.test(outcome.reason ?? "") ? " (this pull request comes from a fork)" : ""}. The report is in the job summary and below.`,
    );
    core.info(body);
    return;
  }
  if (outcome.comment) core.setOutput("comment-id", String(outcome.comment.id));
  core.info(`comment ${outcome.action}${outcome.comment?.html_url ? `: ${outcome.comment.html_url}` : ""}`);
}
