import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import * as core from "@actions/core";
import { context } from "@actions/github";
import { runEvaluation } from "@embedeval/cli";
import {
  type BaselineDescription,
  CancelledError,
  type Comparison,
  commentMarker,
  compareResults,
  type EmbedEvalConfig,
  formatDelta,
  formatError,
  formatInterval,
  formatPValue,
  formatScore,
  loadConfig,
  metricLabel,
  readResultsDirectory,
  renderMarkdownReport,
  renderTerminalReport,
  type TaskResult,
  UsageError,
} from "@embedeval/core";
import { type ActionInputs, type ActionMode, readInputs } from "./action-inputs.js";
import { cacheKeys, restoreEmbeddingCache, saveEmbeddingCache } from "./embedding-cache-steps.js";
import { GitHubApi } from "./github-api.js";
import {
  type PullRequestMetadata,
  pullRequestFromPayload,
  readPullRequestMetadata,
  writePullRequestMetadata,
} from "./pull-request-metadata.js";
import { configSlug, findBaseline, recordResults } from "./results-branch-store.js";
import { type RunOutcome, readRunOutcome, writeRunOutcome } from "./run-outcome.js";
import { upsertStickyComment } from "./sticky-comment.js";
import { verifyWorkflowRunPullRequest, type WorkflowRunPayload } from "./workflow-run-pull-request.js";

/** GitHub's step summary accepts 1 MiB (bytes, not characters: the report's emoji count 3-4 each); keep a margin. */
const summaryLimit = 1_000_000;
/** GitHub shows at most 10 error annotations per step. */
const annotationLimit = 10;

/**
 * Aborted on SIGINT/SIGTERM (the runner sends SIGINT when a job is cancelled, e.g. by `concurrency:
 * cancel-in-progress`, then SIGTERM, then kills): the evaluation stops at its next await and the
 * embedding cache is still saved, so the next run does not pay again for what this one embedded.
 */
const cancellation = new AbortController();

function cancelOn(signal: NodeJS.Signals): void {
  // Listening (not `once`): a second signal must not fall back to the default handler, which kills the
  // process mid-save.
  if (cancellation.signal.aborted) return;
  core.warning(`${signal} received: cancelling the evaluation; saving the embedding cache before exiting`);
  cancellation.abort(new CancelledError(`Cancelled by ${signal}.`));
}

/** The whole action: every error ends here as one failed-step message, never an unhandled rejection. */
export async function run(): Promise<void> {
  process.on("SIGINT", cancelOn);
  process.on("SIGTERM", cancelOn);
  try {
    await evaluateAction(readInputs());
  } catch (error) {
    core.setFailed(formatError(error));
  } finally {
    process.off("SIGINT", cancelOn);
    process.off("SIGTERM", cancelOn);
  }
}

async function evaluateAction(inputs: ActionInputs): Promise<void> {
  const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const workingDirectory = resolve(workspace, inputs.workingDirectory);
  const payload = context.payload as Record<string, unknown>;
  const mode = resolveMode(inputs.mode, context.eventName, payload);
  const api = inputs.githubToken ? new GitHubApi(inputs.githubToken, context.repo) : undefined;
  core.info(`embedeval: mode ${mode} (event ${context.eventName})`);

  const config = await loadConfig(resolve(workingDirectory, inputs.config));
  const slug = configSlug(config.name);

  // 1. The head side: evaluate now, or (report mode) read what another job evaluated.
  let headResults: TaskResult[];
  let outputDirectory: string;
  // Which (model, task) pairs the head config lists and which of them failed: a failure is not a removal.
  let outcome: RunOutcome = {
    failures: [],
    models: config.models.map((model) => model.id),
    tasks: config.tasks.map((task) => task.name),
  };
  if (mode === "report") {
    outputDirectory = inputs.results ? resolve(workingDirectory, inputs.results) : config.output.directory;
    headResults = await readResultsDirectory(outputDirectory);
    outcome = (await readRunOutcome(outputDirectory)) ?? outcome;
  } else {
    const keys = cacheKeys(slug, context.sha);
    const restored = config.cache.enabled
      ? await restoreEmbeddingCache(config.cache.directory, keys.key, keys.prefix)
      : undefined;
    let evaluation: Awaited<ReturnType<typeof runEvaluation>> | undefined;
    try {
      evaluation = await runEvaluation({
        configPath: config.file,
        cwd: workingDirectory,
        environment: process.env,
        progressStream: { write: (chunk: string) => process.stdout.write(chunk) },
        signal: cancellation.signal,
      });
    } finally {
      // Also after a failure or a cancellation: every vector written so far was paid for. Not when the
      // run embedded nothing new (the restored cache already holds it all): a copy per push fills the
      // repository's 10 GB cache quota and evicts the default branch's entry.
      if (config.cache.enabled) {
        if (evaluation?.cache && evaluation.cache.misses === 0) {
          core.info("embedding cache: nothing new was embedded; not saved");
        } else {
          await saveEmbeddingCache(config.cache.directory, keys.key, restored);
        }
      }
    }
    for (const failure of evaluation.failures) {
      core.warning(`${failure.model}${failure.task ? ` × ${failure.task}` : ""} failed: ${failure.message}`);
    }
    headResults = evaluation.results;
    outputDirectory = evaluation.outputDirectory;
    outcome = {
      ...outcome,
      failures: evaluation.failures.map((failure) => ({
        model: failure.model,
        message: failure.message,
        ...(failure.task !== undefined ? { task: failure.task } : {}),
      })),
    };
    await mkdir(outputDirectory, { recursive: true });
    await writeRunOutcome(outputDirectory, outcome);
  }
  core.setOutput("results-directory", outputDirectory);
  if (headResults.length === 0 && outcome.failures.length === 0) {
    throw new UsageError(`no results to report in ${relative(workspace, outputDirectory) || "."}`, {
      hint:
        mode === "report"
          ? "Download the evaluation job's results artifact into this folder, or set the `results` input."
          : "Every model failed; see the warnings above.",
    });
  }

  // 2. Which pull request, if any: the event's, or (report mode) the one the evaluating run recorded.
  let pullRequest = pullRequestFromPayload(payload);
  if (mode === "evaluate" && pullRequest) await writePullRequestMetadata(outputDirectory, pullRequest);
  if (mode === "report" && !pullRequest) {
    const metadata = await readPullRequestMetadata(outputDirectory);
    const workflowRun = payload.workflow_run as WorkflowRunPayload | undefined;
    if (workflowRun) {
      // The artifact was written by the evaluating run, which a fork controls: check it before commenting.
      const verification = await verifyWorkflowRunPullRequest(
        metadata,
        workflowRun,
        api ? (number) => api.pullRequest(number) : undefined,
      );
      if (verification.verified) pullRequest = verification.pullRequest;
      else
        core.warning(`not commenting: ${verification.reason}. The report is in the job summary and the log.`);
    } else {
      pullRequest = metadata;
    }
  }

  // 3. Record mode: store the results keyed by commit SHA for later pull requests.
  if (mode === "record") {
    if (!api)
      throw new UsageError("mode record needs a token", { hint: "Keep `github-token` at its default." });
    await recordResults(api, inputs.resultsBranch, context.sha, config.name, headResults, new Date());
    core.info(`recorded results of ${context.sha.slice(0, 7)} on branch ${inputs.resultsBranch}`);
  }

  // 4. The base side.
  let baseline: ResolvedBaseline | undefined;
  if (mode !== "record") {
    try {
      baseline = await resolveBaseline(inputs, api, pullRequest, config, workingDirectory);
    } catch (error) {
      // The evaluation is paid for by now: an API error or a corrupted file on the results branch must
      // not cost the report. Absolute scores, as without a baseline.
      core.warning(
        `baseline unavailable (${formatError(error).replace(/\s+/g, " ")}); reporting absolute scores`,
      );
    }
  }
  const comparison = compareResults(baseline?.results ?? [], headResults, config.compare, {
    failures: outcome.failures,
    configured: { models: outcome.models, tasks: outcome.tasks },
  });

  // 5. Render: the comment (capped), the summary (1 MiB), the log.
  const runUrl = `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`;
  const reportOptions = {
    configName: config.name,
    ...(baseline ? { baseline: baseline.description } : {}),
    fullReportUrl: runUrl,
  };
  const commentBody = renderMarkdownReport(comparison, reportOptions);
  const summaryBody = renderMarkdownReport(comparison, {
    ...reportOptions,
    headCommit: pullRequest?.headSha ?? context.sha,
    maxLength: summaryLimit,
    lengthUnit: "bytes",
  });
  const reportPath = join(outputDirectory, "embedeval-report.md");
  await mkdir(outputDirectory, { recursive: true });
  await writeFile(reportPath, summaryBody);
  core.setOutput("report-path", reportPath);
  core.info(`\n${renderTerminalReport(comparison, { color: false })}`);
  await writeSummary(summaryBody);
  annotate(comparison, config, workspace);

  // 6. The sticky comment.
  if (pullRequest && inputs.comment !== "never" && mode !== "record") {
    await comment(api, pullRequest, config.name, commentBody, comparison, inputs, payload);
  }

  core.setOutput("regressed", String(comparison.regressed));
  const failedPairs = comparison.failures.filter((row) => row.level === "error");
  if (failedPairs.length > 0 && !inputs.failOnError) {
    core.warning(
      `${failedPairs.length} gated model × task pair(s) failed to evaluate; fail-on-error is false`,
    );
  }
  if (failedPairs.length > 0 && inputs.failOnError) {
    // A model that errors on the PR must not pass as "removed": that would switch its gate off.
    core.setFailed(
      `${failedPairs.length} gated model × task pair(s) failed to evaluate (${failedPairs
        .slice(0, 5)
        .map((row) => `${row.model} × ${row.task}`)
        .join(", ")}${failedPairs.length > 5 ? ", ..." : ""}); see the warnings and the report.`,
    );
  } else if (comparison.regressed && inputs.failOnRegression) {
    core.setFailed(
      `${comparison.regressions.length} significant regression(s) beyond the allowed drop; see the annotations and the job summary.`,
    );
  } else if (comparison.regressed) {
    core.info("regressions found, but fail-on-regression is false");
  }
}

function resolveMode(
  mode: ActionMode,
  eventName: string,
  payload: Record<string, unknown>,
): Exclude<ActionMode, "auto"> {
  if (mode !== "auto") return mode;
  if (eventName === "workflow_run") return "report";
  if (eventName === "push") {
    const defaultBranch = (payload.repository as { default_branch?: string } | undefined)?.default_branch;
    if (defaultBranch && context.ref === `refs/heads/${defaultBranch}`) return "record";
  }
  return "evaluate";
}

interface ResolvedBaseline {
  results: TaskResult[];
  description: BaselineDescription;
}

async function resolveBaseline(
  inputs: ActionInputs,
  api: GitHubApi | undefined,
  pullRequest: PullRequestMetadata | undefined,
  config: EmbedEvalConfig,
  workingDirectory: string,
): Promise<ResolvedBaseline | undefined> {
  if (inputs.baseline === "none") return undefined;
  if (inputs.baseline !== "auto") {
    const directory = resolve(workingDirectory, inputs.baseline);
    return {
      results: await readResultsDirectory(directory),
      description: { source: `results folder ${relative(workingDirectory, directory) || "."}` },
    };
  }
  if (!api) {
    core.warning("no github-token: cannot look up the baseline; reporting absolute scores");
    return undefined;
  }
  let start = context.sha;
  let source = "nearest recorded ancestor of this commit";
  if (pullRequest) {
    // The merge-base, never the base tip: the tip carries unrelated changes merged since the PR branched.
    try {
      start = await api.mergeBase(pullRequest.baseSha, pullRequest.headSha);
      source = "merge-base";
    } catch (error) {
      core.warning(
        `could not get the merge-base from the compare API (${(error as Error).message}); using the base commit`,
      );
      start = pullRequest.baseSha;
      source = "base commit";
    }
  }
  const found = await findBaseline(api, inputs.resultsBranch, start, config.name, (line) => core.info(line));
  if (!found) return undefined;
  return {
    results: found.results,
    description: {
      commit: found.commit,
      ...(found.date ? { date: found.date } : {}),
      source:
        found.distance === 0
          ? source
          : `nearest ancestor with results, ${found.distance} commit${found.distance === 1 ? "" : "s"} before the ${source}`,
    },
  };
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

async function comment(
  api: GitHubApi | undefined,
  pullRequest: PullRequestMetadata,
  configName: string,
  body: string,
  comparison: Comparison,
  inputs: ActionInputs,
  payload: Record<string, unknown>,
): Promise<void> {
  const changed =
    comparison.baselineMissing || comparison.entries.some((entry) => entry.primary.verdict !== "unchanged");
  if (!api) {
    core.warning("no github-token: the report is in the job summary and the log, not in a comment");
    core.info(body);
    return;
  }
  const outcome = await upsertStickyComment(api, pullRequest.number, commentMarker(configName), body, {
    createIfMissing: inputs.comment === "always" || changed,
  });
  if (outcome.action === "forbidden") {
    const repository = (payload.repository as { full_name?: string } | undefined)?.full_name;
    const fork = pullRequest.headRepository && repository && pullRequest.headRepository !== repository;
    core.warning(
      `cannot comment on pull request #${pullRequest.number} (the token is read-only${fork ? ": this pull request comes from a fork" : ""}). The report is in the job summary and below. For fork pull requests, use the two-workflow pattern in examples/workflows.`,
    );
    core.info(body);
    return;
  }
  if (outcome.comment) core.setOutput("comment-id", String(outcome.comment.id));
  core.info(`comment ${outcome.action}${outcome.comment?.html_url ? `: ${outcome.comment.html_url}` : ""}`);
}
