import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import {
  AdaptiveRateLimiter,
  CancelledError,
  ConfigError,
  cacheNamespaceFor,
  cacheRevisionOf,
  closestMatch,
  DatasetError,
  describeRuntimeEvent,
  downloadHubDataset,
  EmbeddingCache,
  type EmbeddingCacheStats,
  type EmbeddingProvider,
  type EmbedEvalConfig,
  EmbedEvalError,
  estimateTokens,
  evaluateRetrieval,
  formatError,
  type HubDataset,
  isRetriever,
  loadBeirFolder,
  loadConfig,
  loadHubDataset,
  lookupPricePerMillionTokens,
  type ModelConfig,
  ProviderError,
  type RetrievalDataset,
  type Retriever,
  type RuntimeEvent,
  retrievalTexts,
  type SearchBackend,
  systemClock,
  type TaskConfig,
  type TaskResult,
  type TypedDataset,
  typedTaskTexts,
  UsageError,
  UsageRecorder,
  writeTaskResult,
} from "@embedeval/core";
import { loadSearchBackend } from "./load-search-backend.js";
import { prefetchModelFiles } from "./prefetch-model-files.js";
import { ProgressReporter, type ProgressStream } from "./progress-reporter.js";
import { resolveProviderPlugin } from "./resolve-provider-plugin.js";
import { evaluateTypedSplit, loadTypedTaskSplits } from "./run-typed-task.js";

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

export interface RunEvaluationResult {
  config: EmbedEvalConfig;
  results: TaskResult[];
  outputDirectory: string;
  /** Result files written, one per (model, task). */
  files: string[];
  /** Models that failed; the others still ran. */
  failures: ModelFailure[];
  /** Hits, misses, size, and the damaged records and files skipped (each one repaired by embedding again). */
  cache: EmbeddingCacheStats | null;
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

/**
 * Everything before the first paid call: config, every provider created (and its options checked),
 * every dataset loaded. A typo in the last model's options or a broken dataset fails the run before
 * the first model costs money.
 */
export async function prepareRun(options: RunEvaluationOptions): Promise<PreparedRun> {
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
    const [first, ...rest] = configErrors as [EmbedEvalError, ...EmbedEvalError[]];
    if (rest.length === 0) throw first;
    const more = rest.map((error) => `\n  ${error.file}:${error.line ?? 1}: ${error.message}`).join("");
    throw new ConfigError(`${first.message}${more}`, {
      ...(first.file ? { file: first.file } : {}),
      ...(first.line ? { line: first.line } : {}),
      ...(first.hint ? { hint: first.hint } : {}),
    });
  }

  const datasets = new Map<string, RetrievalDataset[]>();
  const typedDatasets = new Map<string, TypedDataset[]>();
  try {
    for (const task of tasks) {
      if (task.type !== "retrieval") {
        const typedTask = { ...task, type: task.type };
        const splits = await withTaskContext(task, () =>
          loadTypedTaskSplits(typedTask, environment, reporter, options.signal),
        );
        typedDatasets.set(task.name, splits);
        continue;
      }
      const hubDataset = await withTaskContext(task, () =>
        downloadTaskDataset(task, environment, reporter, options.signal),
      );
      const splits: RetrievalDataset[] = [];
      for (const split of task.splits) {
        const signal = options.signal ? { signal: options.signal } : {};
        // A hub dataset records its resolved commit as the dataset revision (loadHubDataset sets it).
        const dataset = await withTaskContext(task, () =>
          hubDataset
            ? loadHubDataset({ dataset: hubDataset, split, name: task.name, ...signal })
            : loadBeirFolder({ folder: task.path as string, split, name: task.name, ...signal }),
        );
        for (const warning of dataset.warnings) reporter.log(`warning: ${task.name}/${split}: ${warning}`);
        splits.push(dataset);
      }
      datasets.set(task.name, splits);
    }
  } catch (error) {
    await closeProviders(prepared);
    throw error;
  }

  const cache =
    config.cache.enabled && !options.noCache ? await EmbeddingCache.open(config.cache.directory) : undefined;
  return { config, environment, reporter, cache, prepared, tasks, datasets, typedDatasets, failures };
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

export interface RunEstimate {
  model: string;
  task: string;
  /** Distinct texts the run would send (documents and queries), and how many of them are cached. */
  texts: number;
  cached: number;
  /** Estimated input tokens of the texts not cached: about 4 characters a token. */
  estimatedTokens: number;
  /** USD, or null when the model has no known price (or needs no calls at all: BM25). */
  estimatedCostUsd: number | null;
}

/**
 * What `embedeval run` would send and roughly what it would cost, without calling any provider:
 * `embedeval run --dry-run`. Counts exactly the texts a run sends, minus what the cache already holds.
 */
export async function estimateRun(options: RunEvaluationOptions): Promise<RunEstimate[]> {
  const { cache, prepared, tasks, datasets, typedDatasets } = await prepareRun(options);
  const estimates: RunEstimate[] = [];
  try {
    for (const { model, provider, price } of prepared) {
      for (const task of tasks) {
        const estimate: RunEstimate = {
          model: model.id,
          task: task.name,
          texts: 0,
          cached: 0,
          estimatedTokens: 0,
          estimatedCostUsd: null,
        };
        if (!isRetriever(provider)) {
          // Each split embeds the corpus again; with the cache the later splits are cache hits, so a
          // text is counted once per input type, without it once per split, as the run pays.
          const textsByType = { document: [] as string[][], query: [] as string[][] };
          for (const dataset of datasets.get(task.name) ?? []) {
            const { documentTexts, queryTexts } = retrievalTexts(dataset, model);
            textsByType.document.push([...new Set(documentTexts)]);
            textsByType.query.push([...new Set(queryTexts)]);
          }
          for (const typed of typedDatasets.get(task.name) ?? []) {
            const texts = typedTaskTexts(typed, model);
            textsByType.document.push([...new Set(texts.document)]);
            textsByType.query.push([...new Set(texts.query)]);
          }
          for (const inputType of ["document", "query"] as const) {
            const distinct = cache
              ? [...new Set(textsByType[inputType].flat())]
              : textsByType[inputType].flat();
            // Only the index is consulted: a large corpus's vectors are not read just to be counted.
            const found = cache
              ? cache.cachedDimensions(
                  cacheNamespaceFor(provider, inputType, cacheRevisionOf(model)),
                  distinct,
                  provider.capabilities.dimensions,
                )
              : [];
            const missing = distinct.filter((_, index) => found[index] === undefined);
            estimate.texts += distinct.length;
            estimate.cached += distinct.length - missing.length;
            estimate.estimatedTokens += estimateTokens(missing);
          }
          if (price !== undefined) estimate.estimatedCostUsd = (estimate.estimatedTokens / 1_000_000) * price;
        }
        estimates.push(estimate);
      }
    }
  } finally {
    cache?.close();
    await closeProviders(prepared);
  }
  return estimates;
}

/**
 * Runs every declared model on every declared task and writes one result file per (model, task).
 * This is the library entry the CLI's `run` command and the GitHub Action both call.
 */
export async function runEvaluation(options: RunEvaluationOptions): Promise<RunEvaluationResult> {
  const { config, environment, reporter, cache, prepared, tasks, datasets, typedDatasets, failures } =
    await prepareRun(options);
  // Before the first paid call: an output folder that is a file, or read-only, would otherwise fail
  // only once all the paid work is done.
  try {
    await checkWritableFolder(config.output.directory);
  } catch (error) {
    cache?.close();
    await closeProviders(prepared);
    throw error;
  }

  // Loaded only when some model needs dense search: BM25 alone never pays for it.
  let searchBackend: SearchBackend | undefined;
  let searchBackendLoaded = false;
  const denseSearchBackend = async () => {
    if (!searchBackendLoaded) {
      searchBackendLoaded = true;
      searchBackend = await loadSearchBackend(environment, (line) => reporter.log(line));
    }
    return searchBackend;
  };

  const results: TaskResult[] = [];
  const files: string[] = [];
  try {
    for (const { model, provider, price } of prepared) {
      // Per model, shared by its tasks: the pace learned from throttling on one task carries to the next.
      // Its circuit breaker and events too: why the model is slow shows on the progress line and in the log.
      const slowdown = new Slowdown();
      const rateLimiter = new AdaptiveRateLimiter(
        {
          ...(model.runtime.requestsPerMinute === undefined
            ? {}
            : { requestsPerMinute: model.runtime.requestsPerMinute }),
          onEvent: (event) => {
            slowdown.on(event);
            // With the time of day: the log says when the provider throttled or failed, not only that it did.
            reporter.log(
              `${model.id}: ${new Date().toTimeString().slice(0, 8)} ${describeRuntimeEvent(event)}`,
            );
          },
        },
        systemClock,
      );
      for (const task of tasks) {
        const perSplit: TaskResult[] = [];
        // One recorder for all splits of the task: its usage, reported even if a split fails halfway.
        const spent = new UsageRecorder({ pricePerMillionTokens: price ?? null });
        try {
          for (const typed of typedDatasets.get(task.name) ?? []) {
            // A lexical retriever ranks documents and embeds nothing: as in MTEB, it has no score on the
            // other task types, so it is left out of them rather than failing the run.
            if (isRetriever(provider)) {
              reporter.log(
                `${model.id} × ${task.name}: skipped (a lexical retriever has no ${task.type} score)`,
              );
              continue;
            }
            const label = `${model.id} × ${task.name}${task.splits.length > 1 ? `/${typed.dataset.split}` : ""}`;
            const context = {
              model,
              provider,
              rateLimiter,
              usage: spent,
              ...(cache ? { cache } : {}),
              ...(price !== undefined ? { pricePerMillionTokens: price } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
            };
            perSplit.push(await evaluateTypedSplit(context, typed, label, reporter, () => slowdown.note()));
          }
          for (const dataset of datasets.get(task.name) ?? []) {
            const label = `${model.id} × ${task.name}${task.splits.length > 1 ? `/${dataset.split}` : ""}`;
            let progress: ReturnType<ProgressReporter["start"]> | undefined;
            let stage = "";
            const result = await evaluateRetrieval({
              model,
              provider,
              dataset,
              ignoreIdenticalIds: task.ignoreIdenticalIds,
              rateLimiter,
              usage: spent,
              ...(cache ? { cache } : {}),
              ...(price !== undefined ? { pricePerMillionTokens: price } : {}),
              ...(options.signal ? { signal: options.signal } : {}),
              ...(isRetriever(provider) ? {} : { searchBackend: await denseSearchBackend() }),
              onProgress: (update) => {
                if (update.stage !== stage) {
                  progress?.finish();
                  stage = update.stage;
                  progress = reporter.start(`${label}: ${stageLabel(update.stage)}`, update.total);
                }
                progress?.update(update.done, slowdown.note());
              },
            });
            progress?.finish();
            // Dataset warnings were shown when it loaded; what follows them came from the provider.
            for (const warning of result.embedeval.warnings.slice(dataset.warnings.length)) {
              reporter.log(`warning: ${label}: ${warning}`);
            }
            perSplit.push(result);
          }
        } catch (error) {
          if (EmbedEvalError.is(error) && (error.code === "cancelled" || error.code === "config"))
            throw error;
          if (options.signal?.aborted) throw new CancelledError();
          const paid = spent.summary();
          const spentNote =
            paid.calls > 0
              ? `\n  spent before failing: ${paid.textsEmbedded.toLocaleString("en-US")} texts embedded in ${paid.calls} calls${paid.costUsd === null ? "" : `, $${paid.costUsd.toFixed(4)}`}${cache ? "; they are cached, a rerun pays only for the rest" : ""}`
              : "";
          const endpointNote = timeoutEndpointNote(error, model);
          const message = `${formatError(error)}${endpointNote}${spentNote}`;
          failures.push({ model: model.id, task: task.name, message });
          reporter.log(`${model.id} × ${task.name}: ${message}`);
          continue;
        }
        const merged = mergeSplits(perSplit);
        const slowed = merged ? describeSlowdowns(merged.embedeval.usage) : "";
        if (slowed) reporter.log(`${model.id} × ${task.name}: ${slowed}`);
        if (merged) {
          results.push(merged);
          files.push(await writeTaskResult(config.output.directory, merged));
        }
      }
    }
  } finally {
    await closeProviders(prepared);
    cache?.close();
    await searchBackend?.close?.();
  }

  return {
    config,
    results,
    outputDirectory: config.output.directory,
    files,
    failures,
    cache: cache ? cache.stats() : null,
  };
}

export function stageLabel(stage: string): string {
  switch (stage) {
    case "documents":
      return "embedding documents";
    case "queries":
      return "embedding queries";
    case "search":
      return "searching";
    default:
      return "scoring";
  }
}

/**
 * Results of several splits of one task go in one file, as in MTEB (scores keyed by split). The splits
 * share one usage recorder, so the last split's usage is the task's.
 */
export function mergeSplits(results: TaskResult[]): TaskResult | undefined {
  const [first, ...rest] = results;
  if (!first) return undefined;
  for (const result of rest) {
    Object.assign(first.scores, result.scores);
    Object.assign(first.embedeval.per_query, result.embedeval.per_query);
    first.evaluation_time += result.evaluation_time;
    first.embedeval.usage = result.embedeval.usage;
    const timings = first.embedeval.timings;
    for (const key of Object.keys(timings) as (keyof typeof timings)[])
      timings[key] += result.embedeval.timings[key];
    first.embedeval.warnings.push(
      ...result.embedeval.warnings.filter((warning) => !first.embedeval.warnings.includes(warning)),
    );
  }
  return first;
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

/**
 * Creates the output folder if needed and proves it takes a file, before any paid call. A folder that
 * cannot be written is a configuration problem (exit 2), named with the key to change.
 */
async function checkWritableFolder(directory: string): Promise<void> {
  const probe = join(directory, `.embedeval-write-check-${process.pid}-${randomBytes(4).toString("hex")}`);
  try {
    await mkdir(directory, { recursive: true });
    await writeFile(probe, "");
    await rm(probe, { force: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new ConfigError(`the output folder ${directory} cannot be written (${code})`, {
      key: "output.directory",
      hint:
        code === "ENOTDIR" || code === "EEXIST"
          ? "A file is in the way of the folder (or of one of its parents): remove it, or point `output.directory` elsewhere."
          : "Point `output.directory` in the config at a folder you can write to.",
      cause: error,
    });
  }
}

/**
 * A call that never answered names the provider and model; the config knows where it was sent
 * (`options.endpoint`, or `baseURL` for OpenAI-compatible servers): say it too.
 */
function timeoutEndpointNote(error: unknown, model: ModelConfig): string {
  if (!ProviderError.isProviderError(error) || error.providerCode !== "Timeout") return "";
  const options = model.options as Record<string, unknown>;
  const endpoint = [options.endpoint, options.baseURL, options.baseUrl].find(
    (value): value is string => typeof value === "string",
  );
  return endpoint ? `\n  endpoint: ${endpoint} never answered` : "";
}

/**
 * What slows a model down right now, from the runtime's events, for the progress line: throttled or
 * paused since when (and for how long so far), or waiting for another run sharing the cache.
 */
class Slowdown {
  #state: { what: string; since: number; clock: string } | undefined;

  on(event: RuntimeEvent): void {
    const start = (what: string): void => {
      this.#state = { what, since: Date.now(), clock: new Date().toTimeString().slice(0, 8) };
    };
    switch (event.kind) {
      case "throttled":
        if (this.#state?.what !== "paused, the provider failing") start("throttled");
        break;
      case "paused":
        start("paused, the provider failing");
        break;
      case "waiting-for-cache":
        start("waiting for another run on the cache");
        break;
      case "draining":
        start("stopping, waiting for calls in flight");
        break;
      case "throttling-over":
        if (this.#state?.what === "throttled") this.#state = undefined;
        break;
      case "resumed":
      case "cache-turn":
        this.#state = undefined;
        break;
      default:
        break;
    }
  }

  note(): string | undefined {
    if (!this.#state) return undefined;
    const seconds = Math.round((Date.now() - this.#state.since) / 1000);
    return `${this.#state.what} since ${this.#state.clock} (${seconds} s)`;
  }
}

/** "throttled 2 times, 12.3 s in all; ..." from a task's usage; empty when nothing slowed it down. */
function describeSlowdowns(usage: TaskResult["embedeval"]["usage"]): string {
  const parts: string[] = [];
  const times = (count: number) => `${count} time${count === 1 ? "" : "s"}`;
  if (usage.throttling) {
    parts.push(
      `throttled ${times(usage.throttling.periods)}, ${usage.throttling.seconds.toFixed(1)} s in all`,
    );
  }
  if (usage.outages) {
    parts.push(
      `paused ${times(usage.outages.pauses)} while the provider failed, ${usage.outages.seconds.toFixed(1)} s in all`,
    );
  }
  if (usage.cacheRepairs) parts.push(`${usage.cacheRepairs} damaged cache entries embedded again`);
  return parts.join("; ");
}
