import { readFile } from "node:fs/promises";
import { DatasetError } from "@embedeval/provider-contract";
import { commitPattern, hubRepositoryFolder, readSavedTree } from "./hub-cache.js";
import { globMatcher, readDatasetCardConfigs } from "./hub-dataset-card.js";
import { readHubEnvironment } from "./hub-environment.js";
import { downloadHubFile } from "./hub-file-download.js";
import { type HubAccess, type HubTreeFile, listHubTree, resolveHubCommit } from "./hub-repository-listing.js";

export interface HubTaskFilesOptions {
  repository: string;
  revision: string;
  /** Splits whose files to fetch (e.g. ["train", "test"] for classification). */
  splits: readonly string[];
  /** A subset folder the files sit in (`en/` of a per-language dataset); the root when absent. */
  subset?: string;
  environment?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export interface HubTaskFiles {
  /** The 40-hex commit read: MTEB's `dataset_revision`. */
  commit: string;
  /** Split -> the absolute paths of its files in the huggingface_hub cache, in repository order. */
  files: Map<string, string[]>;
}

const dataFile = /\.(jsonl|jsonl\.gz|json|json\.gz|parquet)$/;

/**
 * The files of a non-retrieval MTEB task: for each split, the data files named after it at the root,
 * in `data/` or in the subset's folder (`test.jsonl.gz`, `data/test-00000-of-00001.parquet`,
 * `en/test.jsonl`), fetched through the same verified download as retrieval datasets (sha256 or git oid
 * and size checked, into huggingface_hub's cache layout).
 */
export async function downloadHubTaskFiles(options: HubTaskFilesOptions): Promise<HubTaskFiles> {
  const environment = await readHubEnvironment(options.environment ?? process.env);
  const access: HubAccess = {
    endpoint: environment.endpoint,
    repository: options.repository,
    token: environment.token,
    tokenSource: environment.tokenSource,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const repositoryFolder = hubRepositoryFolder(environment.cacheDirectory, options.repository);
  const commit = commitPattern.test(options.revision)
    ? options.revision
    : await resolveHubCommit(access, options.revision);
  const tree = await listHubTree(access, commit);
  const folders =
    options.subset && options.subset !== "default"
      ? [`${options.subset}/`, `data/${options.subset}/`]
      : ["", "data/"];
  const files = new Map<string, string[]>();
  for (const split of options.splits) {
    const matching = tree.filter((file) => {
      if (!dataFile.test(file.path)) return false;
      const folder = folders.find(
        (prefix) => file.path.startsWith(prefix) && !file.path.slice(prefix.length).includes("/"),
      );
      if (folder === undefined) return false;
      const name = file.path.slice(folder.length);
      return name.startsWith(`${split}.`) || name.startsWith(`${split}-`);
    });
    if (matching.length === 0) {
      throw new DatasetError(
        `${options.repository}@${options.revision} has no data file for split \`${split}\`.`,
        {
          hint: `Expected ${folders.map((folder) => `${folder}${split}.jsonl(.gz)`).join(" or ")} or ${split}-*.parquet; check the split name, or download the data and give the task a local \`path\`.`,
        },
      );
    }
    const paths: string[] = [];
    for (const file of matching) {
      const { path } = await downloadHubFile({
        access,
        repositoryFolder,
        commit,
        file,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      });
      paths.push(path);
    }
    files.set(split, paths);
  }
  return { commit, files };
}

export interface HubTopRankedOptions {
  repository: string;
  /** The commit the corpus, queries and qrels were read at. */
  revision: string;
  split: string;
  environment?: Record<string, string | undefined>;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

/**
 * The files of a reranking dataset's `top_ranked` config (query-id -> corpus-ids, MTEB's candidate
 * lists), as MTEB's RetrievalDatasetLoader asks `datasets` for it: the card's `top_ranked` config (its
 * only split, else the evaluated one), else a `top_ranked/` folder as `push_to_hub` writes it
 * (`top_ranked/test-00000-of-00001.parquet`), else `top_ranked.jsonl` at the root. Fetched through the
 * same verified download as every hub file; a listing saved by the corpus download is reused.
 */
export async function downloadHubTopRankedFiles(options: HubTopRankedOptions): Promise<string[]> {
  const environment = await readHubEnvironment(options.environment ?? process.env);
  const access: HubAccess = {
    endpoint: environment.endpoint,
    repository: options.repository,
    token: environment.token,
    tokenSource: environment.tokenSource,
    ...(options.signal ? { signal: options.signal } : {}),
  };
  const repositoryFolder = hubRepositoryFolder(environment.cacheDirectory, options.repository);
  const commit = commitPattern.test(options.revision)
    ? options.revision
    : await resolveHubCommit(access, options.revision);
  const tree = (await readSavedTree(repositoryFolder, commit)) ?? (await listHubTree(access, commit));
  const fetch = async (file: HubTreeFile) =>
    (
      await downloadHubFile({
        access,
        repositoryFolder,
        commit,
        file,
        ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      })
    ).path;
  const card = tree.find((file) => file.path === "README.md");
  const config = card
    ? readDatasetCardConfigs(await readFile(await fetch(card), "utf8")).find(
        (entry) => entry.name === "top_ranked",
      )
    : undefined;
  let chosen: HubTreeFile[];
  const describe = `${options.repository}@${options.revision}`;
  if (config) {
    const patterns =
      config.splits.size === 1 ? [...config.splits.values()][0] : config.splits.get(options.split);
    if (!patterns) {
      throw new DatasetError(`${describe}: the card's "top_ranked" config has no split "${options.split}".`, {
        hint: `Splits present: ${[...config.splits.keys()].join(", ")}. Set the task's \`splits:\` to one of them.`,
      });
    }
    const matchers = patterns.map((pattern) => globMatcher(pattern.replace(/^\.?\//, "")));
    chosen = tree.filter((file) => matchers.some((matches) => matches(file.path)));
  } else {
    const inFolder = (file: HubTreeFile) => {
      const rest = file.path.startsWith("top_ranked/") ? file.path.slice("top_ranked/".length) : undefined;
      return (
        rest !== undefined &&
        dataFile.test(rest) &&
        (rest.startsWith(`${options.split}-`) ||
          rest.startsWith(`${options.split}.`) ||
          rest.startsWith(`${options.split}/`))
      );
    };
    chosen = tree.filter(inFolder);
    if (chosen.length === 0)
      chosen = tree.filter((file) => /^top_ranked\.(jsonl|jsonl\.gz|parquet)$/.test(file.path));
  }
  chosen.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  if (chosen.length === 0) {
    throw new DatasetError(`${describe} has no top_ranked file for split \`${options.split}\`.`, {
      hint: 'A reranking dataset lists each query\'s candidates in a `top_ranked` config ({"query-id", "corpus-ids"}); check the dataset and revision, or give the task a local `path`.',
    });
  }
  const paths: string[] = [];
  for (const file of chosen) {
    options.signal?.throwIfAborted();
    paths.push(await fetch(file));
  }
  return paths;
}
