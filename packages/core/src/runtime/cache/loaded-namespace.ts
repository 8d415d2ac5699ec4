import type { CacheNamespace } from "./cache-namespace.js";
import type { RecordLocation } from "./cache-segment-format.js";

/** One segment file of a namespace, as this process holds it. */
export interface Segment {
  path: string;
  /** Open for reading (and for writing, when this process owns it). */
  descriptor: number | undefined;
  /** Set for the one segment per namespace this process appends to. */
  writable: boolean;
  size: number;
}

/** Where a record of the index lives: its segment (an index into `segments`) and its place in it. */
export interface IndexEntry extends RecordLocation {
  segment: number;
}

/** A namespace this process has read: its segments and the index of every record found in them. */
export interface LoadedNamespace {
  namespace: CacheNamespace;
  folder: string;
  segments: Segment[];
  index: Map<string, IndexEntry>;
  writer: Segment | undefined;
  /** The provider warnings recorded with the texts of the calls that raised them; read on first use. */
  warnings: { warning: string; keys: Set<string> }[] | undefined;
}

/** What the cache counts for its stats (EmbeddingCacheStats without `entries`). */
export interface CacheCounters {
  hits: number;
  misses: number;
  bytes: number;
  damagedRecords: number;
  ignoredFiles: number;
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
