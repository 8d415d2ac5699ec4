import { join, relative, resolve } from "node:path";
import {
  ConfigError,
  type CorpusSnapshotOptions,
  closestMatch,
  DatasetError,
  downloadHubDataset,
  EmbeddingCache,
  type EmbeddingProvider,
  type EmbedEvalConfig,
  EmbedEvalError,
  formatError,
  type HubDataset,
  loadBeirFolder,
  loadConfig,
  loadHubDataset,
  lookupPricePerMillionTokens,
  type ModelConfig,
  type RetrievalDataset,
  type Retriever,
  type TaskConfig,
  type TypedDataset,
  UsageError,
} from "@embedeval/core";
import { prefetchModelFiles } from "./prefetch-model-files.js";
import { ProgressReporter, type ProgressStream } from "./progress-reporter.js";
import { resolveProviderPlugin } from "./resolve-provider-plugin.js";
import { loadTypedTaskSplits } from "./run-typed-task.js";

export interface RunEvaluationOptions {
  configPath: string;
  /** The config at configPath, already loaded (the action reads it once for all its steps): not read again. */
  config?: EmbedEvalConfig;
  cwd: string;
  /** Ignore the embedding cache: every text is sent to its provider again. */
  noCache?: boolean;
  signal?: AbortSignal;
  /** Where progress and log lines go (a TTY gets a progress bar). Defaults to nowhere. */
  progressStream?: ProgressStream;
  environment?: Record<string, string | undefined>;
  /** Only these model ids / task names (default: all). */
  models?: string[];
  tasks?: string[];
}

export interface ModelFailure {
  model: string;
  task: string | undefined;
  message: string;
}

export interface PreparedModel {
  model: ModelConfig;
  provider: EmbeddingProvider | Retriever;
  price: number | undefined;
}

export interface PreparedRun {
  config: EmbedEvalConfig;
  environment: Record<string, string | undefined>;
  reporter: ProgressReporter;
  cache: EmbeddingCache | undefined;
  prepared: PreparedModel[];
  tasks: TaskConfig[];
  datasets: Map<string, RetrievalDataset[]>;
  /** Tasks of the other MTEB types (sts, classification, ...), by task name, one entry per split. */
  typedDatasets: Map<string, TypedDataset[]>;
  failures: ModelFailure[];
}

/** What the caller may start while the datasets load (runEvaluation starts loading the search backend). */
export interface PrepareRunHooks {
  providersReady?: (ready: {
    prepared: readonly PreparedModel[];
    tasks: readonly TaskConfig[];
    environment: Record<string, string | undefined>;
    reporter: ProgressReporter;
  }) => void;
}

/**
 * Everything before the first paid call: config, every provider created (and its options checked),
 * every dataset loaded. A typo in the last model's options or a broken dataset fails the run before
 * the first model costs money.
 */
export async function prepareRun(
  options: RunEvaluationOptions,
  hooks: PrepareRunHooks = {},
): Promise<PreparedRun> {
  const config = options.config ?? (await loadConfig(resolve(options.cwd, options.configPath)));
  const environment = options.environment ?? process.env;
  const reporter = new ProgressReporter(options.progressStream ?? { write: () => true }, { environment });
  const models = config.models.filter((model) => !options.models || options.models.includes(model.id));
  const tasks = config.tasks.filter((task) => !options.tasks || options.tasks.includes(task.name));
  // A filter naming nothing must not pass green having evaluated nothing.
  checkSelection(
    "--model",
    options.models,
    config.models.map((model) => model.id),
  );
  checkSelection(
    "--task",
    options.tasks,
    config.tasks.map((task) => task.name),
  );

  // The datasets load while the providers are created: creating one may mostly wait (the precomputed
  // provider fingerprints its vector file on another thread), and reading datasets keeps this thread
  // busy meanwhile. Awaited below, after the providers, so a model's config error still comes first.
  const caching = config.cache.enabled && !options.noCache;
  // With a cache, a corpus parsed once is kept there and read back while its files are unchanged.
  const corpusSnapshots = caching ? { directory: join(config.cache.directory, "datasets-v1") } : undefined;
  const datasetsLoaded = loadDatasets(tasks, environment, reporter, options.signal, corpusSnapshots);
  datasetsLoaded.catch(() => {});

  const failures: ModelFailure[] = [];
  const configErrors: EmbedEvalError[] = [];
  const prepared: PreparedModel[] = [];
  for (const model of models) {
    try {
      const plugin = await resolveProviderPlugin(model, config.file);
      // A local model named by hub id: its files are fetched into the HF cache first, then read offline.
      const fetched = await prefetchModelFiles(
        model,
        environment,
        (line) => reporter.log(`${model.id}: ${line}`),
        options.signal,
      );
      const provider = await plugin.create({
        model: model.model,
        options: model.options,
        baseDirectory: config.baseDirectory,
        environment,
        ...(caching ? { cacheDirectory: providerCacheDirectory(config.cache.directory, plugin.name) } : {}),
      });
      // Config override first, then the plugin's list prices, then the built-in table; inference-profile
      // ids (us.cohere.embed-v4:0) find the base model's price. Null: unknown, shown as "-".
      const price = lookupPricePerMillionTokens(model.model, {
        override: model.pricePerMillionTokens ?? null,
        tables: plugin.pricesPerMillionTokens ? [plugin.pricesPerMillionTokens] : [],
      });
      // The commit read names the results folder, as MTEB records a model's revision, unless the config sets one.
      const recorded =
        fetched && model.revision === "no_revision_available"
          ? { ...model, revision: fetched.commit }
          : model;
      prepared.push({ model: recorded, provider, price: price ?? undefined });
    } catch (error) {
      if (EmbedEvalError.is(error) && error.code === "config") {
        // Every model's option mistakes are reported in one go, not one per run.
        configErrors.push(locateInConfig(error, model, config.file));
        continue;
      }
      failures.push({ model: model.id, task: undefined, message: formatError(error) });
      reporter.log(`${model.id}: ${formatError(error)}`);
    }
  }

  if (configErrors.length > 0) {
    await closeProviders(prepared);
    await datasetsLoaded.catch(() => {});
    const [first, ...rest] = configErrors as [EmbedEvalError, ...EmbedEvalError[]];
    if (rest.length === 0) throw first;
    const more = rest.map((error) => `\n  ${error.file}:${error.line ?? 1}: ${error.message}`).join("");
    throw new ConfigError(`${first.message}${more}`, {
      ...(first.file ? { file: first.file } : {}),
      ...(first.line ? { line: first.line } : {}),
      ...(first.hint ? { hint: first.hint } : {}),
    });
  }

  hooks.providersReady?.({ prepared, tasks, environment, reporter });
  let datasets: Map<string, RetrievalDataset[]>;
  let typedDatasets: Map<string, TypedDataset[]>;
  try {
    ({ datasets, typedDatasets } = await datasetsLoaded);
  } catch (error) {
    await closeProviders(prepared);
    throw error;
  }

  const cache = caching ? await EmbeddingCache.open(config.cache.directory) : undefined;
  return { config, environment, reporter, cache, prepared, tasks, datasets, typedDatasets, failures };
}

/**
 * Where a provider plugin may keep files between runs: beside the embeddings in the cache directory,
 * one folder per plugin (a package name's "@" and "/" made safe for a folder name).
 */
function providerCacheDirectory(cacheDirectory: string, pluginName: string): string {
  return join(cacheDirectory, "providers-v1", encodeURIComponent(pluginName));
}

/** Every task's splits, read (and downloaded from the hub first where the task names a hub dataset). */
async function loadDatasets(
  tasks: readonly TaskConfig[],
  environment: Record<string, string | undefined>,
  reporter: ProgressReporter,
  signal: AbortSignal | undefined,
  corpusSnapshots: CorpusSnapshotOptions | undefined,
): Promise<{
  datasets: Map<string, RetrievalDataset[]>;
  typedDatasets: Map<string, TypedDataset[]>;
}> {
  const datasets = new Map<string, RetrievalDataset[]>();
  const typedDatasets = new Map<string, TypedDataset[]>();
  for (const task of tasks) {
    if (task.type !== "retrieval") {
      const typedTask = { ...task, type: task.type };
      const splits = await withTaskContext(task, () =>
        loadTypedTaskSplits(typedTask, environment, reporter, signal),
      );
      typedDatasets.set(task.name, splits);
      continue;
    }
    const hubDataset = await withTaskContext(task, () =>
      downloadTaskDataset(task, environment, reporter, signal),
    );
    const splits: RetrievalDataset[] = [];
    for (const split of task.splits) {
      const cancellation = { ...(signal ? { signal } : {}), ...(corpusSnapshots ? { corpusSnapshots } : {}) };
      // A hub dataset records its resolved commit as the dataset revision (loadHubDataset sets it).
      const dataset = await withTaskContext(task, () =>
        hubDataset
          ? loadHubDataset({ dataset: hubDataset, split, name: task.name, ...cancellation })
          : loadBeirFolder({ folder: task.path as string, split, name: task.name, ...cancellation }),
      );
      for (const warning of dataset.warnings) reporter.log(`warning: ${task.name}/${split}: ${warning}`);
      splits.push(dataset);
    }
    datasets.set(task.name, splits);
  }
  return { datasets, typedDatasets };
}

/**
 * For a hub dataset (`hub:` or an MTEB task name): its files, downloaded into huggingface_hub's cache
 * (HF_HUB_CACHE) and checked, at the commit the revision resolves to. Undefined for a local folder.
 */
async function downloadTaskDataset(
  task: TaskConfig,
  environment: Record<string, string | undefined>,
  reporter: ProgressReporter,
  signal: AbortSignal | undefined,
): Promise<HubDataset | undefined> {
  if (task.path !== undefined || task.hub === undefined) return undefined;
  return downloadHubDataset({
    repository: task.hub,
    // The config loader gives every hub task a revision: its own, MTEB's pin, or "main".
    revision: task.revision ?? "main",
    splits: task.splits,
    environment,
    onProgress: (line) => reporter.log(`${task.name}: ${line}`),
    ...(signal ? { signal } : {}),
  });
}

export async function closeProviders(prepared: PreparedModel[]): Promise<void> {
  for (const { provider } of prepared) {
    if ("close" in provider && typeof provider.close === "function") await provider.close();
  }
}

/**
 * A plugin's ConfigError knows the option (`options.dimensions`) but not where it was written: point it
 * at the config file, the model's line and its full key, keeping the plugin's message and hint.
 */
function locateInConfig(error: EmbedEvalError, model: ModelConfig, configFile: string): EmbedEvalError {
  if (error.file) return error;
  const key = (error as ConfigError).key;
  return new ConfigError(`models.${model.id}: ${error.message}`, {
    file: relative(process.cwd(), configFile) || configFile,
    ...(model.line ? { line: model.line } : {}),
    key: `models.${model.id}${key ? `.${key}` : ""}`,
    ...(error.hint ? { hint: error.hint } : {}),
    cause: error,
  });
}

function checkSelection(flag: string, selected: string[] | undefined, known: string[]): void {
  for (const name of selected ?? []) {
    if (known.includes(name)) continue;
    const suggestion = closestMatch(name, known);
    throw new UsageError(`${flag} ${name}: no such ${flag.slice(2)} in the config`, {
      hint: suggestion
        ? `Did you mean \`${suggestion}\`? The config has: ${known.join(", ")}.`
        : `The config has: ${known.join(", ")}.`,
    });
  }
}

/**
 * A dataset error names the data file and line; say which task of the config it belongs to as well,
 * keeping the file, line and hint.
 */
async function withTaskContext<T>(task: TaskConfig, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (EmbedEvalError.is(error) && error.code === "dataset" && !error.message.startsWith("task `")) {
      throw new DatasetError(`task \`${task.name}\`: ${error.message}`, {
        ...(error.file ? { file: error.file } : {}),
        ...(error.line ? { line: error.line } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error,
      });
    }
    throw error;
  }
}
