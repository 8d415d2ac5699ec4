/**
 * A disk-backed matrix of float32 vectors, for corpora too large to hold in JavaScript memory.
 *
 * Layout (all little-endian):
 *   bytes 0..7    magic "EEVECF32"
 *   bytes 8..11   format version (uint32) = 1
 *   bytes 12..15  dimension (uint32)
 *   bytes 16..19  state (uint32): 0 while being written, 1 once the writer closed it
 *   bytes 24..31  row count (uint64)
 *   bytes 32..63  reserved, zero
 *   bytes 64..    rows × dimension float32 values, row-major
 * The 64-byte header keeps the data aligned for Float32Array views. A writer appends rows to
 * `<path>.partial` and renames it to `<path>` only after writing the final header and syncing, so a
 * crash leaves no file under the final name; a file that was cut short anyway (copied while written,
 * truncated disk) is caught on open by the state flag and the size check.
 */

import type { FileHandle } from "node:fs/promises";
import { open, rename, rm } from "node:fs/promises";
import { endianness } from "node:os";
import { DatasetError, UsageError } from "@embedeval/provider-contract";
import type { DocumentChunk, DocumentSource } from "./document-source.js";

const magic = "EEVECF32";
const formatVersion = 1;
const headerBytes = 64;
const stateWriting = 0;
const stateComplete = 1;

function requireLittleEndianHost(): void {
  // Rows are read straight into Float32Array views, which use the host byte order.
  if (endianness() !== "LE") {
    throw new UsageError("Vector files are little-endian and this machine is big-endian.", {
      hint: "Run embedeval on a little-endian machine (x86-64, arm64).",
    });
  }
}

function encodeHeader(dimension: number, rows: number, state: number): Buffer {
  const header = Buffer.alloc(headerBytes);
  header.write(magic, 0, "latin1");
  header.writeUInt32LE(formatVersion, 8);
  header.writeUInt32LE(dimension, 12);
  header.writeUInt32LE(state, 16);
  header.writeBigUInt64LE(BigInt(rows), 24);
  return header;
}

/** Appends vectors to a new vector file; `close()` makes it visible under its final name. */
export class VectorFileWriter {
  readonly path: string;
  readonly dimension: number;
  private readonly handle: FileHandle;
  private rowsWritten = 0;
  private closed = false;

  private constructor(path: string, dimension: number, handle: FileHandle) {
    this.path = path;
    this.dimension = dimension;
    this.handle = handle;
  }

  static async create(path: string, dimension: number): Promise<VectorFileWriter> {
    requireLittleEndianHost();
    if (!Number.isInteger(dimension) || dimension <= 0 || dimension > 0xffffffff) {
      throw new UsageError(`Vector dimension must be a positive integer, got ${dimension}.`);
    }
    const handle = await open(`${path}.partial`, "w");
    await handle.write(encodeHeader(dimension, 0, stateWriting), 0, headerBytes, 0);
    return new VectorFileWriter(path, dimension, handle);
  }

  get rows(): number {
    return this.rowsWritten;
  }

  /** Appends whole rows (the length must be a multiple of the dimension). */
  async append(vectors: Float32Array): Promise<void> {
    if (this.closed) throw new UsageError(`Vector file ${this.path} is already closed.`);
    if (vectors.length % this.dimension !== 0) {
      throw new UsageError(
        `Cannot append ${vectors.length} values to ${this.path}: not a whole number of rows of dimension ${this.dimension}.`,
      );
    }
    const bytes = new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength);
    const position = headerBytes + this.rowsWritten * this.dimension * 4;
    let written = 0;
    while (written < bytes.length) {
      const result = await this.handle.write(bytes, written, bytes.length - written, position + written);
      written += result.bytesWritten;
    }
    this.rowsWritten += vectors.length / this.dimension;
  }

  /** Writes the final header, syncs, and renames the file into place. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.write(encodeHeader(this.dimension, this.rowsWritten, stateComplete), 0, headerBytes, 0);
    await this.handle.sync();
    await this.handle.close();
    await rename(`${this.path}.partial`, this.path);
  }

  /** Abandons the file: nothing appears under the final name. */
  async abort(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.handle.close();
    await rm(`${this.path}.partial`, { force: true });
  }
}

/** An opened vector file: a `DocumentSource` that streams rows through reused buffers. */
export interface VectorFileSource extends DocumentSource {
  readonly path: string;
  close(): Promise<void>;
}

/**
 * Opens a vector file and checks it is whole: magic, version, the writer's completion flag, and a
 * size that matches the row count exactly.
 */
export async function openVectorFile(path: string): Promise<VectorFileSource> {
  requireLittleEndianHost();
  const handle = await open(path, "r");
  try {
    const { size } = await handle.stat();
    const header = Buffer.alloc(headerBytes);
    const { bytesRead } = await handle.read(header, 0, headerBytes, 0);
    const fix = "Delete the file and run again to rewrite it.";
    if (bytesRead < headerBytes || header.toString("latin1", 0, 8) !== magic) {
      throw new DatasetError(`${path} is not an embedeval vector file (no "${magic}" header).`, {
        file: path,
        hint: fix,
      });
    }
    const version = header.readUInt32LE(8);
    if (version !== formatVersion) {
      throw new DatasetError(
        `${path} has vector file format version ${version}; this embedeval reads version 1.`,
        {
          file: path,
          hint: fix,
        },
      );
    }
    const dimension = header.readUInt32LE(12);
    const state = header.readUInt32LE(16);
    const rows = Number(header.readBigUInt64LE(24));
    if (state !== stateComplete) {
      throw new DatasetError(`${path} is torn: its writer never finished (state ${state}).`, {
        file: path,
        hint: fix,
      });
    }
    const expectedSize = headerBytes + rows * dimension * 4;
    if (dimension === 0 || size !== expectedSize) {
      throw new DatasetError(
        `${path} is torn: ${rows} rows of dimension ${dimension} need ${expectedSize} bytes, the file has ${size}.`,
        { file: path, hint: fix },
      );
    }
    return {
      path,
      dimension,
      rows,
      chunks: (options) => readChunks(handle, path, rows, dimension, options),
      close: () => handle.close(),
    };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

async function readExactly(
  handle: FileHandle,
  path: string,
  target: Uint8Array,
  position: number,
): Promise<void> {
  let offset = 0;
  while (offset < target.length) {
    const { bytesRead } = await handle.read(target, offset, target.length - offset, position + offset);
    if (bytesRead === 0) {
      throw new DatasetError(
        `${path} is torn: it ended at byte ${position + offset} while rows were being read.`,
        {
          file: path,
          hint: "Delete the file and run again to rewrite it.",
        },
      );
    }
    offset += bytesRead;
  }
}

/**
 * Yields chunks from two buffers in turn: while the caller works on one chunk, the next is already
 * being read (file reads run on libuv's thread pool), so disk and compute overlap.
 */
async function* readChunks(
  handle: FileHandle,
  path: string,
  rows: number,
  dimension: number,
  options: { maxRows: number; signal?: AbortSignal },
): AsyncGenerator<DocumentChunk> {
  const chunkRows = Math.max(1, Math.min(options.maxRows, rows));
  const buffers = [
    new Float32Array(chunkRows * dimension),
    new Float32Array(rows > chunkRows ? chunkRows * dimension : 0),
  ];
  const read = async (start: number, buffer: Float32Array): Promise<DocumentChunk> => {
    const count = Math.min(chunkRows, rows - start);
    const vectors = buffer.subarray(0, count * dimension);
    await readExactly(
      handle,
      path,
      new Uint8Array(vectors.buffer, vectors.byteOffset, vectors.byteLength),
      headerBytes + start * dimension * 4,
    );
    return { start, rows: count, vectors };
  };
  let next: Promise<DocumentChunk> | undefined = rows > 0 ? read(0, buffers[0] as Float32Array) : undefined;
  let turn = 0;
  while (next !== undefined) {
    const chunk = await next;
    const following = chunk.start + chunk.rows;
    turn = 1 - turn;
    next = following < rows ? read(following, buffers[turn] as Float32Array) : undefined;
    // Keep a rejected prefetch from being reported as unhandled if the caller stops early.
    next?.catch(() => undefined);
    if (options.signal?.aborted) return;
    yield chunk;
  }
}
