import { relative, resolve } from "node:path";
import * as core from "@actions/core";
import {
  type BaselineDescription,
  formatError,
  type PredictionsByEntry,
  readResultPredictions,
  readResultsDirectory,
  type TaskResult,
} from "@embedeval/core";
import type { GitHubApi } from "./github-api.js";
import type { MergeBase } from "./merge-base.js";
import { findBaseline } from "./results-branch-store.js";

export interface ResolvedBaseline {
  results: TaskResult[];
  /** Each query's top 10 on the base side, for the HTML report; empty when the baseline has none. */
  predictions: PredictionsByEntry;
  description: BaselineDescription;
}

export interface BaselineOptions {
  /** The `baseline` input: "auto" (the results branch), "none", or a folder of result files. */
  baseline: string;
  resultsBranch: string;
  configName: string;
  workingDirectory: string;
  api: GitHubApi | undefined;
  /** The pull request's merge-base; undefined outside a pull request. */
  mergeBase: MergeBase | undefined;
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
  const { api, mergeBase } = options;
  if (options.baseline === "none") return undefined;
  if (options.baseline !== "auto") {
    const directory = resolve(options.workingDirectory, options.baseline);
    const results = await readResultsDirectory(directory);
    return {
      results,
      predictions: await readResultPredictions(directory, results),
      description: { source: `results folder ${relative(options.workingDirectory, directory) || "."}` },
    };
  }
  if (!api) {
    core.warning("no github-token: cannot look up the baseline; reporting absolute scores");
    return undefined;
  }
  const start = mergeBase?.commit ?? options.sha;
  const source = mergeBase?.source ?? "nearest recorded ancestor of this commit";
  const found = await findBaseline(api, options.resultsBranch, start, options.configName, (line) =>
    core.info(line),
  );
  if (!found) return undefined;
  return {
    results: found.results,
    predictions: found.predictions,
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
