import {
  appendFileSync,
  closeSync,
  existsSync,
  fdatasyncSync,
  fstatSync,
  mkdirSync,
  openSync,
  writeSync,
} from "node:fs";
import { join, resolve } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { type CacheClaim, type ClaimOptions, claimNamespace, touchClaim } from "./cache-claim.js";
import { compactSegments } from "./cache-compaction.js";
import type { CacheNamespace } from "./cache-namespace.js";
import { encodeRecords, keyBytes, recordHeaderBytes, segmentHeaderBytes } from "./cache-segment-format.js";
import { type EmbeddingCacheStats, measureSegmentBytes } from "./cache-stats.js";
import { type CacheCounters, describeError, type LoadedNamespace, type Segment } from "./loaded-namespace.js";
import { recordKey, recordKeyBytes } from "./record-key.js";
import { readWarnings, warningsFile } from "./recorded-warnings.js";
import { indexSegmentsFromBytes, writeSegmentIndex } from "./segment-index-file.js";
import { ReadScratch, readRecords, readRecordsInto } from "./segment-reads.js";
import { addNewSegments, rescanGrownSegments, segmentNames } from "./segment-scan.js";
import { writerFor } from "./segment-writer.js";

export type { CacheClaim, ClaimOptions } from "./cache-claim.js";
export { type EmbeddingCacheStats, formatCacheLine } from "./cache-stats.js";
export { recordKey } from "./record-key.js";

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

const layoutFolder = "embeddings-v1";

export class EmbeddingCache {
  readonly directory: string;
  private readonly namespaces = new Map<string, LoadedNamespace>();
  /** One reused buffer for the bulk reads of `readInto`. */
  private readonly readScratch = new ReadScratch();
  private readonly syncIntervalMilliseconds: number;
  private readonly compactAboveSegments: number;
  private readonly compactQuietMilliseconds: number;
  private lastSync = Date.now();
  private unsynced = false;
  private closed = false;
  private readonly counters: CacheCounters = {
    hits: 0,
    misses: 0,
    bytes: 0,
    damagedRecords: 0,
    ignoredFiles: 0,
  };

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
        `cannot create the embedding cache folder ${root}: ${describeError(error)}`,
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
    const entries = texts.map((text) => loaded.index.get(recordKey(namespace, text)));
    // The vectors are read later, maybe hours later: open every segment that answers now, so that
    // another run compacting the namespace meanwhile (it unlinks merged segments) cannot take them
    // away; an open file stays readable after it is unlinked. (Plain loops: a rerun asks for a few
    // hundred thousand texts here, before anything else can start.)
    const answering = new Set<number>();
    for (const entry of entries) if (entry !== undefined) answering.add(entry.segment);
    const unreadable = new Set<number>();
    for (const segmentIndex of answering) {
      const segment = loaded.segments[segmentIndex] as Segment;
      try {
        segment.descriptor ??= openSync(segment.path, "r");
      } catch {
        unreadable.add(segmentIndex);
      }
    }
    const dimensions: (number | undefined)[] = new Array(entries.length);
    let hits = 0;
    for (let index = 0; index < entries.length; index++) {
      const entry = entries[index];
      const found =
        entry === undefined || unreadable.has(entry.segment)
          ? undefined
          : (entry.payloadLength - keyBytes) / 4;
      const usable =
        found === undefined || (dimension !== undefined && found !== dimension) ? undefined : found;
      dimensions[index] = usable;
      if (usable !== undefined) hits++;
    }
    this.countLookups(hits, texts.length);
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
   * The cached vectors of `texts` written into `target`, row i at i × dimension, for the search streaming
   * a corpus from the cache (cacheDocumentSource): no object per vector. Returns the rows the cache
   * cannot give (none, another dimension, damaged since the scan). Not counted as hits or misses.
   */
  readInto(
    namespace: CacheNamespace,
    texts: readonly string[],
    target: Float32Array,
    dimension: number,
  ): number[] {
    this.assertOpen();
    return readRecordsInto(
      this.load(namespace),
      namespace,
      texts,
      target,
      dimension,
      this.counters,
      this.readScratch,
    );
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
    return readRecords(this.load(namespace), namespace, texts, this.counters);
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
    const writer = writerFor(loaded, this.counters);
    const keys = texts.map((text) => recordKey(namespace, text));
    const bytes = encodeRecords(keys.map(recordKeyBytes), vectors);
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
        `cannot write to the embedding cache ${writer.path}: ${describeError(error)}`,
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
      loaded.index.set(keys[index] as string, { segment: segmentIndex, offset, payloadLength });
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
    const keys = texts.map((text) => recordKey(namespace, text));
    writerFor(loaded, this.counters); // the namespace folder exists from here on
    const lines = warnings.map((warning) => `${JSON.stringify({ warning, keys })}\n`).join("");
    appendFileSync(join(loaded.folder, warningsFile), lines);
    readWarnings(loaded).push(...warnings.map((warning) => ({ warning, keys: new Set(keys) })));
  }

  /**
   * The recorded warnings that concern any of `texts`, each with how many calls raised it (the way
   * embedTexts counts a warning the provider raises now).
   */
  warningsFor(namespace: CacheNamespace, texts: readonly string[]): Map<string, number> {
    this.assertOpen();
    const counts = new Map<string, number>();
    const recorded = readWarnings(this.load(namespace));
    if (recorded.length === 0 || texts.length === 0) return counts;
    const wanted = new Set(texts.map((text) => recordKey(namespace, text)));
    for (const { warning, keys } of recorded) {
      for (const key of keys) {
        if (!wanted.has(key)) continue;
        counts.set(warning, (counts.get(warning) ?? 0) + 1);
        break;
      }
    }
    return counts;
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
    for (const loaded of this.namespaces.values()) saveWriterIndex(loaded);
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
      addNewSegments(loaded, this.counters);
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
    rescanGrownSegments(loaded, namespace);
    if (existsSync(loaded.folder)) addNewSegments(loaded, this.counters);
  }

  /**
   * Takes this namespace's embedding claim, waiting while another run holds it (see cache-claim.ts).
   * Release it when done embedding; then call `refresh` if it `waited`.
   */
  claim(namespace: CacheNamespace, options: ClaimOptions): Promise<CacheClaim> {
    this.assertOpen();
    return claimNamespace(join(this.directory, layoutFolder, namespace.id), options);
  }
}

/**
 * Saves the index of the segment this process wrote (when it is large enough to be worth one), so the
 * next run, here or on a runner that restores this cache folder, loads the namespace without reading
 * every vector back. Its records were all verified as they were written: they are listed as indexed.
 */
function saveWriterIndex(loaded: LoadedNamespace): void {
  const writer = loaded.writer;
  if (writer?.descriptor === undefined || !writer.writable) return;
  if (writer.size - segmentHeaderBytes < indexSegmentsFromBytes) return;
  try {
    // Merged away by another run's compaction: an index beside nothing would only be litter.
    if (fstatSync(writer.descriptor).nlink === 0) return;
  } catch {
    return;
  }
  const segmentIndex = loaded.segments.indexOf(writer);
  const records: { key: string; offset: number; payloadLength: number }[] = [];
  for (const [key, entry] of loaded.index) {
    if (entry.segment === segmentIndex)
      records.push({ key, offset: entry.offset, payloadLength: entry.payloadLength });
  }
  records.sort((left, right) => left.offset - right.offset);
  writeSegmentIndex(writer.path, loaded.namespace.digest, {
    coveredBytes: writer.size,
    keys: records.map((record) => record.key),
    offsets: records.map((record) => record.offset),
    payloadLengths: records.map((record) => record.payloadLength),
  });
}
