import { mkdir } from "node:fs/promises";
import { relative, resolve } from "node:path";
import * as core from "@actions/core";
import { runEvaluation } from "@embedeval/cli";
import { type EmbedEvalConfig, readResultsDirectory, type TaskResult, UsageError } from "@embedeval/core";
import type { RunMode } from "./action-inputs.js";
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
  mode: RunMode;
  config: EmbedEvalConfig;
  /** The `results` input (report mode): the folder with the head results; "" for the config's output folder. */
  resultsFolder: string;
  workspace: string;
  workingDirectory: string;
  /** The commit under evaluation: the embedding cache is saved under it. */
  sha: string;
  signal: AbortSignal;
}

/**
 * Evaluates the head now, or (report mode) reads what another job evaluated. Sets the `results-directory`
 * output; fails when there is nothing to report at all.
 */
export async function collectHeadResults(options: HeadResultsOptions): Promise<HeadResults> {
  const { mode, config, workingDirectory } = options;
  const head =
    mode === "report"
      ? await readReportedHead(
          config,
          options.resultsFolder ? resolve(workingDirectory, options.resultsFolder) : config.output.directory,
        )
      : await evaluateHead(config, workingDirectory, options.sha, options.signal);
  core.setOutput("results-directory", head.directory);
  if (head.results.length === 0 && head.outcome.failures.length === 0) {
    throw new UsageError(`no results to report in ${relative(options.workspace, head.directory) || "."}`, {
      hint:
        mode === "report"
          ? "Download the evaluation job's results artifact into this folder, or set the `results` input."
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

/** Runs the evaluation between restoring and saving the embedding cache; records its outcome beside the results. */
async function evaluateHead(
  config: EmbedEvalConfig,
  workingDirectory: string,
  sha: string,
  signal: AbortSignal,
): Promise<HeadResults> {
  const keys = cacheKeys(configSlug(config.name), sha);
  const restored = config.cache.enabled
    ? await restoreEmbeddingCache(config.cache.directory, keys.key, keys.prefix)
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
