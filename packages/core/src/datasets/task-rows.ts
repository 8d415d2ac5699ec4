import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { DatasetError } from "@embedeval/provider-contract";
import { readRecords } from "./dataset-records.js";
import { sha256 } from "./read-lines.js";

/** One row of a task file with its position (line, or row number), for error messages. */
export interface TaskRow {
  value: Record<string, unknown>;
  lineNumber: number;
}

export interface TaskRows {
  rows: TaskRow[];
  /** sha256 of the file's stored bytes. */
  contentHash: string;
}

/**
 * The rows of one task file in any layout MTEB's hub datasets use: JSON Lines (maybe gzipped), parquet,
 * or one JSON document (maybe gzipped) holding an array of rows or one row. v1-era pair classification
 * files store a whole split as ONE row whose columns are lists (MTEB expands it to one row per pair):
 * with `expandListRow`, such a row is expanded, when its list columns are flat and of one length.
 */
export async function readTaskRows(
  file: string,
  options: { signal?: AbortSignal; expandListRow?: boolean } = {},
): Promise<TaskRows> {
  const { signal } = options;
  const hash = sha256();
  let rows: TaskRow[] = [];
  if (/\.json(\.gz)?$/.test(file)) {
    const stored = await readFile(file);
    hash.update(stored);
    const text = (file.endsWith(".gz") ? gunzipSync(stored) : stored).toString("utf8");
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Some hub ".json" files are JSON Lines.
      parsed = text
        .split("\n")
        .filter((line) => line.trim() !== "")
        .map((line, index) => {
          try {
            return JSON.parse(line) as unknown;
          } catch (error) {
            throw new DatasetError(`Malformed JSON: ${(error as Error).message}.`, {
              file,
              line: index + 1,
              hint: "The file must be one JSON document or one JSON object per line.",
            });
          }
        });
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    rows = list.map((value, index) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new DatasetError("Expected a JSON object for each row.", {
          file,
          line: index + 1,
          hint: "Each row must be an object of columns.",
        });
      }
      return { value: value as Record<string, unknown>, lineNumber: index + 1 };
    });
  } else {
    for await (const record of readRecords(file, { hash, ...(signal ? { signal } : {}) })) rows.push(record);
  }
  return { rows: options.expandListRow ? expandListRow(rows) : rows, contentHash: hash.digest("hex") };
}

/** One row whose columns are lists of one length becomes one row per element (MTEB's v1 layout). */
function expandListRow(rows: TaskRow[]): TaskRow[] {
  if (rows.length !== 1) return rows;
  const only = (rows[0] as TaskRow).value;
  const lists = Object.entries(only).filter(([, value]) => Array.isArray(value));
  if (lists.length < 2) return rows;
  const length = (lists[0] as [string, unknown[]])[1].length;
  if (!lists.every(([, value]) => (value as unknown[]).length === length)) return rows;
  if (lists.some(([, value]) => (value as unknown[]).some((item) => Array.isArray(item)))) return rows;
  return Array.from({ length }, (_, index) => ({
    value: Object.fromEntries(lists.map(([column, value]) => [column, (value as unknown[])[index]])),
    lineNumber: index + 1,
  }));
}
