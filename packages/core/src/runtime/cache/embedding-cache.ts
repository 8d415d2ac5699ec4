import { hash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { type CacheClaim, type ClaimOptions, claimNamespace, touchClaim } from "./cache-claim.js";
import { compactSegments } from "./cache-compaction.js";
import type { CacheNamespace } from "./cache-namespace.js";
import {
  decodeRecord,
  encodeRecords,
  encodeSegmentHeader,
  keyBytes,
  openRegularFile,
  type RecordLocation,
  recordHeaderBytes,
  scanSegment,
  segmentHeaderBytes,
} from "./cache-segment-format.js";
import { type EmbeddingCacheStats, measureSegmentBytes } from "./cache-stats.js";

export type { CacheClaim, ClaimOptions } from "./cache-claim.js";
export { type EmbeddingCacheStats, formatCacheLine } from "./cache-stats.js";

/**
 * The on-disk embedding cache: content-addressed, one folder per namespace (provider, model, vector
 * options, input type), append-only segment files of checksummed float32 records.
 *
 * Layout: `<directory>/embeddings-v1/<namespace id>/namespace.json` (the description, for people) and
 * `<...>/<time>-<pid>-<random>.segment`. Each process appends to segments it created itself, so two runs
 * at once never write into the same file; each run reads every segment of a namespace when it first needs
 * that namespace, and keeps each segment open from then on, so another run's compaction (which unlinks
 * the segments it merged) never takes records away from it. Vectors are written as soon as a batch
 * arrives: a killed run loses only the batches that were still in flight. Damaged bytes are detected by
 * checksum and skipped. Runs that would embed into the same namespace at once take turns (`claim`), so
 * texts they share are paid for once.
 */
export interface EmbeddingCacheOptions {
  /**
   * When a namespace has more segment files than this (each run that embedded something adds one),
   * loading it first merges the segments nobody has written to for `compactQuietMilliseconds` into one.
   */
  compactAboveSegments?: number;
  /** How long a segment must have gone unwritten before it may be merged (10 minutes). */
  compactQuietMilliseconds?: number;
  /**
   * Longest time written records may stay only in the operating system's buffers before an fdatasync.
   * A killed process loses nothing written (the kernel has it); this bounds what a power loss can take.
   */
  syncIntervalMilliseconds?: number;
}

interface Segment {
  path: string;
  /** Open for reading (and for writing, when this process owns it). */
  descriptor: number | undefined;
  /** Set for the one segment per namespace this process appends to. */
  writable: boolean;
  size: number;
}

interface LoadedNamespace {
  namespace: CacheNamespace;
  folder: string;
  segments: Segment[];
  index: Map<string, { segment: number; location: RecordLocation }>;
  writer: Segment | undefined;
  /** The provider warnings recorded with the texts of the calls that raised them; read on first use. */
  warnings: { warning: string; keys: Set<string> }[] | undefined;
}

const layoutFolder = "embeddings-v1";
const warningsFile = "warnings.jsonl";

export class EmbeddingCache {
  readonly directory: string;
  private readonly namespaces = new Map<string, LoadedNamespace>();
  private readonly syncIntervalMilliseconds: number;
  private readonly compactAboveSegments: number;
  private readonly compactQuietMilliseconds: number;
  private lastSync = Date.now();
  private unsynced = false;
  private closed = false;
  private counters = { hits: 0, misses: 0, bytes: 0, damagedRecords: 0, ignoredFiles: 0 };

  private constructor(directory: string, options: EmbeddingCacheOptions) {
    this.directory = directory;
    this.syncIntervalMilliseconds = options.syncIntervalMilliseconds ?? 1000;
    this.compactAboveSegments = options.compactAboveSegments ?? 32;
    this.compactQuietMilliseconds = options.compactQuietMilliseconds ?? 10 * 60 * 1000;
  }

  /** Opens (creating when missing) the cache under `directory`. Namespaces load lazily on first use. */
  static async open(directory: string, options: EmbeddingCacheOptions = {}): Promise<EmbeddingCache> {
    const absolute = resolve(directory);
    const root = join(absolute, layoutFolder);
    try {
      mkdirSync(root, { recursive: true });
    } catch (error) {
      throw new EmbedEvalError(
        "cache",
        `cannot create the embedding cache folder ${root}: ${describe(error)}`,
        {
          cause: error,
          hint: "Point `cache.directory` in the config at a writable folder, or run with --no-cache.",
        },
      );
    }
    const cache = new EmbeddingCache(absolute, options);
    cache.counters.bytes = measureSegmentBytes(root);
    return cache;
  }

  /**
   * Cached vectors for `texts` in order; undefined where the cache has none (or only damaged bytes, or,
   * given `dimension`, a vector of another dimension, which the caller will embed again).
   */
  get(namespace: CacheNamespace, texts: readonly string[], dimension?: number): (Float32Array | undefined)[] {
    const results = this.lookup(namespace, texts);
    if (dimension !== undefined) {
      for (let index = 0; index < results.length; index += 1) {
        if (results[index] && results[index]?.length !== dimension) results[index] = undefined;
      }
    }
    this.countLookups(results.filter((result) => result !== undefined).length, texts.length);
    return results;
  }

  /**
   * The dimension of each text's cached vector, undefined where none is cached, without reading the
   * vectors: for a run that streams a large corpus from the cache instead of holding it
   * (embedTexts with keepVectors: false). Given `dimension`, one of another dimension counts as absent.
   * Counted as hits and misses, like `get`. A record damaged
   * since the scan is found when it is read (cacheDocumentSource then names it).
   */
  cachedDimensions(
    namespace: CacheNamespace,
    texts: readonly string[],
    dimension?: number,
  ): (number | undefined)[] {
    this.assertOpen();
    const loaded = this.load(namespace);
    const entries = texts.map((text) => loaded.index.get(recordKey(namespace, text).toString("base64")));
    // The vectors are read later, maybe hours later: open every segment that answers now, so that
    // another run compacting the namespace meanwhile (it unlinks merged segments) cannot take them
    // away; an open file stays readable after it is unlinked.
    const unreadable = new Set<number>();
    for (const segmentIndex of new Set(entries.flatMap((entry) => (entry ? [entry.segment] : [])))) {
      const segment = loaded.segments[segmentIndex] as Segment;
      try {
        segment.descriptor ??= openSync(segment.path, "r");
      } catch {
        unreadable.add(segmentIndex);
      }
    }
    const dimensions = entries.map((entry) => {
      if (entry === undefined || unreadable.has(entry.segment)) return undefined;
      const found = (entry.location.payloadLength - keyBytes) / 4;
      return dimension !== undefined && found !== dimension ? undefined : found;
    });
    this.countLookups(dimensions.filter((found) => found !== undefined).length, texts.length);
    return dimensions;
  }

  /**
   * The same vectors as `get`, read again for a later stage (the search streaming a corpus from the
   * cache, cacheDocumentSource): not counted as hits or misses, which describe what embedding paid for.
   */
  read(namespace: CacheNamespace, texts: readonly string[]): (Float32Array | undefined)[] {
    return this.lookup(namespace, texts);
  }

  /**
   * Takes back `count` misses: texts looked up again (after another run's claim, `refresh`) were
   * counted as misses the first time; the second lookup counts them as they are now.
   */
  forgetMisses(count: number): void {
    this.counters.misses -= count;
  }

  /** Hits and misses describe what embedding found: `get` and `cachedDimensions` count them. */
  private countLookups(hits: number, asked: number): void {
    this.counters.hits += hits;
    this.counters.misses += asked - hits;
  }

  private lookup(namespace: CacheNamespace, texts: readonly string[]): (Float32Array | undefined)[] {
    this.assertOpen();
    const loaded = this.load(namespace);
    const results: (Float32Array | undefined)[] = new Array(texts.length).fill(undefined);
    const wanted: { index: number; key: Buffer; segment: number; location: RecordLocation }[] = [];
    for (let index = 0; index < texts.length; index += 1) {
      const key = recordKey(namespace, texts[index] as string);
      const entry = loaded.index.get(key.toString("base64"));
      if (entry) wanted.push({ index, key, segment: entry.segment, location: entry.location });
    }
    // Read in file order and merge neighbouring records into one read: a full rerun reads each
    // segment in a few large sequential reads instead of one system call per vector.
    wanted.sort(
      (left, right) => left.segment - right.segment || left.location.offset - right.location.offset,
    );
    let start = 0;
    while (start < wanted.length) {
      const first = wanted[start] as (typeof wanted)[number];
      let end = start + 1;
      let rangeEnd = recordEnd(first.location);
      while (end < wanted.length) {
        const next = wanted[end] as (typeof wanted)[number];
        if (next.segment !== first.segment) break;
        if (
          next.location.offset - rangeEnd > 65_536 ||
          recordEnd(next.location) - first.location.offset > 16_777_216
        ) {
          break;
        }
        rangeEnd = Math.max(rangeEnd, recordEnd(next.location));
        end += 1;
      }
      const segment = loaded.segments[first.segment] as Segment;
      const buffer = this.readRange(segment, first.location.offset, rangeEnd - first.location.offset);
      for (let item = start; item < end; item += 1) {
        const hit = wanted[item] as (typeof wanted)[number];
        const vector = buffer
          ? decodeRecord(buffer, first.location.offset, hit.location, hit.key)
          : undefined;
        if (vector) {
          results[hit.index] = vector;
        } else {
          // Changed on disk since it was scanned: forget it so it is embedded again.
          loaded.index.delete(hit.key.toString("base64"));
          this.counters.damagedRecords += 1;
        }
      }
      start = end;
    }
    return results;
  }

  /**
   * Appends `vectors[i]` for `texts[i]`, in one write. When this returns, the bytes are in the kernel:
   * killing the process afterwards loses nothing.
   */
  put(namespace: CacheNamespace, texts: readonly string[], vectors: readonly Float32Array[]): void {
    this.assertOpen();
    if (texts.length !== vectors.length) {
      throw new EmbedEvalError("internal", `cache put: ${texts.length} texts but ${vectors.length} vectors`);
    }
    if (texts.length === 0) return;
    const loaded = this.load(namespace);
    const writer = this.writerFor(loaded);
    const keys = texts.map((text) => recordKey(namespace, text));
    const bytes = encodeRecords(keys, vectors);
    try {
      let written = 0;
      while (written < bytes.length) {
        written += writeSync(
          writer.descriptor as number,
          bytes,
          written,
          bytes.length - written,
          writer.size + written,
        );
      }
    } catch (error) {
      throw new EmbedEvalError(
        "cache",
        `cannot write to the embedding cache ${writer.path}: ${describe(error)}`,
        {
          cause: error,
          hint: "Free disk space or point `cache.directory` elsewhere; run with --no-cache to skip the cache.",
        },
      );
    }
    const segmentIndex = loaded.segments.indexOf(writer);
    let offset = writer.size;
    for (let index = 0; index < keys.length; index += 1) {
      const payloadLength = keyBytes + (vectors[index] as Float32Array).length * 4;
      loaded.index.set((keys[index] as Buffer).toString("base64"), {
        segment: segmentIndex,
        location: { offset, payloadLength },
      });
      offset += recordHeaderBytes + payloadLength;
    }
    writer.size += bytes.length;
    this.counters.bytes += bytes.length;
    touchClaim(loaded.folder);
    this.unsynced = true;
    if (Date.now() - this.lastSync >= this.syncIntervalMilliseconds) this.flush();
  }

  /**
   * Records the warnings a provider raised for one call (texts cut to length, ...) with the call's
   * texts, in `warnings.jsonl` beside the segments: a rerun that finds those texts here reports the same
   * warnings, so a result file says the same whether its vectors were paid for now or before. One line
   * per call, appended in one write; a torn line is skipped when read.
   */
  putWarnings(namespace: CacheNamespace, texts: readonly string[], warnings: readonly string[]): void {
    this.assertOpen();
    if (warnings.length === 0 || texts.length === 0) return;
    const loaded = this.load(namespace);
    const keys = texts.map((text) => recordKey(namespace, text).toString("base64"));
    this.writerFor(loaded); // the namespace folder exists from here on
    const lines = warnings.map((warning) => `${JSON.stringify({ warning, keys })}\n`).join("");
    appendFileSync(join(loaded.folder, warningsFile), lines);
    this.readWarnings(loaded).push(...warnings.map((warning) => ({ warning, keys: new Set(keys) })));
  }

  /**
   * The recorded warnings that concern any of `texts`, each with how many calls raised it (the way
   * embedTexts counts a warning the provider raises now).
   */
  warningsFor(namespace: CacheNamespace, texts: readonly string[]): Map<string, number> {
    this.assertOpen();
    const counts = new Map<string, number>();
    const recorded = this.readWarnings(this.load(namespace));
    if (recorded.length === 0 || texts.length === 0) return counts;
    const wanted = new Set(texts.map((text) => recordKey(namespace, text).toString("base64")));
    for (const { warning, keys } of recorded) {
      for (const key of keys) {
        if (!wanted.has(key)) continue;
        counts.set(warning, (counts.get(warning) ?? 0) + 1);
        break;
      }
    }
    return counts;
  }

  private readWarnings(loaded: LoadedNamespace): { warning: string; keys: Set<string> }[] {
    if (loaded.warnings) return loaded.warnings;
    loaded.warnings = [];
    let text = "";
    try {
      const descriptor = openRegularFile(join(loaded.folder, warningsFile));
      if (descriptor === undefined) return loaded.warnings;
      try {
        text = readFileSync(descriptor, "utf8");
      } finally {
        closeSync(descriptor);
      }
    } catch {
      return loaded.warnings; // none recorded yet
    }
    for (const line of text.split("\n")) {
      if (line === "") continue;
      try {
        const entry = JSON.parse(line) as { warning?: unknown; keys?: unknown };
        if (typeof entry.warning === "string" && Array.isArray(entry.keys)) {
          const keys = entry.keys.filter((key): key is string => typeof key === "string");
          loaded.warnings.push({ warning: entry.warning, keys: new Set(keys) });
        }
      } catch {
        // A line torn by a killed run: the warning is lost, the vectors are not.
      }
    }
    return loaded.warnings;
  }

  /** Forces written records to stable storage (fdatasync). Called at the end of every run and on cancel. */
  flush(): void {
    if (!this.unsynced) return;
    for (const loaded of this.namespaces.values()) {
      if (loaded.writer?.descriptor !== undefined) fdatasyncSync(loaded.writer.descriptor);
    }
    this.unsynced = false;
    this.lastSync = Date.now();
  }

  stats(): EmbeddingCacheStats {
    let entries = 0;
    for (const loaded of this.namespaces.values()) entries += loaded.index.size;
    return { ...this.counters, entries };
  }

  /** Flushes and releases file descriptors. The cache cannot be used afterwards. */
  close(): void {
    if (this.closed) return;
    this.flush();
    for (const loaded of this.namespaces.values()) {
      for (const segment of loaded.segments) {
        if (segment.descriptor !== undefined) closeSync(segment.descriptor);
        segment.descriptor = undefined;
      }
    }
    this.namespaces.clear();
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new EmbedEvalError("internal", "the embedding cache was used after close()");
  }

  private load(namespace: CacheNamespace): LoadedNamespace {
    const existing = this.namespaces.get(namespace.id);
    if (existing) return existing;
    const folder = join(this.directory, layoutFolder, namespace.id);
    const loaded: LoadedNamespace = {
      namespace,
      folder,
      segments: [],
      index: new Map(),
      writer: undefined,
      warnings: undefined,
    };
    if (existsSync(folder)) {
      const names = segmentNames(folder);
      if (names.length > this.compactAboveSegments) {
        if (compactSegments(folder, namespace, names, this.compactQuietMilliseconds)) {
          this.counters.bytes = measureSegmentBytes(join(this.directory, layoutFolder));
        }
      }
      this.addNewSegments(loaded);
    }
    this.namespaces.set(namespace.id, loaded);
    return loaded;
  }

  /**
   * Reads the segments written since the namespace was loaded (by other runs): after waiting for another
   * run's claim, what it embedded meanwhile is found here instead of being paid for again.
   */
  refresh(namespace: CacheNamespace): void {
    this.assertOpen();
    const loaded = this.namespaces.get(namespace.id);
    if (!loaded) return;
    // Segments of other runs that grew since they were scanned (they were still writing) are read again.
    loaded.segments.forEach((segment, segmentIndex) => {
      if (segment.writable || segment.descriptor === undefined) return;
      try {
        if (fstatSync(segment.descriptor).size <= segment.size) return;
        const scan = scanSegment(segment.descriptor, namespace.digest, (key, location) =>
          loaded.index.set(key, { segment: segmentIndex, location }),
        );
        if (scan.valid) segment.size = scan.size;
      } catch {
        // Unreadable now: what was indexed before is still read (or found damaged) as it was.
      }
    });
    if (existsSync(loaded.folder)) this.addNewSegments(loaded);
  }

  /**
   * Takes this namespace's embedding claim, waiting while another run holds it (see cache-claim.ts).
   * Release it when done embedding; then call `refresh` if it `waited`.
   */
  claim(namespace: CacheNamespace, options: ClaimOptions): Promise<CacheClaim> {
    this.assertOpen();
    return claimNamespace(join(this.directory, layoutFolder, namespace.id), options);
  }

  /**
   * Scans and indexes every segment file of the folder not yet known. Each is kept open from the scan
   * on. A file listed but gone when opened was merged by another run's compaction, which renames its
   * merged segment into place before unlinking the old ones: listing again then finds the merged one
   * (a reader that listed before the rename and opened after the unlink would otherwise lose them all).
   */
  private addNewSegments(loaded: LoadedNamespace): void {
    const known = new Set(loaded.segments.map((segment) => segment.path));
    for (let listing = 0; listing < 5; listing += 1) {
      let vanished = false;
      for (const name of segmentNames(loaded.folder)) {
        const path = join(loaded.folder, name);
        if (known.has(path)) continue;
        known.add(path);
        let descriptor: number | undefined;
        try {
          descriptor = openRegularFile(path);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === "ENOENT") vanished = true;
          else this.counters.ignoredFiles += 1; // unreadable (permissions): treat as absent
          continue;
        }
        if (descriptor === undefined) {
          this.counters.ignoredFiles += 1; // a FIFO, a folder, a device: not ours
          continue;
        }
        const segmentIndex = loaded.segments.length;
        try {
          const found: [string, RecordLocation][] = [];
          const scan = scanSegment(descriptor, loaded.namespace.digest, (key, location) =>
            found.push([key, location]),
          );
          if (!scan.valid) {
            closeSync(descriptor);
            this.counters.ignoredFiles += 1;
            continue;
          }
          // Indexed only once the whole file scanned cleanly, so a read error midway adds nothing.
          for (const [key, location] of found) loaded.index.set(key, { segment: segmentIndex, location });
          this.counters.damagedRecords += scan.damagedRecords;
          loaded.segments.push({ path, descriptor, writable: false, size: scan.size });
        } catch {
          closeSync(descriptor);
          this.counters.ignoredFiles += 1;
        }
      }
      if (!vanished) return;
    }
  }

  private writerFor(loaded: LoadedNamespace): Segment {
    // Another process's compaction may have merged and removed our segment while we sat idle for
    // longer than the quiet period: appending to the unlinked file would lose the records.
    if (loaded.writer && fstatSync(loaded.writer.descriptor as number).nlink > 0) return loaded.writer;
    if (loaded.writer) loaded.writer.writable = false;
    try {
      if (!existsSync(loaded.folder)) mkdirSync(loaded.folder, { recursive: true });
      const description = join(loaded.folder, "namespace.json");
      if (!existsSync(description)) {
        // Written beside, then renamed: a reader never sees half a description.
        const temporary = `${description}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
        writeFileSync(temporary, `${JSON.stringify(loaded.namespace.description, null, 2)}\n`);
        renameSync(temporary, description);
      }
      const name = `${Date.now().toString().padStart(14, "0")}-${process.pid}-${randomBytes(4).toString("hex")}.segment`;
      const path = join(loaded.folder, name);
      // "wx+": created by us alone (O_EXCL), readable back for lookups in the same run.
      const descriptor = openSync(path, "wx+");
      const header = encodeSegmentHeader(loaded.namespace.digest);
      writeSync(descriptor, header, 0, header.length, 0);
      const segment: Segment = { path, descriptor, writable: true, size: segmentHeaderBytes };
      loaded.segments.push(segment);
      loaded.writer = segment;
      this.counters.bytes += segmentHeaderBytes;
      return segment;
    } catch (error) {
      throw new EmbedEvalError("cache", `cannot create a segment in ${loaded.folder}: ${describe(error)}`, {
        cause: error,
        hint: "Point `cache.directory` in the config at a writable folder, or run with --no-cache.",
      });
    }
  }

  private readRange(segment: Segment, offset: number, length: number): Buffer | undefined {
    try {
      if (segment.descriptor === undefined) segment.descriptor = openSync(segment.path, "r");
      // Its own ArrayBuffer at offset 0, so float data (4-aligned in the file) is 4-aligned here too
      // and vectors can be views of it instead of copies.
      const buffer = Buffer.from(new ArrayBuffer(length));
      let read = 0;
      while (read < length) {
        const count = readSync(segment.descriptor, buffer, read, length - read, offset + read);
        if (count === 0) return undefined;
        read += count;
      }
      return buffer;
    } catch {
      return undefined;
    }
  }
}

/**
 * The record key: sha256 of the namespace id, a newline and the exact text (UTF-8). One-shot
 * `crypto.hash` is about three times faster than createHash for short inputs, which matters when a
 * rerun looks up a few hundred thousand texts.
 */
export function recordKey(namespace: CacheNamespace, text: string): Buffer {
  return hash("sha256", `${namespace.id}\n${text}`, "buffer");
}

function segmentNames(folder: string): string[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith(".segment"))
    .sort();
}

function recordEnd(location: RecordLocation): number {
  return location.offset + recordHeaderBytes + location.payloadLength;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
