import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * What a pull_request run hands to a workflow_run run (the fork-safe two-workflow pattern): the PR number
 * and the commits, written next to the results so one artifact carries both. `workflow_run` payloads list
 * no pull requests for forks, so the number must travel with the results.
 */
export interface PullRequestMetadata {
  number: number;
  baseSha: string;
  headSha: string;
  /** "owner/repo" the head branch lives in (differs from the base repository for forks). */
  headRepository?: string;
}

export const metadataFileName = "embedeval-pull-request.json";

export async function writePullRequestMetadata(
  directory: string,
  metadata: PullRequestMetadata,
): Promise<void> {
  await writeFile(join(directory, metadataFileName), `${JSON.stringify(metadata, null, 2)}\n`);
}

export async function readPullRequestMetadata(directory: string): Promise<PullRequestMetadata | undefined> {
  try {
    const parsed = JSON.parse(
      await readFile(join(directory, metadataFileName), "utf8"),
    ) as PullRequestMetadata;
    // Data from an artifact a fork could have written: accept only the expected shapes.
    if (!Number.isInteger(parsed.number) || parsed.number <= 0) return undefined;
    if (!/^[0-9a-f]{40}$/.test(parsed.baseSha) || !/^[0-9a-f]{40}$/.test(parsed.headSha)) return undefined;
    return parsed;
  } catch {
    return undefined;
  }
}

/** The pull request of a pull_request / pull_request_target event, if that is what triggered the run. */
export function pullRequestFromPayload(payload: Record<string, unknown>): PullRequestMetadata | undefined {
  const pullRequest = payload.pull_request as
    | { number: number; base: { sha: string }; head: { sha: string; repo?: { full_name?: string } } }
    | undefined;
  if (!pullRequest?.number) return undefined;
  return {
    number: pullRequest.number,
    baseSha: pullRequest.base.sha,
    headSha: pullRequest.head.sha,
    ...(pullRequest.head.repo?.full_name ? { headRepository: pullRequest.head.repo.full_name } : {}),
  };
}
