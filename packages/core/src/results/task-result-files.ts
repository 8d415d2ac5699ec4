import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { folderSegment, modelFolderName, mtebModelMeta } from "./mteb-model-meta.js";
import type { TaskResult } from "./task-result.js";

/**
 * `<output>/<model folder>/<revision>/<Task>.json`, the layout of MTEB's results repository: the model
 * folder is `org__model` for a hub name, else the config id (files without a name: the config id).
 */
export function taskResultPath(outputDirectory: string, result: TaskResult): string {
  const model = result.embedeval.model;
  return join(
    outputDirectory,
    modelFolderName(model.name ?? model.id),
    folderSegment(model.revision),
    `${folderSegment(result.task_name)}.json`,
  );
}

/**
 * Writes the result file and, beside it, the model's model_meta.json as MTEB does. Both atomically (temp
 * file, then rename) so a killed run never leaves half a file.
 */
export async function writeTaskResult(outputDirectory: string, result: TaskResult): Promise<string> {
  const path = taskResultPath(outputDirectory, result);
  await mkdir(dirname(path), { recursive: true });
  await writeJsonAtomically(path, result, 2);
  // MTEB writes it with an indent of 4.
  await writeJsonAtomically(join(dirname(path), "model_meta.json"), mtebModelMeta(result.embedeval.model), 4);
  return path;
}

async function writeJsonAtomically(path: string, value: unknown, indent: number): Promise<void> {
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(value, null, indent)}\n`);
  await rename(temporary, path);
}

/**
 * Reads every embedeval result file below a folder, sorted by model id then task name so that
 * everything downstream (compare, reports) is deterministic. Files without an `embedeval` block
 * (plain MTEB results, model_meta.json) are skipped: they lack the per-query scores a comparison needs.
 * Both layouts read alike: folders named by config id (before 0.2) or by MTEB's `org__model`.
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
