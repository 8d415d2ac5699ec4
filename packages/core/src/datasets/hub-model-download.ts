/**
 * Brings chosen files of a hub model repository into huggingface_hub's cache, with the same checks as a
 * dataset (hub-file-download.ts: the hub's 302 headers, sha256 or git blob id, resume, one process per
 * blob), so a provider that reads `models--owner--name/snapshots/<commit>/` offline finds them there:
 *
 *   GET {endpoint}/api/models/{repo}/revision/{revision}            -> the commit
 *   GET {endpoint}/api/models/{repo}/tree/{commit}?recursive=true   -> the file list (saved for offline runs)
 *   GET {endpoint}/{repo}/resolve/{commit}/{path}                   -> each chosen file
 *
 * Offline (HF_HUB_OFFLINE=1) nothing is requested: the commit comes from refs/, and the files chosen from
 * the saved file list (or, for a cache filled by a Python tool, from the snapshot) must all be present.
 */
import { DatasetError } from "@embedeval/provider-contract";
import {
  checkRevision,
  commitPattern,
  hubRepositoryFolder,
  offlineCachedCommit,
  readSavedTree,
  saveTree,
  snapshotFiles,
  snapshotFolder,
  writeRef,
} from "./hub-cache.js";
import { readHubEnvironment } from "./hub-environment.js";
import { downloadHubFile } from "./hub-file-download.js";
import { type HubAccess, type HubTreeFile, listHubTree, resolveHubCommit } from "./hub-repository-listing.js";
import { HubUnreachableError } from "./hub-request.js";

export interface HubModelFilesOptions {
  /** Hub model id, `owner/name`. */
  repository: string;
  /** Branch, tag or commit; default `main`. */
  revision?: string;
  /** The repository paths to fetch, chosen from its file list (which differs between models). */
  select: (files: readonly string[]) => string[];
  /** Reads the HF_* variables (hub-environment.ts). Defaults to process.env. */
  environment?: Record<string, string | undefined>;
  /** huggingface_hub's cache folder; defaults to HF_HUB_CACHE as the environment says. */
  cacheDirectory?: string;
  signal?: AbortSignal;
  /** One line per file fetched (never contains the token). */
  onProgress?: (line: string) => void;
  /** Attempts per request on 5xx, 429 and network errors, first included. Default 4. */
  attempts?: number;
  /** Delay before the first retry; doubled each time. Default 1000 ms. */
  retryDelayMilliseconds?: number;
}

export interface HubModelFiles {
  repository: string;
  revision: string;
  /** The 40-hex commit the files are from: the model's revision in results. */
  commit: string;
  /** snapshots/<commit>/ in the cache. */
  folder: string;
  /** Paths in the repository fetched by this call (empty when everything was cached). */
  downloaded: string[];
}

export async function downloadHubModelFiles(options: HubModelFilesOptions): Promise<HubModelFiles> {
  const { repository } = options;
  const revision = options.revision ?? "main";
  const environment = await readHubEnvironment(options.environment ?? process.env);
  const cacheDirectory = options.cacheDirectory ?? environment.cacheDirectory;
  const repositoryFolder = hubRepositoryFolder(cacheDirectory, repository, "model");
  checkRevision(revision, repository);
  if (environment.offline) return fromCacheOffline(options, revision, repositoryFolder);
  const access: HubAccess = {
    endpoint: environment.endpoint,
    repository,
    repositoryType: "model",
    token: environment.token,
    tokenSource: environment.tokenSource,
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.retryDelayMilliseconds !== undefined
      ? { retryDelayMilliseconds: options.retryDelayMilliseconds }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  try {
    return await downloadOnline(options, revision, access, repositoryFolder);
  } catch (error) {
    // As for datasets and huggingface_hub: an unreachable hub does not stop a run whose files are cached.
    if (!(error instanceof HubUnreachableError)) throw error;
    const cached = await fromCacheOffline(options, revision, repositoryFolder).catch(() => undefined);
    if (!cached) throw error;
    options.onProgress?.(
      `${error.message.replace(/\.$/, "")}; using the cached files of ${repository}@${revision} (commit ${cached.commit})`,
    );
    return cached;
  }
}

async function downloadOnline(
  options: HubModelFilesOptions,
  revision: string,
  access: HubAccess,
  repositoryFolder: string,
): Promise<HubModelFiles> {
  const { repository } = options;
  const commit = commitPattern.test(revision) ? revision : await resolveHubCommit(access, revision);
  await writeRef(repositoryFolder, revision, commit);
  let tree = await readSavedTree(repositoryFolder, commit);
  if (!tree) {
    tree = await listHubTree(access, commit);
    await saveTree(repositoryFolder, commit, tree);
  }
  const byPath = new Map(tree.map((file) => [file.path, file]));
  const downloaded: string[] = [];
  for (const path of options.select([...byPath.keys()].sort())) {
    options.signal?.throwIfAborted();
    const file = byPath.get(path) as HubTreeFile | undefined;
    if (!file) continue;
    const { fetched } = await downloadHubFile({
      access,
      repositoryFolder,
      commit,
      file,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (fetched) downloaded.push(path);
  }
  return { repository, revision, commit, folder: snapshotFolder(repositoryFolder, commit), downloaded };
}

/** HF_HUB_OFFLINE: the cache alone, zero requests; what is missing is named. */
async function fromCacheOffline(
  options: HubModelFilesOptions,
  revision: string,
  repositoryFolder: string,
): Promise<HubModelFiles> {
  const { repository } = options;
  const describe = `${repository}@${revision}`;
  const hint = `Run once with the hub reachable (without HF_HUB_OFFLINE) to download it, or fill the cache with huggingface_hub: \`hf download ${repository} --revision ${revision}\`.`;
  const commit = await offlineCachedCommit(repositoryFolder, revision, describe, hint);
  const folder = snapshotFolder(repositoryFolder, commit);
  const present = await snapshotFiles(folder);
  // The file list saved at download time says which chosen files the model has; a cache filled by a
  // Python tool has none, and its snapshot is taken as complete (the provider names what it lacks).
  const tree = await readSavedTree(repositoryFolder, commit);
  const wanted = options.select(tree ? tree.map((file) => file.path).sort() : present);
  const missing = wanted.filter((path) => !present.includes(path));
  if (present.length === 0 || missing.length > 0) {
    throw new DatasetError(
      `HF_HUB_OFFLINE is set and the cache lacks ${missing.length > 0 ? missing.join(", ") : "every file"} of ${describe}.`,
      { file: folder, hint },
    );
  }
  return { repository, revision, commit, folder, downloaded: [] };
}
