import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { CancelledError, DatasetError } from "@embedeval/provider-contract";

export interface ReadLinesOptions {
  /** Receives the file's bytes as stored on disk (compressed when `.gz`), for a content hash. */
  hash?: Hash;
  signal?: AbortSignal;
}

/**
 * Yields a text file's lines with 1-based line numbers, streaming, so a large corpus is never held
 * as one string next to its parsed form. Files ending in `.gz` are gunzipped on the fly. A UTF-8
 * byte-order mark on the first line is dropped; `\r\n` endings are accepted (readline strips `\r`
 * with crlfDelay Infinity).
 */
export async function* readLines(
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<{ line: string; lineNumber: number }> {
  const raw = createReadStream(file);
  const { hash, signal } = options;
  if (hash) raw.on("data", (chunk) => hash.update(chunk as Buffer));
  const decompressed = file.endsWith(".gz") ? raw.pipe(createGunzip()) : raw;
  // A gunzip failure is emitted on the gunzip stream, which readline does not forward: surface it
  // as a dataset error by destroying the stream readline reads from.
  let failure: unknown;
  if (decompressed !== raw) {
    raw.on("error", (error: Error) => decompressed.destroy(error));
    decompressed.on("error", (error: Error) => {
      failure = error;
    });
  }
  const lines = createInterface({ input: decompressed, crlfDelay: Number.POSITIVE_INFINITY });
  let lineNumber = 0;
  try {
    for await (const text of lines) {
      lineNumber += 1;
      if (signal?.aborted) throw new CancelledError(`Cancelled while reading ${file}.`);
      yield { line: lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text, lineNumber };
    }
  } catch (error) {
    if (error instanceof CancelledError) throw error;
    throw new DatasetError(`Could not read ${file}: ${(error as Error).message}`, {
      file,
      line: lineNumber + 1,
      hint: file.endsWith(".gz")
        ? "The file is not valid gzip data; decompress it or re-download it."
        : undefined,
      cause: error,
    });
  } finally {
    lines.close();
    raw.destroy();
  }
  if (failure) {
    throw new DatasetError(`Could not read ${file}: ${(failure as Error).message}`, {
      file,
      hint: "The file is not valid gzip data; decompress it or re-download it.",
      cause: failure,
    });
  }
}

export function sha256(): Hash {
  return createHash("sha256");
}

/** One JSON object of a JSON Lines file, with its 1-based line number. */
export interface JsonRecord {
  value: Record<string, unknown>;
  lineNumber: number;
}

/**
 * The objects of a JSON Lines file, one per non-blank line. A line that is not JSON, or not an object,
 * is a DatasetError naming the file and line, whatever the reader is (BEIR loader, providers, hub).
 */
export async function* readJsonLines(
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<JsonRecord> {
  for await (const { line, lineNumber } of readLines(file, options)) {
    if (line.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new DatasetError(`Malformed JSON: ${(error as Error).message}.`, {
        file,
        line: lineNumber,
        hint: "Each line must be one complete JSON object (JSON Lines).",
      });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new DatasetError("Expected a JSON object on this line.", {
        file,
        line: lineNumber,
        hint: "Each line must be one JSON object (JSON Lines).",
      });
    }
    yield { value: value as Record<string, unknown>, lineNumber };
  }
}
