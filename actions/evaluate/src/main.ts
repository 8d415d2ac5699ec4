import { resolve } from "node:path";
import * as core from "@actions/core";
import { context } from "@actions/github";
import { CancelledError, compareResults, formatError, loadConfig, UsageError } from "@embedeval/core";
import { readInputs, resolveMode } from "./action-inputs.js";
import { assertConfigPresent, resolveGateRules } from "./base-rules.js";
import { findPullRequest } from "./find-pull-request.js";
import { GitHubApi } from "./github-api.js";
import { collectHeadResults } from "./head-results.js";
import { findMergeBase } from "./merge-base.js";
import { publishReport } from "./publish-report.js";
import { pullRequestFromPayload } from "./pull-request-metadata.js";
import { resolveBaseline } from "./resolve-baseline.js";
import { recordResults } from "./results-branch-store.js";
import { reportStepVerdict } from "./step-verdict.js";

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

/**
 * The whole action, one job after the other; each job sets its own outputs. Every error ends here as one
 * failed-step message, never an unhandled rejection.
 */
export async function run(): Promise<void> {
  process.on("SIGINT", cancelOn);
  process.on("SIGTERM", cancelOn);
  try {
    const inputs = readInputs();
    const payload = context.payload as Record<string, unknown>;
    const mode = resolveMode(inputs.mode, context.eventName, context.ref, payload);
    core.info(`embedeval: mode ${mode} (event ${context.eventName})`);
    const workspace = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const workingDirectory = resolve(workspace, inputs.workingDirectory);
    const configFile = resolve(workingDirectory, inputs.config);
    const eventPullRequest = pullRequestFromPayload(payload);
    assertConfigPresent(configFile, workspace, eventPullRequest !== undefined);
    const repository = (payload.repository as { full_name?: string } | undefined)?.full_name;
    const forkPullRequest = Boolean(
      eventPullRequest?.headRepository && eventPullRequest.headRepository !== repository,
    );
    const api = inputs.githubToken
      ? new GitHubApi(inputs.githubToken, context.repo, { forkPullRequest, log: (line) => core.info(line) })
      : undefined;
    // Read once: the evaluation and the annotations' line numbers use this one; the rules come from the base.
    const config = await loadConfig(configFile);

    const head = await collectHeadResults({
      mode,
      config,
      resultsFolder: inputs.results,
      workspace,
      workingDirectory,
      sha: context.sha,
      signal: cancellation.signal,
    });
    const pullRequest = await findPullRequest(mode, payload, head.directory, api);
    if (mode === "record") {
      if (!api)
        throw new UsageError("mode record needs a token", { hint: "Keep `github-token` at its default." });
      await recordResults(api, inputs.resultsBranch, context.sha, config.name, head.results, new Date());
      core.info(`recorded results of ${context.sha.slice(0, 7)} on branch ${inputs.resultsBranch}`);
    }
    const mergeBase =
      pullRequest && api && mode !== "record" ? await findMergeBase(api, pullRequest) : undefined;
    const gate = await resolveGateRules({ config, workspace, api, mergeBase });
    const baseline =
      mode === "record"
        ? undefined
        : await resolveBaseline({
            baseline: inputs.baseline,
            resultsBranch: inputs.resultsBranch,
            configName: gate.configName,
            workingDirectory,
            api,
            mergeBase,
            sha: context.sha,
          });
    const comparison = compareResults(baseline?.results ?? [], head.results, gate.rule, {
      failures: head.outcome.failures,
      configured: { models: head.outcome.models, tasks: head.outcome.tasks },
    });
    await publishReport({
      comparison,
      config,
      gate,
      baseline: baseline?.description,
      pullRequest,
      comment: mode === "record" ? "never" : inputs.comment,
      resultsDirectory: head.directory,
      workspace,
      api,
      repository,
      sha: context.sha,
      serverUrl: context.serverUrl,
      runUrl: `${context.serverUrl}/${context.repo.owner}/${context.repo.repo}/actions/runs/${context.runId}`,
      reportArtifact: inputs.reportArtifact,
    });
    reportStepVerdict(comparison, inputs);
  } catch (error) {
    core.setFailed(formatError(error));
  } finally {
    process.off("SIGINT", cancelOn);
    process.off("SIGTERM", cancelOn);
  }
}
