import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { HeadFailure } from "@embedeval/core";

/**
 * What the evaluating run knew besides its result files, for a report run elsewhere (workflow_run): which
 * (model, task) pairs failed and with what message, and which models and tasks its config listed. Without
 * it a failed model would look "removed" in the report job, and pass.
 */
export interface RunOutcome {
  failures: HeadFailure[];
  models: string[];
  tasks: string[];
}

export const runOutcomeFileName = "embedeval-run-outcome.json";

export async function writeRunOutcome(directory: string, outcome: RunOutcome): Promise<void> {
  await writeFile(join(directory, runOutcomeFileName), `${JSON.stringify(outcome, null, 2)}\n`);
}

/** Undefined when absent or malformed (an artifact from an older version of the action). */
export async function readRunOutcome(directory: string): Promise<RunOutcome | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(directory, runOutcomeFileName), "utf8"));
  } catch {
    return undefined;
  }
  const value = parsed as Partial<RunOutcome> | null;
  const strings = (list: unknown): list is string[] =>
    Array.isArray(list) && list.every((item) => typeof item === "string");
  if (!value || !strings(value.models) || !strings(value.tasks) || !Array.isArray(value.failures)) {
    return undefined;
  }
  const failures = value.failures.filter(
    (failure): failure is HeadFailure =>
      typeof failure?.model === "string" &&
      typeof failure.message === "string" &&
      (failure.task === undefined || failure.task === null || typeof failure.task === "string"),
  );
  return {
    models: value.models,
    tasks: value.tasks,
    failures: failures.map((failure) => ({
      model: failure.model,
      message: failure.message,
      ...(typeof failure.task === "string" ? { task: failure.task } : {}),
    })),
  };
}
