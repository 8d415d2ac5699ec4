import { mkdir } from "node:fs/promises";
import { relative, resolve } from "node:path";
import * as core from "@actions/core";
import { mergeShards, runEvaluation } from "@embedeval/cli";
import { type EmbedEvalConfig, readResultsDirectory, type TaskResult, UsageError } from "@embedeval/core";
import type { CompareMode } from "./action-inputs.js";
import { cacheKeys, restoreEmbeddingCache, saveEmbeddingCache } from "./embedding-cache-steps.js";
import { configSlug } from "./results-branch-store.js";
import { type RunOutcome, readRunOutcome, writeRunOutcome } from "./run-outcome.js";

/** The head side of the comparison: its results, the folder they are in, and which listed pairs failed. */
export interface HeadResults {
  directory: string;
  results: TaskResult[];
  outcome: RunOutcome;
}

export interface HeadResultsOptions {
  mode: CompareMode;
  config: EmbedEvalConfig;
  /** The `results` input (report mode): the folder with the head results; "" for the config's output folder. */
  resultsFolder: string;
  /** The `shards` input (report mode): the downloaded shard files to merge first; "" for none. */
  shardsFolder: string;
  workspace: string;
  workingDirectory: string;
  /** The commit under evaluation: the embedding cache is saved under it. */
  sha: string;
  signal: AbortSignal;
}

/**
 * Evaluates the head now, or (report mode) reads what another job evaluated, or merges what the shard
 * jobs of a sharded run wrote. Sets the `results-directory` output; fails when there is nothing to
 * report at all.
 */
export async function collectHeadResults(options: HeadResultsOptions): Promise<HeadResults> {
  const { mode, config, workingDirectory } = options;
  if (options.shardsFolder && mode !== "report") {
    throw new UsageError(`input \`shards\` is for modes shard and report, not ${mode}`, {
      hint: "Remove `shards:` from this step, or set `mode: report` to merge the shard files.",
    });
  }
  if (options.shardsFolder && options.resultsFolder) {
    throw new UsageError("inputs `shards` and `results` are both set", {
      hint: "`shards`: merge shard files (the results go to the config's output directory); `results`: read results merged or evaluated elsewhere. Set one.",
    });
  }
  const head =
    mode !== "report"
      ? await evaluateHead(config, workingDirectory, options.sha, options.signal)
      : options.shardsFolder
        ? await mergeShardedHead(config, workingDirectory, options.shardsFolder, options.signal)
        : await readReportedHead(
            config,
            options.resultsFolder
              ? resolve(workingDirectory, options.resultsFolder)
              : config.output.directory,
          );
  core.setOutput("results-directory", head.directory);
  if (head.results.length === 0 && head.outcome.failures.length === 0) {
    throw new UsageError(`no results to report in ${relative(options.workspace, head.directory) || "."}`, {
      hint:
        mode === "report"
          ? options.shardsFolder
            ? "Download every shard job's artifact into the `shards` folder (actions/download-artifact with merge-multiple)."
            : "Download the evaluation job's results artifact into this folder, or set the `results` input."
          : "Every model failed; see the warnings above.",
    });
  }
  return head;
}

/** Which (model, task) pairs the head config lists, none failed: a failure is not a removal. */
function listedInConfig(config: EmbedEvalConfig): RunOutcome {
  return {
    failures: [],
    models: config.models.map((model) => model.id),
    tasks: config.tasks.map((task) => task.name),
  };
}

async function readReportedHead(config: EmbedEvalConfig, directory: string): Promise<HeadResults> {
  return {
    directory,
    results: await readResultsDirectory(directory),
    outcome: (await readRunOutcome(directory)) ?? listedInConfig(config),
  };
}

/**
 * The shard files of a sharded run merged by the CLI's `embedeval merge` code into the result files one
 * machine writes (the config's output directory). A planned model × task with no shard file at all (its
 * job failed or was cancelled) is a failure, shown in the comment and gated by fail-on-error, as a
 * provider error in an unsharded run is.
 */
async function mergeShardedHead(
  config: EmbedEvalConfig,
  workingDirectory: string,
  shardsFolder: string,
  signal: AbortSignal,
): Promise<HeadResults> {
  const merged = await mergeShards({
    configPath: config.file,
    config,
    cwd: workingDirectory,
    environment: process.env,
    progressStream: { write: (chunk: string) => process.stdout.write(chunk) },
    signal,
    shardsDirectory: shardsFolder,
  });
  core.info(`embedeval: merged ${merged.files.length} result file(s) from the shards in ${shardsFolder}`);
  const failures = merged.missing.map(({ model, task }) => ({
    model,
    task,
    message: "no shard file: its shard job failed, was cancelled, or its artifact was not downloaded",
  }));
  for (const failure of failures) core.warning(`${failure.model} × ${failure.task}: ${failure.message}`);
  const outcome: RunOutcome = { ...listedInConfig(config), failures };
  await mkdir(merged.outputDirectory, { recursive: true });
  await writeRunOutcome(merged.outputDirectory, outcome);
  return { directory: merged.outputDirectory, results: merged.results, outcome };
}

/** Runs the evaluation between restoring and saving the embedding cache; records its outcome beside the results. */
async function evaluateHead(
  config: EmbedEvalConfig,
  workingDirectory: string,
  sha: string,
  signal: AbortSignal,
): Promise<HeadResults> {
  const keys = cacheKeys(configSlug(config.name), sha);
  const restored = config.cache.enabled
    ? await restoreEmbeddingCache(config.cache.directory, keys.key, keys.prefixes)
    : undefined;
  let evaluation: Awaited<ReturnType<typeof runEvaluation>> | undefined;
  try {
    evaluation = await runEvaluation({
      configPath: config.file,
      config,
      cwd: workingDirectory,
      environment: process.env,
      progressStream: { write: (chunk: string) => process.stdout.write(chunk) },
      signal,
    });
  } finally {
    // Also after a failure or a cancellation: every vector written so far was paid for. Not when the
    // run embedded nothing new (the restored cache already holds it all): a copy per push fills the
    // repository's 10 GB cache quota and evicts the default branch's entry.
    if (config.cache.enabled) {
      if (evaluation?.cache && evaluation.cache.misses === 0) {
        core.info("embedding cache: nothing new was embedded; not saved");
      } else {
        await saveEmbeddingCache(config.cache.directory, keys.key, restored);
      }
    }
  }
  for (const failure of evaluation.failures) {
    core.warning(`${failure.model}${failure.task ? ` × ${failure.task}` : ""} failed: ${failure.message}`);
  }
  const outcome: RunOutcome = {
    ...listedInConfig(config),
    failures: evaluation.failures.map((failure) => ({
      model: failure.model,
      message: failure.message,
      ...(failure.task !== undefined ? { task: failure.task } : {}),
    })),
  };
  await mkdir(evaluation.outputDirectory, { recursive: true });
  await writeRunOutcome(evaluation.outputDirectory, outcome);
  return { directory: evaluation.outputDirectory, results: evaluation.results, outcome };
}
