import { createHash, type Hash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createGunzip } from "node:zlib";
import { CancelledError, DatasetError } from "@embedeval/provider-contract";

/** The longest line read (64 MiB): far past any real document, well short of V8's string limit. */
export const defaultMaxLineBytes = 64 * 1024 * 1024;
/**
 * A `.gz` file may expand to at most this many times its size, and always to 1 GiB: text compresses
 * 3 to 10 times, gzip at most about 1000 times, so a gzip bomb is stopped long before memory runs out.
 */
export const decompressionRatioLimit = 32;
export const minimumDecompressedLimitBytes = 1024 ** 3;

export interface ReadLinesOptions {
  /** Receives the file's bytes as stored on disk (compressed when `.gz`), for a content hash. */
  hash?: Hash;
  signal?: AbortSignal;
  /** Longest line in bytes; default defaultMaxLineBytes (64 MiB). */
  maxLineBytes?: number;
  /** Most bytes a `.gz` file may expand to; default max(1 GiB, 32 x its compressed size). */
  maxDecompressedBytes?: number;
}

const newline = 0x0a;
const carriageReturn = 0x0d;

/** One line of a text file, with its 1-based line number. */
export interface NumberedLine {
  line: string;
  lineNumber: number;
}

/**
 * Yields a text file's lines with 1-based line numbers, streaming, so a large corpus is never held
 * as one string next to its parsed form. Files ending in `.gz` are gunzipped on the fly. A UTF-8
 * byte-order mark on the first line is dropped; `\r\n` endings are accepted.
 *
 * Hostile or broken input ends in a DatasetError naming the file and line, never a crash: a line over
 * `maxLineBytes`, a `.gz` expanding past `maxDecompressedBytes`, bytes that are not UTF-8 (decoded with
 * `fatal: true`: a replaced character could make two ids collide, so nothing is replaced silently).
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<NumberedLine> {
  for await (const batch of readLineBatches(file, options)) yield* batch;
}

/**
 * The lines of `readLines`, a batch per block read from the file (about a thousand short lines):
 * for readers of large files, since each step through an async generator costs about a microsecond,
 * a tenth of a second per 100,000-line corpus per generator a line passes through. A line that fails
 * (not UTF-8, too long) fails after the lines before it have been yielded, as with `readLines`.
 */
export async function* readLineBatches(
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<NumberedLine[]> {
  const { hash, signal } = options;
  const compressed = file.endsWith(".gz");
  const maxLineBytes = options.maxLineBytes ?? defaultMaxLineBytes;
  const maxDecompressedBytes = compressed
    ? (options.maxDecompressedBytes ??
      Math.max(
        minimumDecompressedLimitBytes,
        decompressionRatioLimit * ((await stat(file).catch(() => undefined))?.size ?? 0),
      ))
    : Number.POSITIVE_INFINITY;
  const raw = createReadStream(file);
  if (hash) raw.on("data", (chunk) => hash.update(chunk as Buffer));
  const input = compressed ? raw.pipe(createGunzip()) : raw;
  // A read error on the file reaches the gunzip stream, whose iterator then throws it.
  if (input !== raw) raw.on("error", (error: Error) => input.destroy(error));
  const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let lineNumber = 0;
  let total = 0;
  /** A decoded line without its \r (CRLF endings) and, on line 1, without a byte-order mark. */
  const finishLine = (text: string): string => {
    const line =
      text.length > 0 && text.charCodeAt(text.length - 1) === carriageReturn ? text.slice(0, -1) : text;
    return lineNumber === 1 && line.charCodeAt(0) === 0xfeff ? line.slice(1) : line;
  };
  const decode = (bytes: Buffer): string => {
    try {
      return finishLine(decoder.decode(bytes));
    } catch (error) {
      throw new DatasetError("The line is not valid UTF-8.", {
        file,
        line: lineNumber,
        hint: "Dataset files must be UTF-8. Convert the file (e.g. `iconv -f latin1 -t utf-8`) or fix the bytes of that line.",
        cause: error,
      });
    }
  };
  /**
   * Decodes the `count` lines of chunk[from, to) (each ending in a newline) into the batch. One decoder
   * call for all of them: a newline byte is never part of a multi-byte character, so this is the same
   * as decoding each line, and a call per line cost as much as parsing the JSON on it. If the bytes are
   * not UTF-8, the lines are decoded one by one to name the bad one, after the good ones before it.
   */
  const decodeLines = (chunk: Buffer, from: number, to: number, count: number, batch: NumberedLine[]) => {
    if (count === 0) return;
    let text: string | undefined;
    try {
      // Without the last newline, so that splitting gives exactly `count` lines.
      text = decoder.decode(chunk.subarray(from, to - 1));
    } catch {
      text = undefined;
    }
    if (text === undefined) {
      for (let start = from, end = chunk.indexOf(newline, from); end !== -1 && end < to; ) {
        lineNumber += 1;
        batch.push({ line: decode(chunk.subarray(start, end)), lineNumber });
        start = end + 1;
        end = chunk.indexOf(newline, start);
      }
      return;
    }
    for (const part of text.split("\n")) {
      lineNumber += 1;
      batch.push({ line: finishLine(part), lineNumber });
    }
  };
  const tooLong = () =>
    new DatasetError(`Line longer than the limit of ${formatLimit(maxLineBytes)}.`, {
      file,
      line: lineNumber + 1,
      hint: "A dataset line is one record (a document, a query); one this long is a broken or hostile file. Split the record or check the file.",
    });
  try {
    for await (const chunk of input as AsyncIterable<Buffer>) {
      if (signal?.aborted) throw new CancelledError(`Cancelled while reading ${file}.`);
      total += chunk.length;
      if (total > maxDecompressedBytes) {
        throw new DatasetError(
          `The file expands to more than ${formatLimit(maxDecompressedBytes)} when decompressed.`,
          {
            file,
            line: lineNumber + 1,
            hint: `A .gz file may expand to at most ${decompressionRatioLimit} times its size (and always to ${formatLimit(minimumDecompressedLimitBytes)}); this one looks like a gzip bomb. Decompress it yourself if it is genuine.`,
          },
        );
      }
      const batch: NumberedLine[] = [];
      let failure: unknown;
      let start = 0;
      try {
        const firstEnd = chunk.indexOf(newline);
        if (firstEnd !== -1 && pending.length > 0) {
          // The end of a line that began in an earlier block.
          const piece = chunk.subarray(0, firstEnd);
          if (pendingBytes + piece.length > maxLineBytes) throw tooLong();
          const bytes = Buffer.concat([...pending, piece]);
          pending = [];
          pendingBytes = 0;
          lineNumber += 1;
          batch.push({ line: decode(bytes), lineNumber });
          start = firstEnd + 1;
        }
        // The lines wholly inside this block: measured here, decoded below with one call.
        const linesStart = start;
        let lines = 0;
        for (let end = chunk.indexOf(newline, start); end !== -1; end = chunk.indexOf(newline, start)) {
          if (end - start > maxLineBytes) {
            decodeLines(chunk, linesStart, start, lines, batch);
            throw tooLong();
          }
          lines += 1;
          start = end + 1;
        }
        decodeLines(chunk, linesStart, start, lines, batch);
        if (start < chunk.length) {
          pendingBytes += chunk.length - start;
          if (pendingBytes > maxLineBytes) throw tooLong();
          pending.push(chunk.subarray(start));
        }
      } catch (error) {
        failure = error;
      }
      // The good lines before a bad one first: a reader reports the first problem in the file.
      if (batch.length > 0) yield batch;
      if (failure !== undefined) throw failure;
      if (signal?.aborted) throw new CancelledError(`Cancelled while reading ${file}.`);
    }
    if (pendingBytes > 0) {
      lineNumber += 1;
      yield [{ line: decode(Buffer.concat(pending)), lineNumber }];
    }
  } catch (error) {
    if (error instanceof CancelledError || error instanceof DatasetError) throw error;
    throw new DatasetError(`Could not read ${file}: ${(error as Error).message}`, {
      file,
      line: lineNumber + 1,
      hint: compressed ? "The file is not valid gzip data; decompress it or re-download it." : undefined,
      cause: error,
    });
  } finally {
    raw.destroy();
    if (input !== raw) input.destroy();
  }
}

function formatLimit(bytes: number): string {
  return bytes >= 1024 ** 3 && bytes % 1024 ** 3 === 0
    ? `${bytes / 1024 ** 3} GiB`
    : bytes >= 1024 * 1024
      ? `${Math.round(bytes / 1024 / 1024)} MiB`
      : `${bytes} bytes`;
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
  for await (const batch of readJsonLineBatches(file, options)) yield* batch;
}

/** The objects of `readJsonLines`, a batch per block read (see readLineBatches). */
export async function* readJsonLineBatches(
  file: string,
  options: ReadLinesOptions = {},
): AsyncGenerator<JsonRecord[]> {
  for await (const lines of readLineBatches(file, options)) {
    const records: JsonRecord[] = [];
    let failure: unknown;
    try {
      for (const { line, lineNumber } of lines) {
        if (line.trim() === "") continue;
        records.push({ value: parseJsonObject(line, file, lineNumber), lineNumber });
      }
    } catch (error) {
      failure = error;
    }
    if (records.length > 0) yield records;
    if (failure !== undefined) throw failure;
  }
}

function parseJsonObject(line: string, file: string, lineNumber: number): Record<string, unknown> {
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
  return value as Record<string, unknown>;
}
