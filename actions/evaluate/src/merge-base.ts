import * as core from "@actions/core";
import type { ChangedFile, GitHubApi } from "./github-api.js";
import type { PullRequestMetadata } from "./pull-request-metadata.js";

/** Where a pull request branched from its base: the commit both the baseline and the gate's rules come from. */
export interface MergeBase {
  commit: string;
  /** How it was found, for the report: "merge-base", or "base commit" when the compare API failed. */
  source: string;
  /** The files the pull request changes (from the same compare call), for renamed or removed configs. */
  changedFiles: ChangedFile[];
}

/**
 * The merge-base of the pull request, never the base tip: the tip carries unrelated changes merged since the
 * PR branched. Falls back to the base commit (with a warning) when the compare API fails.
 */
export async function findMergeBase(api: GitHubApi, pullRequest: PullRequestMetadata): Promise<MergeBase> {
  try {
    const compared = await api.compareCommits(pullRequest.baseSha, pullRequest.headSha);
    return { commit: compared.mergeBase, source: "merge-base", changedFiles: compared.files };
  } catch (error) {
    core.warning(
      `could not get the merge-base from the compare API (${(error as Error).message}); using the base commit`,
    );
    return { commit: pullRequest.baseSha, source: "base commit", changedFiles: [] };
  }
}
