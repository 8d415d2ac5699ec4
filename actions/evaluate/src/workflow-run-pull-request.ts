import type { PullRequestDetails } from "./github-api.js";
import type { PullRequestMetadata } from "./pull-request-metadata.js";

/** The fields of a workflow_run event the check reads: https://docs.github.com/en/webhooks/webhook-events-and-payloads#workflow_run */
export interface WorkflowRunPayload {
  head_sha?: string;
  head_repository?: { full_name?: string } | null;
  pull_requests?: { number?: number }[] | null;
}

export type PullRequestVerification =
  | { verified: true; pullRequest: PullRequestMetadata }
  | { verified: false; reason: string };

/**
 * Decides which pull request a workflow_run (report) run may comment on. The PR number travels in the
 * artifact, which the evaluating run wrote, and a fork controls that run (its workflow steps and its
 * config's output folder): a forged number would let it overwrite the sticky comment on another PR. So
 * the number is trusted only when the artifact's head commit is the commit the triggering run evaluated
 * (workflow_run.head_sha, set by GitHub) AND the pull request, read from the API, has that head commit in
 * that head repository. The base commit then comes from the API too, never from the artifact.
 */
export async function verifyWorkflowRunPullRequest(
  metadata: PullRequestMetadata | undefined,
  workflowRun: WorkflowRunPayload,
  readPullRequest: ((number: number) => Promise<PullRequestDetails>) | undefined,
): Promise<PullRequestVerification> {
  const headSha = workflowRun.head_sha;
  if (!headSha || !/^[0-9a-f]{40}$/.test(headSha)) {
    return { verified: false, reason: "the workflow_run event has no head_sha to check the results against" };
  }
  const headRepository = workflowRun.head_repository?.full_name;
  if (!headRepository) {
    return { verified: false, reason: "the workflow_run event has no head_repository to check against" };
  }
  // Same-repository runs list their PR in the payload; fork runs do not, so the artifact's number is used.
  const number = metadata?.number ?? workflowRun.pull_requests?.[0]?.number;
  if (!number) {
    return {
      verified: false,
      reason: "the results carry no pull request number (embedeval-pull-request.json)",
    };
  }
  if (metadata && metadata.headSha !== headSha) {
    return {
      verified: false,
      reason: `the results say they are of commit ${metadata.headSha.slice(0, 7)}, but the triggering run evaluated ${headSha.slice(0, 7)}`,
    };
  }
  if (!readPullRequest) {
    return {
      verified: false,
      reason: `no github-token to check pull request #${number} against the triggering run`,
    };
  }
  let pullRequest: PullRequestDetails;
  try {
    pullRequest = await readPullRequest(number);
  } catch (error) {
    return { verified: false, reason: `cannot read pull request #${number} (${(error as Error).message})` };
  }
  if (pullRequest.head.sha !== headSha) {
    return {
      verified: false,
      reason: `pull request #${number} has head ${pullRequest.head.sha.slice(0, 7)}, not the evaluated commit ${headSha.slice(0, 7)} (a newer push, or results that name another pull request)`,
    };
  }
  if (pullRequest.head.repo?.full_name !== headRepository) {
    return {
      verified: false,
      reason: `pull request #${number} comes from ${pullRequest.head.repo?.full_name ?? "a deleted repository"}, not from ${headRepository} where the evaluated commit lives`,
    };
  }
  return {
    verified: true,
    pullRequest: { number, baseSha: pullRequest.base.sha, headSha, headRepository },
  };
}
