/**
 * Brings a hub dataset's files for the requested splits into huggingface_hub's cache and says which file
 * plays which part, the way huggingface_hub and `datasets` would:
 *
 * 1. The revision is resolved to its 40-hex commit (a branch is refreshed on every online run; the cache
 *    remembers it in refs/ for offline runs). That commit is the `dataset_revision` in the results.
 * 2. The repository's file list at that commit (the tree API), and its dataset card when it has one,
 *    decide the layout (hub-dataset-layout.ts) before anything large is fetched: a missing split names
 *    the splits that exist.
 * 3. The files are downloaded, checked and linked into the snapshot (hub-file-download.ts): qrels first,
 *    then queries, then the corpus, so the small files fail fast.
 *
 * Offline (HF_HUB_OFFLINE=1) nothing is requested: the revision comes from refs/, the files from the
 * snapshot, whether we or a Python tool put them there; what is missing is named at once.
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import type { CorpusSnapshotOptions } from "./corpus-snapshot.js";
import {
  checkRevision,
  checkSplit,
  commitPattern,
  hubRepositoryFolder,
  isFile,
  offlineCachedCommit,
  readSavedTree,
  saveTree,
  snapshotFiles,
  snapshotFolder,
  writeRef,
} from "./hub-cache.js";
import { readDatasetCardConfigs } from "./hub-dataset-card.js";
import { chooseHubLayout, type HubSplitFiles } from "./hub-dataset-layout.js";
import { type HubEnvironment, readHubEnvironment } from "./hub-environment.js";
import { downloadHubFile } from "./hub-file-download.js";
import { checkHubFileColumns } from "./hub-file-preview.js";
import { type HubAccess, type HubTreeFile, listHubTree, resolveHubCommit } from "./hub-repository-listing.js";
import { HubUnreachableError } from "./hub-request.js";
import type { RetrievalDataset } from "./retrieval-dataset.js";
import { loadRetrievalFiles } from "./retrieval-files-loader.js";

export interface HubDatasetDownloadOptions {
  /** Hub dataset id, `owner/name`. */
  repository: string;
  /** Branch, tag or commit. */
  revision: string;
  /** Splits whose qrels to fetch. */
  splits: readonly string[];
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

export interface HubDataset {
  repository: string;
  /** The revision asked for (branch, tag or commit). */
  revision: string;
  /** The 40-hex commit read: MTEB's `dataset_revision`. */
  commit: string;
  /** snapshots/<commit>/ in the cache. */
  folder: string;
  /** Absolute paths of each split's files. */
  splits: HubSplitFiles[];
  /** Paths in the repository fetched by this call (empty when everything was cached). */
  downloaded: string[];
}

const cardPath = "README.md";

export async function downloadHubDataset(options: HubDatasetDownloadOptions): Promise<HubDataset> {
  const { repository, revision } = options;
  const environment = await readHubEnvironment(options.environment ?? process.env);
  const cacheDirectory = options.cacheDirectory ?? environment.cacheDirectory;
  const repositoryFolder = hubRepositoryFolder(cacheDirectory, repository);
  // Before any request or file: a revision or split is part of a URL and of cache paths.
  checkRevision(revision, repository);
  for (const split of options.splits) checkSplit(split, repository);
  const describe = `${repository}@${revision}`;
  if (environment.offline) return fromCacheOffline(options, repositoryFolder);
  try {
    return await downloadOnline(options, environment, repositoryFolder);
  } catch (error) {
    // As huggingface_hub does: a hub that cannot be reached does not stop a run whose files are cached.
    if (!(error instanceof HubUnreachableError)) throw error;
    const cached = await fromCacheOffline(options, repositoryFolder).catch(() => undefined);
    if (!cached) throw error;
    options.onProgress?.(
      `${error.message.replace(/\.$/, "")}; using the cached files of ${describe} (commit ${cached.commit})`,
    );
    return cached;
  }
}

async function downloadOnline(
  options: HubDatasetDownloadOptions,
  environment: HubEnvironment,
  repositoryFolder: string,
): Promise<HubDataset> {
  const { repository, revision, splits } = options;
  const describe = `${repository}@${revision}`;

  const access: HubAccess = {
    endpoint: environment.endpoint,
    repository,
    token: environment.token,
    tokenSource: environment.tokenSource,
    ...(options.attempts !== undefined ? { attempts: options.attempts } : {}),
    ...(options.retryDelayMilliseconds !== undefined
      ? { retryDelayMilliseconds: options.retryDelayMilliseconds }
      : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const commit = commitPattern.test(revision) ? revision : await resolveHubCommit(access, revision);
  await writeRef(repositoryFolder, revision, commit);
  const snapshot = snapshotFolder(repositoryFolder, commit);

  // A listing saved by an earlier run at this commit (commits never change) spares the tree request.
  let tree = await readSavedTree(repositoryFolder, commit);
  if (!tree) {
    tree = await listHubTree(access, commit);
    await saveTree(repositoryFolder, commit, tree);
  }
  const byPath = new Map(tree.map((file) => [file.path, file]));
  const downloaded: string[] = [];
  const fetch = async (file: HubTreeFile) => {
    const { path, fetched } = await downloadHubFile({
      access,
      repositoryFolder,
      commit,
      file,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    if (fetched) downloaded.push(file.path);
    return path;
  };
  const card = byPath.get(cardPath);
  const configs = card ? readDatasetCardConfigs(await readFile(await fetch(card), "utf8")) : [];
  const layout = chooseHubLayout([...byPath.keys()].sort(), configs, splits, describe);
  // Before anything large: the columns of the first corpus, queries and qrels file of each split not
  // yet in the cache.
  const check = async (path: string | undefined, required: string[][]) => {
    const file = path === undefined ? undefined : byPath.get(path);
    if (!file || (await isFile(join(snapshot, ...file.path.split("/"))))) return;
    await checkHubFileColumns(access, commit, file, required);
  };
  for (const split of layout) {
    await check(split.corpus[0], [["_id", "id"], ["text"]]);
    await check(split.queries[0], [["_id", "id"], ["text"]]);
    await check(split.qrels[0], [["query-id"], ["corpus-id"]]);
  }
  const ordered = [
    ...layout.flatMap((split) => split.qrels),
    ...layout.flatMap((split) => split.queries),
    ...layout.flatMap((split) => split.corpus),
  ];
  for (const path of new Set(ordered)) {
    options.signal?.throwIfAborted();
    await fetch(byPath.get(path) as HubTreeFile);
  }
  return { repository, revision, commit, folder: snapshot, splits: absolute(snapshot, layout), downloaded };
}

/** HF_HUB_OFFLINE: the cache alone, zero requests; what is missing is named. */
async function fromCacheOffline(
  options: HubDatasetDownloadOptions,
  repositoryFolder: string,
): Promise<HubDataset> {
  const { repository, revision, splits } = options;
  const describe = `${repository}@${revision}`;
  const hint = `Run once with the hub reachable (without HF_HUB_OFFLINE) to download it, or fill the cache with huggingface_hub: \`hf download ${repository} --repo-type dataset --revision ${revision}\`.`;
  const commit = await offlineCachedCommit(repositoryFolder, revision, describe, hint);
  const snapshot = snapshotFolder(repositoryFolder, commit);
  const files = await snapshotFiles(snapshot);
  if (files.length === 0) {
    const at = commit === revision ? "" : ` (commit ${commit})`;
    throw new DatasetError(`HF_HUB_OFFLINE is set and the cache holds no file of ${describe}${at}.`, {
      file: snapshot,
      hint,
    });
  }
  const configs = files.includes(cardPath)
    ? readDatasetCardConfigs(await readFile(join(snapshot, cardPath), "utf8"))
    : [];
  let layout: HubSplitFiles[];
  try {
    layout = chooseHubLayout(files, configs, splits, `${describe} in the cache (${snapshot})`);
  } catch (error) {
    if (error instanceof DatasetError) {
      throw new DatasetError(`HF_HUB_OFFLINE is set and the cache lacks files: ${error.message}`, {
        file: snapshot,
        hint: `${error.hint ? `${error.hint} ` : ""}${hint}`,
      });
    }
    throw error;
  }
  // A listing saved when the files were downloaded tells whether shards are missing from the snapshot.
  const tree = await readSavedTree(repositoryFolder, commit);
  if (tree) {
    const expected = chooseHubLayout(tree.map((file) => file.path).sort(), configs, splits, describe);
    const missing = expected
      .flatMap((split) => [...split.corpus, ...split.queries, ...split.qrels])
      .filter((path) => !files.includes(path));
    if (missing.length > 0) {
      throw new DatasetError(
        `HF_HUB_OFFLINE is set and the cache lacks ${[...new Set(missing)].join(", ")} of ${describe}.`,
        {
          file: snapshot,
          hint,
        },
      );
    }
  }
  return {
    repository,
    revision,
    commit,
    folder: snapshot,
    splits: absolute(snapshot, layout),
    downloaded: [],
  };
}

function absolute(snapshot: string, layout: HubSplitFiles[]): HubSplitFiles[] {
  const local = (paths: string[]) => paths.map((path) => join(snapshot, ...path.split("/")));
  return layout.map((split) => ({
    split: split.split,
    corpus: local(split.corpus),
    queries: local(split.queries),
    qrels: local(split.qrels),
  }));
}

export interface LoadHubDatasetOptions {
  dataset: HubDataset;
  split: string;
  /** Task name recorded in results. */
  name: string;
  signal?: AbortSignal;
  /** Keep the parsed corpus for the next run (see corpus-snapshot.ts). */
  corpusSnapshots?: CorpusSnapshotOptions;
}

/** One split of a downloaded hub dataset, with the commit recorded as its revision. */
export async function loadHubDataset(options: LoadHubDatasetOptions): Promise<RetrievalDataset> {
  const files = options.dataset.splits.find((entry) => entry.split === options.split);
  if (!files) {
    throw new DatasetError(`Split "${options.split}" was not downloaded for ${options.dataset.repository}.`, {
      hint: `Splits downloaded: ${options.dataset.splits.map((entry) => entry.split).join(", ")}.`,
    });
  }
  const dataset = await loadRetrievalFiles({
    files,
    split: options.split,
    name: options.name,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.corpusSnapshots ? { corpusSnapshots: options.corpusSnapshots } : {}),
  });
  dataset.hubRevision = options.dataset.commit;
  return dataset;
}
