import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import type { TaskResult } from "./task-result.js";

/** `<output>/<model id>/<revision>/<Task>.json`, the layout of MTEB's results repository. */
export function taskResultPath(outputDirectory: string, result: TaskResult): string {
  const model = result.embedeval.model;
  return join(
    outputDirectory,
    safeSegment(model.id),
    safeSegment(model.revision),
    `${safeSegment(result.task_name)}.json`,
  );
}

/** Writes atomically (temp file, then rename) so a killed run never leaves half a result file. */
export async function writeTaskResult(outputDirectory: string, result: TaskResult): Promise<string> {
  const path = taskResultPath(outputDirectory, result);
  await mkdir(join(path, ".."), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(result, null, 2)}\n`);
  await rename(temporary, path);
  return path;
}

/**
 * Reads every embedeval result file below a folder, sorted by model id then task name so that
 * everything downstream (compare, reports) is deterministic. Files without an `embedeval` block
 * (plain MTEB results) are skipped: they lack the per-query scores a comparison needs.
 */
export async function readResultsDirectory(directory: string): Promise<TaskResult[]> {
  let entries: string[];
  try {
    entries = (await readdir(directory, { recursive: true })) as string[];
  } catch (error) {
    throw new EmbedEvalError(
      "results",
      `cannot read results folder ${directory}: ${(error as NodeJS.ErrnoException).code}`,
      {
        hint: "Pass the folder that `embedeval run` wrote (output.directory in embedeval.yml).",
        cause: error,
      },
    );
  }
  const results: TaskResult[] = [];
  for (const entry of entries.filter((name) => name.endsWith(".json")).sort()) {
    const file = join(directory, entry);
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(file, "utf8"));
    } catch (error) {
      throw new EmbedEvalError("results", `result file ${relative(process.cwd(), file)} is not valid JSON`, {
        file,
        hint: "Delete it and rerun `embedeval run`; result files are written atomically, so this one was edited or copied partially.",
        cause: error,
      });
    }
    if (isTaskResult(parsed)) results.push(parsed);
  }
  results.sort(
    (a, b) =>
      compareStrings(a.embedeval.model.id, b.embedeval.model.id) || compareStrings(a.task_name, b.task_name),
  );
  return results;
}

function isTaskResult(value: unknown): value is TaskResult {
  if (typeof value !== "object" || value === null) return false;
  const candidate = value as Partial<TaskResult>;
  return typeof candidate.task_name === "string" && typeof candidate.embedeval?.model?.id === "string";
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Keeps ids usable as folder names on every OS; MTEB writes org/model as org__model. */
function safeSegment(value: string): string {
  return value.replaceAll("/", "__").replace(/[^\p{L}\p{N}._ -]/gu, "_");
}
