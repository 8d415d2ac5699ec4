/** What hub names may be: repository ids, revisions, splits and listed paths, checked before any use. */
import { DatasetError } from "@embedeval/provider-contract";

const repositoryPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const commitPattern = /^[0-9a-f]{40}$/;
/**
 * A branch or tag as the hub names them (`main`, `v1.0`, `refs/convert/parquet`, `refs/pr/1`) or a commit:
 * `/`-separated parts of letters, digits, `.`, `_` and `-`, none starting with `.`. So no `..`, no
 * leading or doubled `/`: a revision becomes a path under refs/ and a URL segment, never a way out.
 */
export const revisionPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;
/** A split name (`test`, `dev`, `test.en`): it names files, so no `/` and no `..`. */
export const splitPattern = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*$/;

/** What a hub repository holds: its URLs and cache folder differ (`/datasets/x` and `datasets--x`). */
export type HubRepositoryType = "dataset" | "model";

export function checkRepository(repository: string, type: HubRepositoryType = "dataset"): void {
  if (!repositoryPattern.test(repository) || repository.includes("..")) {
    throw new DatasetError(`"${repository}" is not a hub ${type} id.`, {
      hint:
        type === "dataset"
          ? 'Use the form owner/name, as in the dataset\'s address: https://huggingface.co/datasets/mteb/scifact -> "mteb/scifact".'
          : 'Use the form owner/name, as in the model\'s address: https://huggingface.co/thenlper/gte-base -> "thenlper/gte-base".',
    });
  }
}

export function checkRevision(revision: string, repository: string): void {
  if (!revisionPattern.test(revision) || revision.includes("..")) {
    throw new DatasetError(`"${revision}" is not a valid revision of ${repository}.`, {
      hint: "A revision is a branch, a tag or a 40-character commit (e.g. main, v1.0, refs/convert/parquet): letters, digits, `.`, `_`, `-` and `/` between parts, with no `..` and no leading `/`.",
    });
  }
}

export function checkSplit(split: string, repository: string): void {
  if (!splitPattern.test(split) || split.includes("..")) {
    throw new DatasetError(`"${split}" is not a valid split name (${repository}).`, {
      hint: "A split is a name of letters, digits, `.`, `_` and `-` without `..` (test, dev, train).",
    });
  }
}

/**
 * A file path from the hub's listing, before it is joined to the snapshot folder: `/`-separated parts,
 * none empty, `.` or `..`, no backslash or control character. A listing naming anything else (a hostile
 * mirror) could otherwise write outside the cache.
 */
export function isSafeRepositoryPath(path: string): boolean {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused.
  if (path.length === 0 || path.length > 1024 || /[\\\u0000-\u001f\u007f]/.test(path)) return false;
  return path.split("/").every((part) => part !== "" && part !== "." && part !== "..");
}
