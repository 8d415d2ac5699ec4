import * as core from "@actions/core";
import { context } from "@actions/github";
import { compareResults, loadConfig, UsageError } from "@embedeval/core";
import type { CompareMode } from "./action-inputs.js";
import { assertConfigPresent, resolveGateRules } from "./base-rules.js";
import { findPullRequest } from "./find-pull-request.js";
import { GitHubApi } from "./github-api.js";
import { collectHeadResults } from "./head-results.js";
import type { JobContext } from "./job-context.js";
import { findMergeBase } from "./merge-base.js";
import { publishReport } from "./publish-report.js";
import { pullRequestFromPayload } from "./pull-request-metadata.js";
import { collectPredictions } from "./recorded-predictions.js";
import { resolveBaseline } from "./resolve-baseline.js";
import { recordResults } from "./results-branch-store.js";
import { reportStepVerdict } from "./step-verdict.js";

/**
 * Modes evaluate, record and report: the head's results (evaluated here, read from another job's
 * artifact, or merged from a sharded run's shard files), compared with the base, published once (comment,
 * job summary, HTML report) and gated. Each step sets its own outputs.
 */
export async function runEvaluateJob(job: JobContext & { mode: CompareMode }): Promise<void> {
  const { inputs, mode, workspace, workingDirectory, configFile } = job;
  const payload = context.payload as Record<string, unknown>;
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
    shardsFolder: inputs.shards,
    workspace,
    workingDirectory,
    sha: context.sha,
    signal: job.signal,
  });
  const pullRequest = await findPullRequest(mode, payload, head.directory, api);
  if (mode === "record") {
    if (!api)
      throw new UsageError("mode record needs a token", { hint: "Keep `github-token` at its default." });
    await recordResults(
      api,
      inputs.resultsBranch,
      context.sha,
      config.name,
      head.results,
      await collectPredictions(head.directory, head.results),
      new Date(),
    );
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
    basePredictions: baseline?.predictions,
    headResults: head.results,
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
}
