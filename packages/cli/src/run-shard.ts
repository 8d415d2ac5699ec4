import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import {
  AdaptiveRateLimiter,
  describeRuntimeEvent,
  isRetriever,
  loadConfig,
  ProviderError,
  retrieveRanking,
  type SearchBackend,
  systemClock,
  UsageError,
  UsageRecorder,
} from "@embedeval/core";
import { loadSearchBackend } from "./load-search-backend.js";
import type { ProgressReporter } from "./progress-reporter.js";
import {
  closeProviders,
  prepareRun,
  type RunEvaluationOptions,
  runEvaluation,
  stageLabel,
} from "./run-evaluation.js";
import { type ShardSplit, writeShardFile } from "./shard-file.js";
import { documentRange, findShard, type ShardCell } from "./shard-plan.js";

export interface RunShardOptions extends RunEvaluationOptions {
  /** A shard id from `embedeval plan`. */
  shard: string;
  /** Where the shard file goes (the merge reads this folder). */
  shardsDirectory: string;
}

/**
 * `embedeval run --shard ID`: one cell of the plan. Embeds (through the cache) and searches exactly as
 * a whole run does, but over the cell's document range, and writes each query's exact top k over that
 * range to a shard file instead of scoring: scores need every range, so `embedeval merge` computes them.
 */
export async function runShard(options: RunShardOptions): Promise<{ cell: ShardCell; file: string }> {
  const config = options.config ?? (await loadConfig(resolve(options.cwd, options.configPath)));
  const cell = findShard(config, options.shard);
  const taskType = config.tasks.find((task) => task.name === cell.task)?.type ?? "retrieval";
  if (taskType !== "retrieval") {
    // Other task types run whole in one cell, as one machine runs them; the merge writes the result.
    // Its result file goes to a scratch folder: a shard job writes only its shard file.
    const scratch = await mkdtemp(join(tmpdir(), "embedeval-shard-"));
    const outcome = await runEvaluation({
      ...options,
      config: { ...config, output: { ...config.output, directory: scratch } },
      models: [cell.model],
      tasks: [cell.task],
    }).finally(() => rm(scratch, { recursive: true, force: true }));
    const [failure] = outcome.failures;
    if (failure) {
      throw new ProviderError(failure.message, {
        provider: config.models.find((model) => model.id === cell.model)?.provider ?? "unknown",
        retryable: false,
      });
    }
    const [result] = outcome.results;
    const file = await writeShardFile(resolve(options.cwd, options.shardsDirectory), {
      cell,
      splits: [],
      ...(result ? { result } : {}),
    });
    return { cell, file };
  }
  const { environment, reporter, cache, prepared, tasks, datasets, failures } = await prepareRun({
    ...options,
    config,
    models: [cell.model],
    tasks: [cell.task],
  });
  let searchBackend: SearchBackend | undefined;
  try {
    const [failure] = failures;
    const [entry] = prepared;
    const [task] = tasks;
    if (failure || !entry || !task) {
      throw new ProviderError(failure?.message ?? `${cell.model}: the provider could not be created`, {
        provider: config.models.find((model) => model.id === cell.model)?.provider ?? "unknown",
        retryable: false,
      });
    }
    const { model, provider, price } = entry;
    if (isRetriever(provider) && cell.parts > 1) {
      throw new UsageError(`${model.id} is a lexical retriever: its corpus cannot be split into ranges`, {
        hint: "It scores with statistics of the whole corpus; `embedeval plan` gives it one shard per task.",
      });
    }
    if (!isRetriever(provider)) {
      searchBackend = await loadSearchBackend(environment, (line) => reporter.log(line));
    }
    const rateLimiter = new AdaptiveRateLimiter(
      {
        ...(model.runtime.requestsPerMinute === undefined
          ? {}
          : { requestsPerMinute: model.runtime.requestsPerMinute }),
        onEvent: (event) => reporter.log(`${model.id}: ${describeRuntimeEvent(event)}`),
      },
      systemClock,
    );
    // One recorder for the task's splits, as a whole run keeps: the last split's usage is the task's.
    const usage = new UsageRecorder({ pricePerMillionTokens: price ?? null });
    const splits: ShardSplit[] = [];
    for (const dataset of datasets.get(task.name) ?? []) {
      const range = documentRange(dataset.corpus.length, cell.part, cell.parts);
      const ranking = await retrieveRanking({
        model,
        provider,
        dataset,
        ignoreIdenticalIds: task.ignoreIdenticalIds,
        rateLimiter,
        usage,
        documentRange: range,
        ...(cache ? { cache } : {}),
        ...(price !== undefined ? { pricePerMillionTokens: price } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(searchBackend ? { searchBackend } : {}),
        onProgress: progressLines(reporter, `${cell.shard}/${dataset.split}`),
      });
      splits.push({
        split: dataset.split,
        documentRange: range,
        documents: dataset.corpus.length,
        datasetContentHash: dataset.contentHash,
        ranking,
      });
    }
    const file = await writeShardFile(resolve(options.cwd, options.shardsDirectory), { cell, splits });
    return { cell, file };
  } finally {
    await closeProviders(prepared);
    cache?.close();
    await searchBackend?.close?.();
  }
}

function progressLines(reporter: ProgressReporter, label: string) {
  let stage = "";
  let progress: ReturnType<ProgressReporter["start"]> | undefined;
  return (update: { stage: string; done: number; total: number }) => {
    if (update.stage !== stage) {
      progress?.finish();
      stage = update.stage;
      progress = reporter.start(`${label}: ${stageLabel(update.stage)}`, update.total);
    }
    progress?.update(update.done);
    // Search is the last stage: nothing follows to close its line.
    if (update.stage === "search" && update.done === update.total) {
      progress?.finish();
      progress = undefined;
    }
  };
}
