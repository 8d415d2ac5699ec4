import { openSync, readSync } from "node:fs";
import type { CacheNamespace } from "./cache-namespace.js";
import { decodeRecord, type RecordLocation, recordHeaderBytes } from "./cache-segment-format.js";
import type { CacheCounters, LoadedNamespace, Segment } from "./loaded-namespace.js";
import { recordKey } from "./record-key.js";

/**
 * The cached vectors of `texts` in a loaded namespace, undefined where none is indexed. A record whose
 * bytes changed on disk since it was scanned is dropped from the index (so it is embedded again) and
 * counted as damaged.
 */
export function readRecords(
  loaded: LoadedNamespace,
  namespace: CacheNamespace,
  texts: readonly string[],
  counters: CacheCounters,
): (Float32Array | undefined)[] {
  const results: (Float32Array | undefined)[] = new Array(texts.length).fill(undefined);
  const wanted: { index: number; key: Buffer; segment: number; location: RecordLocation }[] = [];
  for (let index = 0; index < texts.length; index += 1) {
    const key = recordKey(namespace, texts[index] as string);
    const entry = loaded.index.get(key.toString("base64"));
    if (entry) wanted.push({ index, key, segment: entry.segment, location: entry.location });
  }
  // Read in file order and merge neighbouring records into one read: a full rerun reads each
  // segment in a few large sequential reads instead of one system call per vector.
  wanted.sort((left, right) => left.segment - right.segment || left.location.offset - right.location.offset);
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
    const buffer = readRange(segment, first.location.offset, rangeEnd - first.location.offset);
    for (let item = start; item < end; item += 1) {
      const hit = wanted[item] as (typeof wanted)[number];
      const vector = buffer ? decodeRecord(buffer, first.location.offset, hit.location, hit.key) : undefined;
      if (vector) {
        results[hit.index] = vector;
      } else {
        // Changed on disk since it was scanned: forget it so it is embedded again.
        loaded.index.delete(hit.key.toString("base64"));
        counters.damagedRecords += 1;
      }
    }
    start = end;
  }
  return results;
}

function readRange(segment: Segment, offset: number, length: number): Buffer | undefined {
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

function recordEnd(location: RecordLocation): number {
  return location.offset + recordHeaderBytes + location.payloadLength;
}
