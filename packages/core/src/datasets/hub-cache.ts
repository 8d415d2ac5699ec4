/**
 * huggingface_hub's cache layout (https://huggingface.co/docs/huggingface_hub/guides/manage-cache), read
 * and written the same way so a cache filled by Python tools is reused and ours is reusable by them:
 *
 *   <cache>/datasets--owner--name/refs/main                 the commit `main` pointed at when last seen
 *   <cache>/datasets--owner--name/blobs/<etag>              file bytes, named by sha256 (LFS/Xet) or git oid
 *   <cache>/datasets--owner--name/blobs/<etag>.incomplete   a download in progress, resumed with Range
 *   <cache>/datasets--owner--name/snapshots/<commit>/<path> a relative link to ../../blobs/<etag>
 *
 * Where links cannot be made (some Windows setups), the blob is copied, as huggingface_hub does.
 */
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, symlink, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { checkRepository, commitPattern, type HubRepositoryType, revisionPattern } from "./hub-names.js";
import type { HubTreeFile } from "./hub-repository-listing.js";

export {
  checkRepository,
  checkRevision,
  checkSplit,
  commitPattern,
  type HubRepositoryType,
  isSafeRepositoryPath,
  revisionPattern,
  splitPattern,
} from "./hub-names.js";

/** `datasets--owner--name` or `models--owner--name`, huggingface_hub's `repo_folder_name`. */
export function hubRepositoryFolder(
  cacheDirectory: string,
  repository: string,
  type: HubRepositoryType = "dataset",
): string {
  checkRepository(repository, type);
  return join(cacheDirectory, [`${type}s`, ...repository.split("/")].join("--"));
}

export function snapshotFolder(repositoryFolder: string, commit: string): string {
  return join(repositoryFolder, "snapshots", commit);
}

export function blobPath(repositoryFolder: string, etag: string): string {
  return join(repositoryFolder, "blobs", etag);
}

/** A revision that is a ref (branch, tag, `refs/pr/1`) is stored as a path under refs/, as Python does. */
function refPath(repositoryFolder: string, revision: string): string {
  const parts = revision.split("/");
  if (!revisionPattern.test(revision) || parts.some((part) => part === "" || part === "." || part === "..")) {
    throw new DatasetError(`"${revision}" is not a valid revision.`, {
      hint: "A revision is a branch, a tag or a commit, e.g. main or a 40-character commit hash.",
    });
  }
  return join(repositoryFolder, "refs", ...parts);
}

/** The commit a revision stands for in the cache: itself when a full commit, else refs/<revision>. */
export async function cachedCommit(repositoryFolder: string, revision: string): Promise<string | undefined> {
  if (commitPattern.test(revision)) return revision;
  const text = await readFile(refPath(repositoryFolder, revision), "utf8").catch(() => undefined);
  const commit = text?.trim();
  return commit && commitPattern.test(commit) ? commit : undefined;
}

/** Under HF_HUB_OFFLINE, the commit the cache holds for `revision`, else a DatasetError naming the missing ref. */
export async function offlineCachedCommit(
  repositoryFolder: string,
  revision: string,
  describe: string,
  hint: string,
): Promise<string> {
  const commit = await cachedCommit(repositoryFolder, revision);
  if (!commit) {
    throw new DatasetError(
      `HF_HUB_OFFLINE is set and the cache has no ${describe}: ${join(repositoryFolder, "refs", revision)} is missing.`,
      { file: repositoryFolder, hint },
    );
  }
  return commit;
}

/** Records `revision -> commit` atomically (a reader never sees half a ref). A commit needs no ref. */
export async function writeRef(repositoryFolder: string, revision: string, commit: string): Promise<void> {
  // huggingface_hub's cache scan calls a repository folder without snapshots/ corrupted.
  await mkdir(join(repositoryFolder, "snapshots"), { recursive: true });
  if (revision === commit) return;
  const path = refPath(repositoryFolder, revision);
  if ((await readFile(path, "utf8").catch(() => undefined)) === commit) return;
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(temporary, commit);
  await rename(temporary, path);
}

export async function isFile(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isFile() ?? false;
}

/** Every file path (repository-relative, `/`-separated) present in a snapshot; empty when none. */
export async function snapshotFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(entry.parentPath, entry.name);
    // Links are followed: a snapshot entry is a link to a blob; a dangling link is not a file.
    if (await isFile(path)) files.push(relative(folder, path).split("\\").join("/"));
  }
  return files.sort();
}

/** Makes `snapshots/<commit>/<path>` point at the blob (relative link, else a copy). */
export async function linkIntoSnapshot(
  repositoryFolder: string,
  commit: string,
  pathInRepository: string,
  blob: string,
): Promise<string> {
  const target = join(snapshotFolder(repositoryFolder, commit), ...pathInRepository.split("/"));
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { force: true });
  try {
    await symlink(relative(dirname(target), blob), target);
  } catch {
    await copyFile(blob, target);
  }
  return target;
}

/**
 * The tree listing of a commit, kept beside the cache's own folders (huggingface_hub ignores other
 * entries) so a run at a known commit makes no listing request, and an offline run can tell a complete
 * snapshot from one whose download broke off between shards.
 */
function treeFile(repositoryFolder: string, commit: string): string {
  return join(repositoryFolder, ".embedeval", "trees", `${commit}.json`);
}

export async function readSavedTree(
  repositoryFolder: string,
  commit: string,
): Promise<HubTreeFile[] | undefined> {
  const text = await readFile(treeFile(repositoryFolder, commit), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return Array.isArray(value) ? (value as HubTreeFile[]) : undefined;
  } catch {
    return undefined;
  }
}

export async function saveTree(repositoryFolder: string, commit: string, tree: HubTreeFile[]): Promise<void> {
  const path = treeFile(repositoryFolder, commit);
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(tree));
  await rename(temporary, path);
}
