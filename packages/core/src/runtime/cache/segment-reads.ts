import { openSync, readSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { CacheNamespace } from "./cache-namespace.js";
import {
  decodeRecord,
  hostIsLittleEndian,
  keyBytes,
  type RecordLocation,
  recordHeaderBytes,
  recordMagic,
} from "./cache-segment-format.js";
import type { CacheCounters, LoadedNamespace, Segment } from "./loaded-namespace.js";
import { recordKey, recordKeyBytes } from "./record-key.js";

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
  const wanted: { index: number; key: string; segment: number; location: RecordLocation }[] = [];
  for (let index = 0; index < texts.length; index += 1) {
    const key = recordKey(namespace, texts[index] as string);
    const entry = loaded.index.get(key);
    if (entry) wanted.push({ index, key, segment: entry.segment, location: entry });
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
      const vector = buffer
        ? decodeRecord(buffer, first.location.offset, hit.location, recordKeyBytes(hit.key))
        : undefined;
      if (vector) {
        results[hit.index] = vector;
      } else {
        // Changed on disk since it was scanned: forget it so it is embedded again.
        loaded.index.delete(hit.key);
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

/**
 * Largest single read of `readRecordsInto`; neighbouring records are read together up to this. Small
 * reads cost no more than large ones (100,000 records of 768 dimensions, measured alone: 295 ms in 1 MiB
 * reads, 310 ms in 16 MiB ones), and 2 MiB keeps 14 MiB of scratch out of the run's peak memory, which
 * the search's chunk uses instead.
 */
const rangeBytesAtMost = 2 * 1024 * 1024;

/**
 * The buffer bulk reads go through, kept from one read to the next: a fresh 16 MB ArrayBuffer per read
 * costs its pages being zeroed and faulted in, which made reading a cached corpus six times slower than
 * the copy itself (312 MB: 0.6 s fresh, 0.03-0.1 s reused, from the page cache on the 2-core machine).
 */
export class ReadScratch {
  private buffer: Buffer | undefined;

  /** A buffer of at least `bytes`, at offset 0 of its own ArrayBuffer (so float data stays 4-aligned). */
  take(bytes: number): Buffer {
    if (this.buffer === undefined || this.buffer.length < bytes) {
      this.buffer = Buffer.from(new ArrayBuffer(bytes));
    }
    return this.buffer;
  }
}

/**
 * The cached vectors of `texts` written straight into `target` (row i at i × dimension): the bulk read
 * of a corpus streamed from the cache (cacheDocumentSource). Each record is verified as `readRecords`
 * verifies it (magic, length, checksum, key), but no object is made per vector: the records are read
 * in file order, in large reads into one scratch buffer, and copied into place. Returns the rows that
 * have no usable record (none indexed, another dimension, or damaged since the scan: those are dropped
 * from the index and counted, like `readRecords` does).
 */
export function readRecordsInto(
  loaded: LoadedNamespace,
  namespace: CacheNamespace,
  texts: readonly string[],
  target: Float32Array,
  dimension: number,
  counters: CacheCounters,
  readScratch: ReadScratch,
): number[] {
  const payloadLength = keyBytes + dimension * 4;
  const recordBytes = recordHeaderBytes + payloadLength;
  const missing: number[] = [];
  const keys: string[] = new Array(texts.length);
  const segments = new Int32Array(texts.length);
  const offsets = new Float64Array(texts.length);
  let found = 0;
  const order = new Int32Array(texts.length);
  let sorted = true;
  for (let row = 0; row < texts.length; row += 1) {
    const key = recordKey(namespace, texts[row] as string);
    const entry = loaded.index.get(key);
    if (entry === undefined || entry.payloadLength !== payloadLength) {
      missing.push(row);
      continue;
    }
    keys[row] = key;
    segments[row] = entry.segment;
    offsets[row] = entry.offset;
    if (found > 0) {
      const previous = order[found - 1] as number;
      if (
        entry.segment < (segments[previous] as number) ||
        (entry.segment === segments[previous] && entry.offset < (offsets[previous] as number))
      ) {
        sorted = false;
      }
    }
    order[found] = row;
    found += 1;
  }
  // A corpus cached in one run is usually in file order already; otherwise sort by file position.
  const rows = order.subarray(0, found);
  if (!sorted) {
    rows.sort(
      (left, right) =>
        (segments[left] as number) - (segments[right] as number) ||
        (offsets[left] as number) - (offsets[right] as number),
    );
  }
  const scratch = readScratch.take(Math.min(rangeBytesAtMost, Math.max(recordBytes, found * recordBytes)));
  let start = 0;
  while (start < found) {
    const first = rows[start] as number;
    const segmentIndex = segments[first] as number;
    const rangeStart = offsets[first] as number;
    let rangeEnd = rangeStart + recordBytes;
    let end = start + 1;
    while (end < found) {
      const next = rows[end] as number;
      const nextOffset = offsets[next] as number;
      if (segments[next] !== segmentIndex || nextOffset < rangeEnd) break;
      if (nextOffset - rangeEnd > 65_536 || nextOffset + recordBytes - rangeStart > scratch.length) break;
      rangeEnd = nextOffset + recordBytes;
      end += 1;
    }
    const segment = loaded.segments[segmentIndex] as Segment;
    const read = readRangeInto(segment, rangeStart, rangeEnd - rangeStart, scratch);
    for (let item = start; item < end; item += 1) {
      const row = rows[item] as number;
      const local = (offsets[row] as number) - rangeStart;
      const payloadStart = local + recordHeaderBytes;
      const valid =
        read &&
        scratch.readUInt32LE(local) === recordMagic &&
        scratch.readUInt32LE(local + 4) === payloadLength &&
        // Views, not Buffer.subarray: a view costs a third as much, 100,000 times per corpus.
        crc32(new Uint8Array(scratch.buffer, payloadStart, payloadLength)) ===
          scratch.readUInt32LE(local + 8) &&
        scratch.toString("base64", payloadStart, payloadStart + keyBytes) === keys[row];
      if (!valid) {
        // Changed on disk since it was scanned: forget it so it is embedded again.
        loaded.index.delete(keys[row] as string);
        counters.damagedRecords += 1;
        missing.push(row);
        continue;
      }
      const floatsAt = payloadStart + keyBytes;
      if (hostIsLittleEndian && floatsAt % 4 === 0) {
        target.set(new Float32Array(scratch.buffer, floatsAt, dimension), row * dimension);
      } else {
        for (let value = 0; value < dimension; value += 1) {
          target[row * dimension + value] = scratch.readFloatLE(floatsAt + value * 4);
        }
      }
    }
    start = end;
  }
  return missing.sort((left, right) => left - right);
}

function readRangeInto(segment: Segment, offset: number, length: number, buffer: Buffer): boolean {
  try {
    if (segment.descriptor === undefined) segment.descriptor = openSync(segment.path, "r");
    let read = 0;
    while (read < length) {
      const count = readSync(segment.descriptor, buffer, read, length - read, offset + read);
      if (count === 0) return false;
      read += count;
    }
    return true;
  } catch {
    return false;
  }
}
