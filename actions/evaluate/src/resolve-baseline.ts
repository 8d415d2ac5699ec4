import { relative, resolve } from "node:path";
import * as core from "@actions/core";
import {
  type BaselineDescription,
  formatError,
  readResultsDirectory,
  type TaskResult,
} from "@embedeval/core";
import type { GitHubApi } from "./github-api.js";
import type { PullRequestMetadata } from "./pull-request-metadata.js";
import { findBaseline } from "./results-branch-store.js";

export interface ResolvedBaseline {
  results: TaskResult[];
  description: BaselineDescription;
}

export interface BaselineOptions {
  /** The `baseline` input: "auto" (the results branch), "none", or a folder of result files. */
  baseline: string;
  resultsBranch: string;
  configName: string;
  workingDirectory: string;
  api: GitHubApi | undefined;
  pullRequest: PullRequestMetadata | undefined;
  /** The commit this run is for: without a pull request, its nearest recorded ancestor is the baseline. */
  sha: string;
}

/** The base side of the comparison; undefined means absolute scores (no baseline yet, or none wanted). */
export async function resolveBaseline(options: BaselineOptions): Promise<ResolvedBaseline | undefined> {
  try {
    return await lookUpBaseline(options);
  } catch (error) {
    // The evaluation is paid for by now: an API error or a corrupted file on the results branch must
    // not cost the report. Absolute scores, as without a baseline.
    core.warning(
      `baseline unavailable (${formatError(error).replace(/\s+/g, " ")}); reporting absolute scores`,
    );
    return undefined;
  }
}

async function lookUpBaseline(options: BaselineOptions): Promise<ResolvedBaseline | undefined> {
  const { api, pullRequest } = options;
  if (options.baseline === "none") return undefined;
  if (options.baseline !== "auto") {
    const directory = resolve(options.workingDirectory, options.baseline);
    return {
      results: await readResultsDirectory(directory),
      description: { source: `results folder ${relative(options.workingDirectory, directory) || "."}` },
    };
  }
  if (!api) {
    core.warning("no github-token: cannot look up the baseline; reporting absolute scores");
    return undefined;
  }
  let start = options.sha;
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
  const found = await findBaseline(api, options.resultsBranch, start, options.configName, (line) =>
    core.info(line),
  );
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
