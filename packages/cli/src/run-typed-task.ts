import {
  type EmbeddingProvider,
  evaluateTypedTask,
  findMtebTypedTask,
  loadMtebTypedTask,
  loadTypedTaskFolder,
  type TaskConfig,
  type TaskEmbeddingContext,
  type TaskResult,
  type TypedDataset,
} from "@embedeval/core";
import type { ProgressReporter } from "./progress-reporter.js";

/**
 * The splits of a task of another MTEB type than retrieval: a registered MTEB task named without `path`
 * comes from the hub at its pinned revision (or the config's), any other from its local folder.
 */
export function loadTypedTaskSplits(
  task: TaskConfig & { type: Exclude<TaskConfig["type"], "retrieval"> },
  environment: Record<string, string | undefined>,
  reporter: ProgressReporter,
  signal: AbortSignal | undefined,
): Promise<TypedDataset[]> {
  const registered = task.path === undefined ? findMtebTypedTask(task.name) : undefined;
  const aborting = signal ? { signal } : {};
  return Promise.all(
    task.splits.map((split) =>
      registered
        ? loadMtebTypedTask(registered, {
            split,
            ...(task.revision ? { revision: task.revision } : {}),
            environment,
            ...aborting,
            onProgress: (line) => reporter.log(`${task.name}: ${line}`),
          })
        : loadTypedTaskFolder({
            type: task.type,
            folder: task.path as string,
            split,
            name: task.name,
            ...aborting,
          }),
    ),
  );
}

/**
 * Evaluates one split of a task of another type with the progress line and warnings the retrieval
 * path shows; the context carries the run's shared runtime (cache, rate limiter, usage recorder).
 */
export async function evaluateTypedSplit(
  context: Omit<TaskEmbeddingContext, "onProgress"> & { provider: EmbeddingProvider },
  typed: TypedDataset,
  label: string,
  reporter: ProgressReporter,
  note: () => string | undefined,
): Promise<TaskResult> {
  let progress: ReturnType<ProgressReporter["start"]> | undefined;
  let stage = "";
  const result = await evaluateTypedTask(
    {
      ...context,
      onProgress: (update) => {
        if (update.stage !== stage) {
          progress?.finish();
          stage = update.stage;
          progress = reporter.start(`${label}: embedding ${update.stage}`, update.total);
        }
        progress?.update(update.done, note());
      },
    },
    typed,
  );
  progress?.finish();
  for (const warning of result.embedeval.warnings) reporter.log(`warning: ${label}: ${warning}`);
  return result;
}
