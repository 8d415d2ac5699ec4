import { formatError, type PredictionsByEntry, type TaskResult } from "@embedeval/core";
import type { GitHubApi } from "./github-api.js";
import { parseRecordedPredictions, type RecordedPredictions } from "./recorded-predictions.js";

/**
 * Recorded results live on a branch of the repository (default `embedeval-results`), one file per
 * (commit, config): `<commit sha>/<config slug>.json`, and beside it, when the run wrote predictions files,
 * `<commit sha>/<config slug>.predictions.json` (see RecordedPredictions). Why a branch and not artifacts:
 * docs/decisions/0003-baseline-store-results-branch.md.
 */
export interface RecordedResults {
  schema: 1;
  commit: string;
  configName: string;
  recordedAt: string;
  results: TaskResult[];
}

export interface FoundBaseline {
  commit: string;
  date: Date | undefined;
  /** How far back from the merge-base it was found (0 = the merge-base itself). */
  distance: number;
  results: TaskResult[];
  /**
   * Each query's top 10 of the recorded run by predictionsKey(model, task); empty when it stored none
   * (recorded by an older version, or no retrieval task) or they could not be read.
   */
  predictions: PredictionsByEntry;
}

/** How many ancestors of the merge-base are searched for recorded results. */
const ancestorWindow = 100;

/** A file name for a config name: readable, and distinct for names that differ only in punctuation. */
export function configSlug(configName: string): string {
  const readable = configName
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  let hash = 0x811c9dc5;
  for (const character of configName) {
    hash ^= character.codePointAt(0) as number;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return `${readable || "config"}-${hash.toString(16).padStart(8, "0")}`;
}

export function resultsPath(commit: string, configName: string): string {
  return `${commit}/${configSlug(configName)}.json`;
}

export function predictionsPath(commit: string, configName: string): string {
  return `${commit}/${configSlug(configName)}.predictions.json`;
}

/** Commits the results and, when there are any, their predictions, in one commit. */
export async function recordResults(
  api: GitHubApi,
  branch: string,
  commit: string,
  configName: string,
  results: TaskResult[],
  predictions: RecordedPredictions["entries"],
  now: Date,
): Promise<string> {
  const record: RecordedResults = { schema: 1, commit, configName, recordedAt: now.toISOString(), results };
  const files = [{ path: resultsPath(commit, configName), content: `${JSON.stringify(record)}\n` }];
  if (predictions.length > 0) {
    const stored: RecordedPredictions = { schema: 1, commit, configName, entries: predictions };
    files.push({ path: predictionsPath(commit, configName), content: `${JSON.stringify(stored)}\n` });
  }
  return api.commitFiles(branch, files, `embedeval: results of ${commit.slice(0, 7)} for ${configName}`);
}

/**
 * The results of the merge-base, or of its nearest ancestor that has results for this config.
 * Returns undefined when none of the last 100 ancestors has any (first run: absolute scores, pass).
 */
export async function findBaseline(
  api: GitHubApi,
  branch: string,
  mergeBase: string,
  configName: string,
  log: (line: string) => void,
): Promise<FoundBaseline | undefined> {
  const listing = await api.listFiles(branch);
  if (!listing) {
    log(
      `no results branch \`${branch}\` yet: run the action with mode: record on pushes to the default branch`,
    );
    return undefined;
  }
  const wanted = `/${configSlug(configName)}.json`;
  const recorded = new Set(
    listing.paths.filter((path) => path.endsWith(wanted)).map((path) => path.split("/")[0]),
  );
  const ancestors = await api.ancestors(mergeBase, ancestorWindow);
  for (const [distance, ancestor] of ancestors.entries()) {
    // A truncated listing (huge branch) may miss the commit: then ask for the file directly.
    if (!recorded.has(ancestor.sha) && !listing.truncated) continue;
    const text = await api.readFile(branch, resultsPath(ancestor.sha, configName));
    if (text === undefined) continue;
    const record = JSON.parse(text) as RecordedResults;
    const stored =
      listing.truncated || listing.paths.includes(predictionsPath(ancestor.sha, configName))
        ? await readPredictions(api, branch, predictionsPath(ancestor.sha, configName), log)
        : new Map();
    return {
      commit: ancestor.sha,
      date: ancestor.date,
      distance,
      results: record.results,
      predictions: stored,
    };
  }
  log(
    `no recorded results for the merge-base ${mergeBase.slice(0, 7)} or its last ${ancestors.length} ancestors`,
  );
  return undefined;
}

/**
 * The stored predictions of a baseline; empty when absent or unreadable: the report then shows the head's
 * top documents only, and the comparison (which needs the results alone) goes on.
 */
async function readPredictions(
  api: GitHubApi,
  branch: string,
  path: string,
  log: (line: string) => void,
): Promise<PredictionsByEntry> {
  try {
    const text = await api.readFile(branch, path);
    return text === undefined ? new Map() : parseRecordedPredictions(text);
  } catch (error) {
    log(
      `the baseline's top documents are unavailable (${formatError(error).replace(/\s+/g, " ")}); the HTML report shows the head's only`,
    );
    return new Map();
  }
}
