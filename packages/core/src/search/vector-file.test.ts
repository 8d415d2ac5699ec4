import { mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError, UsageError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testMatrix } from "../testing/search-test-data.js";
import { matrixDocumentSource } from "./document-source.js";
import { exactSearch } from "./exact-search.js";
import { openVectorFile, VectorFileWriter } from "./vector-file.js";

let folder: string;
beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-vector-file-"));
});
afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function writeMatrix(path: string, matrix: Float32Array, dimension: number, pieceRows: number) {
  const writer = await VectorFileWriter.create(path, dimension);
  for (let row = 0; row * dimension < matrix.length; row += pieceRows) {
    await writer.append(
      matrix.subarray(row * dimension, Math.min(matrix.length, (row + pieceRows) * dimension)),
    );
  }
  await writer.close();
}

describe("vector files", () => {
  it("round-trips rows written in pieces, read back in chunks of any size", async () => {
    const dimension = 6;
    const matrix = testMatrix({ rows: 53, dimension, seed: 9 });
    const path = join(folder, "documents.f32");
    await writeMatrix(path, matrix, dimension, 10);
    expect((await stat(path)).size).toBe(64 + 53 * dimension * 4);
    const source = await openVectorFile(path);
    try {
      expect(source.rows).toBe(53);
      expect(source.dimension).toBe(dimension);
      for (const maxRows of [1, 7, 53, 100]) {
        const collected = new Float32Array(matrix.length);
        let next = 0;
        for await (const chunk of source.chunks({ maxRows })) {
          expect(chunk.start).toBe(next);
          collected.set(chunk.vectors, chunk.start * dimension);
          next += chunk.rows;
        }
        expect(next).toBe(53);
        expect(collected).toEqual(matrix);
      }
    } finally {
      await source.close();
    }
  });

  it("searches the same from disk as from memory", async () => {
    const dimension = 8;
    const documents = testMatrix({ rows: 120, dimension, seed: 12, levels: 3, duplicateFraction: 0.2 });
    const queries = testMatrix({ rows: 5, dimension, seed: 13 });
    const path = join(folder, "documents.f32");
    await writeMatrix(path, documents, dimension, 33);
    const source = await openVectorFile(path);
    const base = {
      queries,
      queryCount: 5,
      dimension,
      topK: 15,
      similarity: "cosine" as const,
      documentTieRank: Uint32Array.from({ length: 120 }, (_, index) => 119 - index),
      chunkRows: 16,
    };
    try {
      const fromDisk = await exactSearch({ ...base, documents: source });
      const fromMemory = await exactSearch({
        ...base,
        documents: matrixDocumentSource(documents, 120, dimension),
      });
      expect(fromDisk.indices).toEqual(fromMemory.indices);
      expect(fromDisk.scores).toEqual(fromMemory.scores);
    } finally {
      await source.close();
    }
  });

  it("detects a torn file: unfinished writer, cut short, or not a vector file", async () => {
    const dimension = 4;
    const matrix = testMatrix({ rows: 10, dimension, seed: 14 });
    const path = join(folder, "documents.f32");

    // A writer that never closed leaves only `<path>.partial`, flagged as being written.
    const writer = await VectorFileWriter.create(path, dimension);
    await writer.append(matrix);
    await expect(openVectorFile(path)).rejects.toThrow(/ENOENT/);
    await expect(openVectorFile(`${path}.partial`)).rejects.toThrow(/torn: its writer never finished/);
    await writer.abort();

    await writeMatrix(path, matrix, dimension, 10);
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.length - 6));
    const error = await openVectorFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(DatasetError);
    expect((error as DatasetError).message).toMatch(
      /torn: 10 rows of dimension 4 need 224 bytes, the file has 218/,
    );
    expect((error as DatasetError).file).toBe(path);

    await writeFile(path, "query-id\tcorpus-id\tscore\n");
    await expect(openVectorFile(path)).rejects.toThrow(/not an embedeval vector file/);
  });

  it("notices a file cut short while it is being read", async () => {
    const dimension = 4;
    const path = join(folder, "documents.f32");
    await writeMatrix(path, testMatrix({ rows: 100, dimension, seed: 15 }), dimension, 100);
    const source = await openVectorFile(path);
    const handle = await open(path, "r+");
    await handle.truncate(64 + 50 * dimension * 4);
    await handle.close();
    const read = async () => {
      for await (const _chunk of source.chunks({ maxRows: 30 })) {
        // Reading is the point.
      }
    };
    await expect(read()).rejects.toThrow(/torn: it ended at byte/);
    await source.close();
  });

  it("refuses rows of the wrong length", async () => {
    const writer = await VectorFileWriter.create(join(folder, "documents.f32"), 3);
    await expect(writer.append(new Float32Array(4))).rejects.toBeInstanceOf(UsageError);
    await writer.abort();
  });
});
