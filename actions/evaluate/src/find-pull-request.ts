import * as core from "@actions/core";
import type { RunMode } from "./action-inputs.js";
import type { GitHubApi } from "./github-api.js";
import {
  type PullRequestMetadata,
  pullRequestFromPayload,
  readPullRequestMetadata,
  writePullRequestMetadata,
} from "./pull-request-metadata.js";
import { verifyWorkflowRunPullRequest, type WorkflowRunPayload } from "./workflow-run-pull-request.js";

/**
 * Which pull request, if any, the report is about: the event's (saved beside the results when evaluating,
 * for a report job elsewhere), or in report mode the one the evaluating run saved, verified first when a
 * workflow_run brought it (a fork controls that run). Undefined: no comment.
 */
export async function findPullRequest(
  mode: RunMode,
  payload: Record<string, unknown>,
  resultsDirectory: string,
  api: GitHubApi | undefined,
): Promise<PullRequestMetadata | undefined> {
  const fromEvent = pullRequestFromPayload(payload);
  if (mode === "evaluate" && fromEvent) await writePullRequestMetadata(resultsDirectory, fromEvent);
  if (mode !== "report" || fromEvent) return fromEvent;

  const saved = await readPullRequestMetadata(resultsDirectory);
  const workflowRun = payload.workflow_run as WorkflowRunPayload | undefined;
  if (!workflowRun) return saved;
  const verification = await verifyWorkflowRunPullRequest(
    saved,
    workflowRun,
    api ? (number) => api.pullRequest(number) : undefined,
  );
  if (verification.verified) return verification.pullRequest;
  core.warning(`not commenting: ${verification.reason}. The report is in the job summary and the log.`);
  return undefined;
}
