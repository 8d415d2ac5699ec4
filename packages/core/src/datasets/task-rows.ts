import { readFile } from "node:fs/promises";
import { gunzipSync } from "node:zlib";
import { DatasetError } from "@embedeval/provider-contract";
import { readRecords } from "./dataset-records.js";
import { decompressionRatioLimit, minimumDecompressedLimitBytes, sha256 } from "./read-lines.js";

/**
 * A whole-document JSON file becomes one string: past this size (decompressed) it is refused with a
 * named error rather than a RangeError from V8's string limit (about 512 MiB).
 */
export const maxJsonDocumentBytes = 256 * 1024 * 1024;

/**
 * The text of a `.json` / `.json.gz` file, with the limits readLines applies to line files: a gzip bomb
 * stopped at max(1 GiB, 32x) (and the document at 256 MiB), and invalid UTF-8 refused naming the line.
 */
function decodeJsonDocument(file: string, stored: Buffer): string {
  let bytes = stored;
  if (file.endsWith(".gz")) {
    const limit = Math.min(
      maxJsonDocumentBytes,
      Math.max(minimumDecompressedLimitBytes, decompressionRatioLimit * stored.length),
    );
    try {
      bytes = gunzipSync(stored, { maxOutputLength: limit + 1 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new DatasetError(
        code === "ERR_BUFFER_TOO_LARGE"
          ? `The file expands to more than ${limit / 1024 / 1024} MiB when decompressed.`
          : `Could not read ${file}: ${(error as Error).message}`,
        {
          file,
          hint:
            code === "ERR_BUFFER_TOO_LARGE"
              ? "A JSON document is read whole; convert a large one to JSON Lines (one row a line), which is streamed."
              : "The file is not valid gzip data; decompress it or re-download it.",
          cause: error,
        },
      );
    }
  }
  if (bytes.length > maxJsonDocumentBytes) {
    throw new DatasetError(`The JSON document is larger than ${maxJsonDocumentBytes / 1024 / 1024} MiB.`, {
      file,
      hint: "A JSON document is read whole; convert a large one to JSON Lines (one row a line), which is streamed.",
    });
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    // The decoder says not where: the first line that fails on its own is the one to name.
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let line = 1;
    for (let start = 0; start <= bytes.length; line++) {
      const end = bytes.indexOf(0x0a, start);
      const stop = end === -1 ? bytes.length : end;
      try {
        decoder.decode(bytes.subarray(start, stop));
      } catch {
        break;
      }
      if (end === -1) break;
      start = end + 1;
    }
    throw new DatasetError("The line is not valid UTF-8.", {
      file,
      line,
      hint: "Dataset files must be UTF-8. Convert the file (e.g. `iconv -f latin1 -t utf-8`) or fix the bytes of that line.",
      cause: error,
    });
  }
}

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
    const text = decodeJsonDocument(file, stored);
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
