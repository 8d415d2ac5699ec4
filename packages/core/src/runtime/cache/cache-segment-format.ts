import { closeSync, constants, fstatSync, openSync, readSync } from "node:fs";
import { endianness } from "node:os";
import { crc32 } from "node:zlib";

/**
 * The on-disk layout of one cache segment file. A segment belongs to one namespace and is written by
 * one process only (append-only), so concurrent runs never interleave bytes in the same file.
 *
 *   header (48 bytes): "EEVCACHE" | format version u32 | reserved u32 | namespace digest (32 bytes)
 *   record:            magic u32 "EEVR" | payload length u32 | crc32(payload) u32 | payload
 *   payload:           key (32 bytes, sha256 of namespace id, newline, text) | float32 values, little-endian
 *
 * Every length is a multiple of 4, so records stay 4-byte aligned and a reader that meets a damaged
 * record can resynchronise by scanning for the next magic at 4-byte steps. A record is trusted only when
 * its magic, length and checksum all agree: a torn tail (a killed writer) or flipped bytes are skipped,
 * never returned as a vector.
 */
export const segmentHeaderBytes = 48;
export const recordHeaderBytes = 12;
export const keyBytes = 32;
export const segmentFormatVersion = 1;
const segmentMagic = Buffer.from("EEVCACHE", "latin1");
export const recordMagic = 0x52564545; // "EEVR" read as a little-endian u32
/** Larger than any real embedding (4 MB of payload = one million float32 values). */
const maxPayloadBytes = keyBytes + 4 * 1_048_576;
export const hostIsLittleEndian = endianness() === "LE";

export function encodeSegmentHeader(namespaceDigest: Uint8Array): Buffer {
  const header = Buffer.alloc(segmentHeaderBytes);
  segmentMagic.copy(header, 0);
  header.writeUInt32LE(segmentFormatVersion, 8);
  header.writeUInt32LE(0, 12);
  Buffer.from(namespaceDigest).copy(header, 16);
  return header;
}

/** True when `header` is a segment header of this format for this namespace. */
export function isSegmentHeaderFor(header: Buffer, namespaceDigest: Uint8Array): boolean {
  if (header.length < segmentHeaderBytes) return false;
  if (!header.subarray(0, 8).equals(segmentMagic)) return false;
  if (header.readUInt32LE(8) !== segmentFormatVersion) return false;
  return header.subarray(16, 48).equals(Buffer.from(namespaceDigest));
}

/** Encodes records for `keys[i]` -> `vectors[i]` into one buffer, written with one system call. */
export function encodeRecords(keys: readonly Uint8Array[], vectors: readonly Float32Array[]): Buffer {
  let total = 0;
  for (const vector of vectors) total += recordHeaderBytes + keyBytes + vector.length * 4;
  const output = Buffer.allocUnsafe(total);
  let offset = 0;
  for (let index = 0; index < keys.length; index += 1) {
    const key = keys[index] as Uint8Array;
    const vector = vectors[index] as Float32Array;
    const payloadLength = keyBytes + vector.length * 4;
    const payloadStart = offset + recordHeaderBytes;
    output.set(key, payloadStart);
    if (hostIsLittleEndian) {
      output.set(
        new Uint8Array(vector.buffer, vector.byteOffset, vector.length * 4),
        payloadStart + keyBytes,
      );
    } else {
      for (let value = 0; value < vector.length; value += 1) {
        output.writeFloatLE(vector[value] as number, payloadStart + keyBytes + value * 4);
      }
    }
    output.writeUInt32LE(recordMagic, offset);
    output.writeUInt32LE(payloadLength, offset + 4);
    output.writeUInt32LE(crc32(output.subarray(payloadStart, payloadStart + payloadLength)), offset + 8);
    offset = payloadStart + payloadLength;
  }
  return output;
}

/** Where a verified record lives: the file offset of its record header and its payload length. */
export interface RecordLocation {
  offset: number;
  payloadLength: number;
}

export interface SegmentScan {
  /** False when the header is missing, foreign or of another namespace: the whole file is ignored. */
  valid: boolean;
  /** Bytes that did not form a verified record (torn tails, corruption). */
  ignoredBytes: number;
  /** Damaged or torn records skipped. */
  damagedRecords: number;
  /** Byte length of the file when scanned. */
  size: number;
  /**
   * Where the last verified record ends (where the scan began, if it verified none): an index of the
   * segment may cover up to here, but not a torn tail beyond it, which a live writer may yet complete.
   */
  verifiedEnd: number;
}

/**
 * Opens a file for reading only if it is a regular file; undefined otherwise. Opened non-blocking, so
 * a FIFO (or a device) planted in the cache folder is seen for what it is instead of hanging the run
 * in a synchronous open that Ctrl-C cannot interrupt. Non-blocking changes nothing for regular files.
 */
export function openRegularFile(path: string): number | undefined {
  const descriptor = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  if (fstatSync(descriptor).isFile()) return descriptor;
  closeSync(descriptor);
  return undefined;
}

/**
 * Reads a segment sequentially in large chunks, verifies every record's checksum, and reports each good
 * record's key (as a base64 string), offset and payload length (numbers, not an object: a scan reports
 * every record of every segment, and a 100,000-record segment's objects cost the garbage collector more
 * than its checksums). Memory stays at one chunk however big the file is.
 * `source` is a path, or a descriptor the caller opened (and keeps: it is not closed here). Anything but
 * a regular file is invalid. `from` skips the records before that offset (a saved index lists them).
 */
export function scanSegment(
  source: string | number,
  namespaceDigest: Uint8Array,
  onRecord: (key: string, offset: number, payloadLength: number) => void,
  from = segmentHeaderBytes,
): SegmentScan {
  const descriptor = typeof source === "number" ? source : openRegularFile(source);
  if (descriptor === undefined) {
    return { valid: false, ignoredBytes: 0, damagedRecords: 0, size: 0, verifiedEnd: 0 };
  }
  try {
    const size = fstatSync(descriptor).size;
    const header = Buffer.alloc(segmentHeaderBytes);
    const headerRead = readSync(descriptor, header, 0, segmentHeaderBytes, 0);
    if (headerRead < segmentHeaderBytes || !isSegmentHeaderFor(header, namespaceDigest)) {
      return { valid: false, ignoredBytes: size, damagedRecords: 0, size, verifiedEnd: 0 };
    }
    let chunk = Buffer.allocUnsafe(8 * 1024 * 1024);
    let chunkStart = from; // file offset of chunk[0]
    let chunkLength = 0;
    let position = from; // file offset of the next record to parse
    let verifiedEnd = from;
    let ignoredBytes = 0;
    let damagedRecords = 0;
    let inDamage = false;

    /** Makes bytes [position, position + needed) available in the chunk; false at end of file. */
    const ensure = (needed: number): boolean => {
      const available = chunkStart + chunkLength - position;
      if (available >= needed) return true;
      if (position + needed > size) return false;
      if (needed > chunk.length) {
        const larger = Buffer.allocUnsafe(Math.max(needed, chunk.length * 2));
        chunk.copy(larger, 0, position - chunkStart, chunkStart + chunkLength - chunkStart);
        chunk = larger;
      } else {
        chunk.copy(chunk, 0, position - chunkStart, chunkLength);
      }
      chunkLength = Math.max(0, available);
      chunkStart = position;
      while (chunkLength < needed) {
        const read = readSync(
          descriptor,
          chunk,
          chunkLength,
          chunk.length - chunkLength,
          chunkStart + chunkLength,
        );
        if (read === 0) return false;
        chunkLength += read;
      }
      return true;
    };
    const markDamaged = (): void => {
      if (!inDamage) damagedRecords += 1;
      inDamage = true;
      ignoredBytes += 4;
      position += 4;
    };

    while (position < size) {
      if (!ensure(recordHeaderBytes)) break;
      const local = position - chunkStart;
      const magic = chunk.readUInt32LE(local);
      const payloadLength = chunk.readUInt32LE(local + 4);
      if (
        magic !== recordMagic ||
        payloadLength < keyBytes ||
        payloadLength > maxPayloadBytes ||
        payloadLength % 4 !== 0
      ) {
        markDamaged();
        continue;
      }
      // Past the end of the file: a torn tail (the writer died mid-record) or a damaged length field.
      // Both are skipped the same way, by looking for the next record further on.
      if (!ensure(recordHeaderBytes + payloadLength)) {
        markDamaged();
        continue;
      }
      const start = position - chunkStart + recordHeaderBytes;
      const checksum = chunk.readUInt32LE(position - chunkStart + 8);
      // A view, not Buffer.subarray: a third of the cost, once per record of every segment scanned.
      if (crc32(new Uint8Array(chunk.buffer, chunk.byteOffset + start, payloadLength)) !== checksum) {
        markDamaged();
        continue;
      }
      inDamage = false;
      onRecord(chunk.toString("base64", start, start + keyBytes), position, payloadLength);
      position += recordHeaderBytes + payloadLength;
      verifiedEnd = position;
    }
    if (position < size) {
      ignoredBytes += size - position;
      if (!inDamage) damagedRecords += 1;
    }
    return { valid: true, ignoredBytes, damagedRecords, size, verifiedEnd };
  } finally {
    if (typeof source !== "number") closeSync(descriptor);
  }
}

/**
 * Decodes and re-verifies one record from `buffer` (which holds file bytes starting at `bufferOffset`).
 * Returns undefined when the bytes changed since the scan, so a file damaged under a running process is
 * still never trusted.
 */
export function decodeRecord(
  buffer: Buffer,
  bufferOffset: number,
  location: RecordLocation,
  expectedKey: Uint8Array,
): Float32Array | undefined {
  const local = location.offset - bufferOffset;
  if (local < 0 || local + recordHeaderBytes + location.payloadLength > buffer.length) return undefined;
  if (buffer.readUInt32LE(local) !== recordMagic) return undefined;
  if (buffer.readUInt32LE(local + 4) !== location.payloadLength) return undefined;
  const start = local + recordHeaderBytes;
  const payload = buffer.subarray(start, start + location.payloadLength);
  if (crc32(payload) !== buffer.readUInt32LE(local + 8)) return undefined;
  if (!payload.subarray(0, keyBytes).equals(expectedKey)) return undefined;
  const dimension = (location.payloadLength - keyBytes) / 4;
  const floatsAt = buffer.byteOffset + start + keyBytes;
  // A view, not a copy, when the bytes are aligned: a rerun of 100,000 vectors then allocates a few
  // large buffers instead of 100,000 small ones (the garbage collector's time halves the lookup).
  if (hostIsLittleEndian && floatsAt % 4 === 0) return new Float32Array(buffer.buffer, floatsAt, dimension);
  const vector = new Float32Array(dimension);
  if (hostIsLittleEndian) {
    new Uint8Array(vector.buffer).set(payload.subarray(keyBytes));
  } else {
    for (let value = 0; value < dimension; value += 1)
      vector[value] = payload.readFloatLE(keyBytes + value * 4);
  }
  return vector;
}
