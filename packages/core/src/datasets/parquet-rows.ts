/**
 * Rows of a parquet file, one row group at a time, through hyparquet (pure JavaScript, no native build,
 * maintained, snappy built in). The file is read by slices from disk, so an 8.8M-document corpus is never
 * held as one buffer: only the row group being decoded is.
 */
import * as zlib from "node:zlib";
import { DatasetError } from "@embedeval/provider-contract";
import type { AsyncBuffer, Compressors, FileMetaData } from "hyparquet";

/**
 * hyparquet, imported on first use: only hub datasets in parquet need it, and importing it costs every
 * run about 20 ms of start-up.
 */
export function loadHyparquet(): Promise<typeof import("hyparquet")> {
  return import("hyparquet");
}

/** Codecs beyond hyparquet's own snappy, from node's zlib (zstd where this node has it, 22.15+). */
function nodeCompressors(): Compressors {
  const compressors: Compressors = {
    GZIP: (input) => new Uint8Array(zlib.gunzipSync(input)),
    BROTLI: (input) => new Uint8Array(zlib.brotliDecompressSync(input)),
  };
  const zstd = (zlib as { zstdDecompressSync?: (input: Uint8Array) => Buffer }).zstdDecompressSync;
  if (zstd) compressors.ZSTD = (input) => new Uint8Array(zstd(input));
  return compressors;
}

export interface ParquetRowsOptions {
  /** Each entry lists alternatives (`["_id", "id"]`): one of them must be a column. */
  requiredColumns?: readonly (readonly string[])[];
  signal?: AbortSignal;
}

/** Yields each row as an object with its 1-based row number. */
export async function* readParquetRows(
  file: string,
  options: ParquetRowsOptions = {},
): AsyncGenerator<{ value: Record<string, unknown>; rowNumber: number }> {
  const { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, parquetSchema } =
    await loadHyparquet();
  let buffer: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (error) {
    throw new DatasetError(`Could not read ${file} as parquet: ${(error as Error).message}`, {
      file,
      hint: "The file is not a complete parquet file; delete it from the cache to fetch it again.",
      cause: error,
    });
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  for (const alternatives of options.requiredColumns ?? []) {
    if (!alternatives.some((name) => columns.includes(name))) {
      throw new DatasetError(
        `${file} has no column ${alternatives.map((name) => `"${name}"`).join(" or ")}; its columns: ${columns.join(", ")}.`,
        { file, hint: "Check that the file is the one the task expects (corpus, queries or qrels)." },
      );
    }
  }
  let rowStart = 0;
  for (const group of metadata.row_groups) {
    const rowEnd = rowStart + Number(group.num_rows);
    if (options.signal?.aborted) throw options.signal.reason;
    let rows: Record<string, unknown>[];
    try {
      rows = await parquetReadObjects({
        file: buffer,
        metadata,
        rowStart,
        rowEnd,
        compressors: nodeCompressors(),
      });
    } catch (error) {
      throw new DatasetError(
        `Could not decode rows ${rowStart + 1}-${rowEnd} of ${file}: ${(error as Error).message}`,
        {
          file,
          hint: /compression|codec/i.test((error as Error).message)
            ? "The file uses a compression this reader lacks (snappy, gzip, brotli, and zstd on node 22.15+ are read); rewrite it with snappy."
            : "The file may be damaged; delete it from the cache to fetch it again.",
          cause: error,
        },
      );
    }
    for (let index = 0; index < rows.length; index++) {
      yield { value: rows[index] as Record<string, unknown>, rowNumber: rowStart + index + 1 };
    }
    rowStart = rowEnd;
  }
}
