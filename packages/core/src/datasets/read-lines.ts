import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { CancelledError, DatasetError } from "../contract/errors.js";

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
