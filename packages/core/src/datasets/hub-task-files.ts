import { DatasetError } from "@embedeval/provider-contract";
import { commitPattern, hubRepositoryFolder } from "./hub-cache.js";
import { readHubEnvironment } from "./hub-environment.js";
import { downloadHubFile } from "./hub-file-download.js";
import { type HubAccess, listHubTree, resolveHubCommit } from "./hub-repository-listing.js";

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
