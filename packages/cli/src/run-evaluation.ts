import { randomBytes } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  AdaptiveRateLimiter,
  CancelledError,
  ConfigError,
  describeRuntimeEvent,
  type EmbeddingCacheStats,
  type EmbedEvalConfig,
  EmbedEvalError,
  evaluateRetrieval,
  formatCount,
  formatError,
  isRetriever,
  type ModelConfig,
  ProviderError,
  type RuntimeEvent,
  type SearchBackend,
  systemClock,
  type TaskPredictions,
  type TaskResult,
  topDocuments,
  UsageRecorder,
  writeTaskPredictions,
  writeTaskResult,
} from "@embedeval/core";
import { loadSearchBackend } from "./load-search-backend.js";
import { closeProviders, type ModelFailure, prepareRun, type RunEvaluationOptions } from "./prepare-run.js";
import type { ProgressReporter } from "./progress-reporter.js";
import { evaluateTypedSplit } from "./run-typed-task.js";

export { estimateRun, type RunEstimate } from "./estimate-run.js";
export {
  closeProviders,
  type ModelFailure,
  type PreparedModel,
  type PreparedRun,
  prepareRun,
  type RunEvaluationOptions,
} from "./prepare-run.js";
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

/**
 * Runs every declared model on every declared task and writes one result file per (model, task).
 * This is the library entry the CLI's `run` command and the GitHub Action both call.
 */
export async function runEvaluation(options: RunEvaluationOptions): Promise<RunEvaluationResult> {
  // The search backend (onnxruntime: 0.3-0.4 s to import and start its worker) loads while the datasets
  // are read, when some model will need dense search: BM25 alone never pays for it.
  let searchBackendLoad: Promise<SearchBackend | undefined> | undefined;
  const startSearchBackend = (
    environment: Record<string, string | undefined>,
    reporter: ProgressReporter,
  ) => {
    searchBackendLoad ??= loadSearchBackend(environment, (line) => reporter.log(line));
    return searchBackendLoad;
  };
  let preparedRun: Awaited<ReturnType<typeof prepareRun>>;
  try {
    preparedRun = await prepareRun(options, {
      providersReady: ({ prepared, tasks, environment, reporter }) => {
        const dense = prepared.some(({ provider }) => !isRetriever(provider));
        if (dense && tasks.some((task) => task.type === "retrieval"))
          startSearchBackend(environment, reporter);
      },
    });
  } catch (error) {
    await (await searchBackendLoad)?.close?.();
    throw error;
  }
  const { config, environment, reporter, cache, prepared, tasks, datasets, typedDatasets, failures } =
    preparedRun;
  // Before the first paid call: an output folder that is a file, or read-only, would otherwise fail
  // only once all the paid work is done.
  try {
    await checkWritableFolder(config.output.directory);
  } catch (error) {
    cache?.close();
    await closeProviders(prepared);
    await (await searchBackendLoad)?.close?.();
    throw error;
  }
  const denseSearchBackend = () => startSearchBackend(environment, reporter);

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
        // Each retrieval split's top 10 per query, for MTEB's predictions file beside the result file.
        const predictions: TaskPredictions = new Map();
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
              // Still loading, maybe: the task awaits it when its search starts, after the embedding stage.
              ...(isRetriever(provider) ? {} : { searchBackend: denseSearchBackend() }),
              onRanking: (ranking) =>
                predictions.set(
                  dataset.split,
                  topDocuments(ranking.run, { ignoreIdenticalIds: task.ignoreIdenticalIds }),
                ),
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
              ? `\n  spent before failing: ${formatCount(paid.textsEmbedded)} texts embedded in ${paid.calls} calls${paid.costUsd === null ? "" : `, $${paid.costUsd.toFixed(4)}`}${cache ? "; they are cached, a rerun pays only for the rest" : ""}`
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
          const path = await writeTaskResult(config.output.directory, merged);
          files.push(path);
          if (predictions.size > 0) await writeTaskPredictions(path, merged, predictions);
        }
      }
    }
  } finally {
    await closeProviders(prepared);
    cache?.close();
    await (await searchBackendLoad)?.close?.();
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
