/**
 * A parsed corpus kept in the run's cache, so that a rerun does not parse the same JSON lines (or parquet
 * records) again, as Hugging Face `datasets` keeps an Arrow copy of what it loaded: the documents' ids,
 * titles and texts and the sha256 of the files' bytes, stored with each file's stamp (device, inode,
 * size, modification and change times: runtime/file-stamp.ts) and taken back while every file stamps
 * the same. A corpus of 100,000 short documents: 0.2 s of parsing and garbage collection on every run
 * against a few hundredths of a second to read the snapshot (docs/performance.md, "End to end").
 *
 * Only a corpus that parsed without an error is kept, and only when its files did not change while
 * they were read and had settled before (see file-stamp.ts), so a snapshot never holds bytes that a
 * later write could hide behind the same stamp. A snapshot that cannot be read, does not parse, or
 * holds anything unexpected is ignored and the corpus is parsed again.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  type FileStamp,
  fileStamp,
  holdsFileStamp,
  sameFileStamp,
  settledMilliseconds,
  writeFileWhole,
} from "../runtime/file-stamp.js";
import type { CorpusDocument } from "./retrieval-dataset.js";

/** Where snapshots are kept (`<cache>/datasets-v1`); the other two exist for tests. */
export interface CorpusSnapshotOptions {
  directory: string;
  settledMilliseconds?: number;
  largestCorpusCharacters?: number;
}

export interface CorpusSnapshot {
  corpus: CorpusDocument[];
  ids: Set<string>;
  /** sha256 of the files' bytes, in order, as the corpus was hashed when it was parsed. */
  sha256: string;
}

const snapshotFormat = "embedeval-corpus-snapshot";
const snapshotVersion = 1;
/**
 * A snapshot is one JSON text, which V8 cannot hold past about 2^29 characters: a corpus of more than
 * this many characters is not kept, so that even JSON's worst escaping (six characters for one) fits.
 */
const largestCorpusCharacters = 64 * 1024 * 1024;

/** The files' stamps before they are read, to compare with after (undefined if one cannot be stat'ed). */
export interface CorpusStamps {
  files: { stamp: FileStamp; changedMilliseconds: number }[];
  started: number;
}

function stampAll(files: readonly string[]): CorpusStamps["files"] | undefined {
  const stamps: CorpusStamps["files"] = [];
  for (const file of files) {
    const stamp = fileStamp(resolve(file));
    if (stamp === undefined) return undefined;
    stamps.push(stamp);
  }
  return stamps;
}

function snapshotFile(directory: string, files: readonly string[]): string {
  const key = createHash("sha256")
    .update(JSON.stringify(files.map((file) => resolve(file))))
    .digest("hex")
    .slice(0, 32);
  return join(directory, `corpus-${key}.json`);
}

/** The snapshot of `files`, if one is kept and every file stamps as it did when it was parsed. */
export function readCorpusSnapshot(
  options: CorpusSnapshotOptions,
  files: readonly string[],
  current: CorpusStamps,
): CorpusSnapshot | undefined {
  const stamps = current.files;
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(readFileSync(snapshotFile(options.directory, files), "utf8")) as Record<
      string,
      unknown
    >;
  } catch {
    return undefined;
  }
  const { format, version, stamps: keptStamps, sha256, ids, titles, texts } = value;
  if (format !== snapshotFormat || version !== snapshotVersion) return undefined;
  if (typeof sha256 !== "string" || !/^[0-9a-f]{64}$/.test(sha256)) return undefined;
  if (!Array.isArray(keptStamps) || keptStamps.length !== stamps.length) return undefined;
  for (const [index, kept] of keptStamps.entries()) {
    const current = stamps[index]?.stamp as FileStamp;
    if (typeof kept !== "object" || kept === null || !holdsFileStamp(kept)) return undefined;
    if (!sameFileStamp(kept as FileStamp, current)) return undefined;
  }
  if (!isStringArray(ids) || !isStringArray(titles) || !isStringArray(texts)) return undefined;
  if (ids.length === 0 || titles.length !== ids.length || texts.length !== ids.length) return undefined;
  const unique = new Set(ids);
  if (unique.size !== ids.length || unique.has("")) return undefined;
  const corpus = ids.map(
    (id, index): CorpusDocument => ({
      id,
      title: titles[index] as string,
      text: texts[index] as string,
    }),
  );
  return { corpus, ids: unique, sha256 };
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

/** Stamps the files before a snapshot is looked for or they are parsed (for `keepCorpusSnapshot` after). */
export function stampCorpusFiles(files: readonly string[]): CorpusStamps | undefined {
  const stamped = stampAll(files);
  return stamped === undefined ? undefined : { files: stamped, started: Date.now() };
}

/**
 * Keeps the corpus just parsed from `files` (whose bytes hash to `sha256`) for the next run, if the
 * files stamp as they did before the parsing, had settled by then, and are not too large. Best effort:
 * a folder that cannot be written only costs the next run a parse.
 */
export function keepCorpusSnapshot(
  options: CorpusSnapshotOptions,
  files: readonly string[],
  before: CorpusStamps,
  corpus: readonly CorpusDocument[],
  sha256: string,
): void {
  const settled = options.settledMilliseconds ?? settledMilliseconds;
  const after = stampAll(files);
  if (after === undefined || after.length !== before.files.length) return;
  for (const [index, stamp] of after.entries()) {
    const earlier = before.files[index] as CorpusStamps["files"][number];
    if (!sameFileStamp(earlier.stamp, stamp.stamp)) return;
    if (stamp.changedMilliseconds >= before.started - settled) return;
  }
  // Counted in characters, not file bytes: a gzipped corpus expands many times.
  let characters = 0;
  for (const document of corpus)
    characters += document.id.length + document.title.length + document.text.length;
  if (characters > (options.largestCorpusCharacters ?? largestCorpusCharacters)) return;
  let text: string;
  try {
    text = JSON.stringify({
      format: snapshotFormat,
      version: snapshotVersion,
      stamps: after.map(({ stamp }) => stamp),
      sha256,
      ids: corpus.map((document) => document.id),
      titles: corpus.map((document) => document.title),
      texts: corpus.map((document) => document.text),
    });
  } catch {
    // Out of memory for one string after all: the next run parses the corpus, as this one did.
    return;
  }
  writeFileWhole(options.directory, snapshotFile(options.directory, files), text);
}
