import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, readSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { crc32 } from "node:zlib";
import { keyBytes, openRegularFile, recordHeaderBytes, segmentHeaderBytes } from "./cache-segment-format.js";

/**
 * A segment's index, saved beside it as `<segment>.index`: the key, offset and payload length of every
 * verified record in the segment's first `coveredBytes`. Loading a namespace then reads a few bytes per
 * record instead of reading and checksumming every vector (a 300 MB segment of 100,000 records: 0.25 s
 * of a 3.5 s rerun; 3 GB: seconds). Records after `coveredBytes` (appended later) are scanned as before.
 *
 *   header (56 bytes): "EEVINDEX" | format version u32 | record count u32 | covered bytes f64 | namespace digest (32)
 *   record (44 bytes): key (32) | offset f64 | payload length u32
 *   trailer: crc32 of everything before it, u32
 *
 * The file is a hint, never trusted for data: every record it names is still verified when it is read
 * (magic, length, checksum, key, as after a scan), so a stale or planted index can cost a vector being
 * embedded again but never return a wrong one. One whose checksum, namespace or size does not agree is
 * ignored and the segment scanned whole. Written beside, then renamed into place.
 */
const indexMagic = Buffer.from("EEVINDEX", "latin1");
const indexFormatVersion = 1;
const indexHeaderBytes = 56;
const indexRecordBytes = keyBytes + 12;

/** Segments smaller than this are scanned each time: their scan is quick, an index file not worth it. */
export const indexSegmentsFromBytes = 4 * 1024 * 1024;

export interface SegmentIndexFile {
  /** The segment bytes the index describes, from its start: every verified record below is listed. */
  coveredBytes: number;
  /** The records, in columns: keys as base64 strings, as the cache's index keys them. */
  keys: string[];
  offsets: number[];
  payloadLengths: number[];
}

export function segmentIndexPath(segmentPath: string): string {
  return `${segmentPath}.index`;
}

/**
 * The index saved beside a segment, if there is one that agrees with the segment: same namespace,
 * covering no more than the segment holds now, every record within what it covers, checksum intact.
 */
export function readSegmentIndex(
  segmentPath: string,
  namespaceDigest: Uint8Array,
  segmentBytes: number,
): SegmentIndexFile | undefined {
  let descriptor: number | undefined;
  try {
    descriptor = openRegularFile(segmentIndexPath(segmentPath));
    if (descriptor === undefined) return undefined;
    const size = fstatSync(descriptor).size;
    // An index is far smaller than its segment: anything larger is not one.
    if (size < indexHeaderBytes + 4 || size > segmentBytes) return undefined;
    const bytes = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const count = readSync(descriptor, bytes, read, size - read, read);
      if (count === 0) return undefined;
      read += count;
    }
    if (!bytes.subarray(0, 8).equals(indexMagic)) return undefined;
    if (bytes.readUInt32LE(8) !== indexFormatVersion) return undefined;
    const count = bytes.readUInt32LE(12);
    const coveredBytes = bytes.readDoubleLE(16);
    if (size !== indexHeaderBytes + count * indexRecordBytes + 4) return undefined;
    if (crc32(new Uint8Array(bytes.buffer, bytes.byteOffset, size - 4)) !== bytes.readUInt32LE(size - 4)) {
      return undefined;
    }
    if (!bytes.subarray(24, 56).equals(Buffer.from(namespaceDigest))) return undefined;
    if (!Number.isInteger(coveredBytes) || coveredBytes < segmentHeaderBytes || coveredBytes > segmentBytes) {
      return undefined;
    }
    const keys: string[] = new Array(count);
    const offsets: number[] = new Array(count);
    const payloadLengths: number[] = new Array(count);
    for (let record = 0; record < count; record += 1) {
      const at = indexHeaderBytes + record * indexRecordBytes;
      const offset = bytes.readDoubleLE(at + keyBytes);
      const payloadLength = bytes.readUInt32LE(at + keyBytes + 8);
      if (
        !Number.isInteger(offset) ||
        offset < segmentHeaderBytes ||
        payloadLength < keyBytes ||
        offset + recordHeaderBytes + payloadLength > coveredBytes
      ) {
        return undefined;
      }
      keys[record] = bytes.toString("base64", at, at + keyBytes);
      offsets[record] = offset;
      payloadLengths[record] = payloadLength;
    }
    return { coveredBytes, keys, offsets, payloadLengths };
  } catch {
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/**
 * Saves a segment's index beside it. Best effort: a read-only cache folder, a full disk or a race
 * with another process writing the same index leaves the segment to be scanned next time, no worse.
 */
export function writeSegmentIndex(
  segmentPath: string,
  namespaceDigest: Uint8Array,
  index: SegmentIndexFile,
): void {
  const count = index.keys.length;
  const size = indexHeaderBytes + count * indexRecordBytes + 4;
  const bytes = Buffer.alloc(size);
  indexMagic.copy(bytes, 0);
  bytes.writeUInt32LE(indexFormatVersion, 8);
  bytes.writeUInt32LE(count, 12);
  bytes.writeDoubleLE(index.coveredBytes, 16);
  Buffer.from(namespaceDigest).copy(bytes, 24);
  for (let record = 0; record < count; record += 1) {
    const at = indexHeaderBytes + record * indexRecordBytes;
    bytes.write(index.keys[record] as string, at, keyBytes, "base64");
    bytes.writeDoubleLE(index.offsets[record] as number, at + keyBytes);
    bytes.writeUInt32LE(index.payloadLengths[record] as number, at + keyBytes + 8);
  }
  bytes.writeUInt32LE(crc32(new Uint8Array(bytes.buffer, bytes.byteOffset, size - 4)), size - 4);
  const path = segmentIndexPath(segmentPath);
  // Ends in .tmp: compaction removes one left by a killed process once it is old.
  const temporary = `${path}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  try {
    writeFileSync(temporary, bytes, { flag: "wx" });
    renameSync(temporary, path);
  } catch {
    try {
      unlinkSync(temporary);
    } catch {
      // Never created.
    }
  }
}
