import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, DatasetError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DocumentChunk, matrixDocumentSource } from "../../search/document-source.js";
import { exactSearch } from "../../search/exact-search.js";
import { tieRanksFromIds } from "../../search/tie-rank.js";
import { testMatrix } from "../../testing/search-test-data.js";
import { cacheDocumentSource } from "./cache-document-source.js";
import { cacheNamespace } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";

const namespace = cacheNamespace({
  provider: "test",
  model: "vectors",
  vectorOptions: {},
  inputType: "document",
});

describe("cacheDocumentSource", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-cache-source-"));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it("streams the cached corpus in order: the search finds what it finds in memory", async () => {
    const rows = 300;
    const dimension = 12;
    const matrix = testMatrix({ rows, dimension, seed: 3 });
    // Texts repeat (one vector serves both rows), and are written to the cache out of order.
    const texts = Array.from({ length: rows }, (_, row) => `document ${row % 250}`);
    for (let row = 250; row < rows; row++)
      matrix.set(matrix.subarray((row - 250) * dimension, (row - 249) * dimension), row * dimension);
    const writer = await EmbeddingCache.open(directory);
    const order = Array.from({ length: 250 }, (_, index) => 249 - index);
    for (let first = 0; first < order.length; first += 40) {
      const batch = order.slice(first, first + 40);
      writer.put(
        namespace,
        batch.map((row) => texts[row] as string),
        batch.map((row) => matrix.slice(row * dimension, (row + 1) * dimension)),
      );
    }
    writer.close();

    const cache = await EmbeddingCache.open(directory);
    const source = cacheDocumentSource({ cache, namespace, texts, dimension });
    const chunks = [];
    for await (const chunk of source.chunks({ maxRows: 64 })) {
      chunk.fill?.(chunk.rows);
      chunks.push({ ...chunk, vectors: chunk.vectors.slice() });
    }
    expect(chunks.map((chunk) => [chunk.start, chunk.rows])).toEqual([
      [0, 64],
      [64, 64],
      [128, 64],
      [192, 64],
      [256, 44],
    ]);
    expect(Array.from(chunks.flatMap((chunk) => Array.from(chunk.vectors)))).toEqual(Array.from(matrix));
    // Reading for the search is not counted as cache hits: those describe what embedding paid for.
    expect(cache.stats().hits).toBe(0);
    // Offered the search's own buffer, the source reads into it: each chunk a view of it, same values.
    const target = new Float32Array(64 * dimension);
    let offset = 0;
    for await (const chunk of source.chunks({ maxRows: 64, target })) {
      chunk.fill?.(chunk.rows);
      expect(chunk.vectors.buffer).toBe(target.buffer);
      expect(Array.from(chunk.vectors)).toEqual(Array.from(chunks[offset++]?.vectors ?? []));
    }
    // Too small a buffer is not written past: the source uses its own.
    const small = new Float32Array(10 * dimension);
    for await (const chunk of source.chunks({ maxRows: 64, target: small })) {
      expect(chunk.vectors.buffer).not.toBe(small.buffer);
    }

    const queries = testMatrix({ rows: 5, dimension, seed: 4 });
    const search = (documents: typeof source) =>
      exactSearch({
        queries,
        queryCount: 5,
        dimension,
        documents,
        topK: 20,
        similarity: "cosine",
        documentTieRank: tieRanksFromIds(texts.map((_, row) => `d${row}`)),
        chunkRows: 70,
      });
    const fromCache = await search(source);
    const inMemory = await search(matrixDocumentSource(matrix, rows, dimension));
    expect(fromCache.indices).toEqual(inMemory.indices);
    expect(fromCache.scores).toEqual(inMemory.scores);
    cache.close();
  });

  it("names the row whose text is not in the cache", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(namespace, ["a", "b"], [new Float32Array(4), new Float32Array(4)]);
    const source = cacheDocumentSource({ cache, namespace, texts: ["a", "b", "c"], dimension: 4 });
    const read = async () => {
      for await (const chunk of source.chunks({ maxRows: 2 })) chunk.fill?.(chunk.rows);
    };
    await expect(read()).rejects.toThrow(DatasetError);
    await expect(read()).rejects.toThrow(/Document 2 has no vector in the embedding cache/);
    const wrongDimension = cacheDocumentSource({ cache, namespace, texts: ["a"], dimension: 8 });
    await expect(
      (async () => {
        for await (const chunk of wrongDimension.chunks({ maxRows: 2 })) chunk.fill?.(chunk.rows);
      })(),
    ).rejects.toThrow(/4-dimensional vector in the embedding cache where 8/);
    cache.close();
  });

  it("still reads its rows when another run compacts the namespace between embedding and search", async () => {
    for (const text of ["a", "b", "c"]) {
      const earlier = await EmbeddingCache.open(directory);
      earlier.put(namespace, [text], [Float32Array.from([1, 2, 3, Number(text.charCodeAt(0))])]);
      earlier.close();
    }
    const run = await EmbeddingCache.open(directory, { compactAboveSegments: 100 });
    // The embedding stage finds every text cached (without reading the vectors)...
    expect(run.cachedDimensions(namespace, ["a", "b", "c"])).toEqual([4, 4, 4]);
    // ...then another run merges the quiet segments into one and removes them.
    const other = await EmbeddingCache.open(directory, {
      compactAboveSegments: 2,
      compactQuietMilliseconds: 0,
    });
    other.get(namespace, ["x"]);
    other.close();
    const source = cacheDocumentSource({ cache: run, namespace, texts: ["a", "b", "c"], dimension: 4 });
    const rows: number[][] = [];
    for await (const chunk of source.chunks({ maxRows: 10 })) {
      chunk.fill?.(chunk.rows);
      for (let row = 0; row < chunk.rows; row++)
        rows.push(Array.from(chunk.vectors.subarray(row * 4, row * 4 + 4)));
    }
    expect(rows).toEqual([
      [1, 2, 3, 97],
      [1, 2, 3, 98],
      [1, 2, 3, 99],
    ]);
    run.close();
  });

  it("uses a vector the cache could not take over an older record of the same text", async () => {
    const cache = await EmbeddingCache.open(directory);
    cache.put(namespace, ["a"], [new Float32Array(8)]);
    const fresh = Float32Array.from([1, 2, 3, 4]);
    const source = cacheDocumentSource({
      cache,
      namespace,
      texts: ["a"],
      dimension: 4,
      notCached: new Map([["a", fresh]]),
    });
    for await (const chunk of source.chunks({ maxRows: 4 })) {
      chunk.fill?.(chunk.rows);
      expect(Array.from(chunk.vectors)).toEqual([1, 2, 3, 4]);
    }
    cache.close();
  });

  it("yields each chunk at once and reads its rows part by part as the search asks for them", async () => {
    const dimension = 4;
    const texts = Array.from({ length: 3 * 4096 + 10 }, (_, index) => `text ${index}`);
    const vectorOf = (row: number) =>
      Float32Array.from({ length: dimension }, (_, value) => row * 10 + value);
    const cache = await EmbeddingCache.open(directory);
    cache.put(
      namespace,
      texts,
      texts.map((_, row) => vectorOf(row)),
    );
    const reads: number[] = [];
    const readInto = cache.readInto.bind(cache);
    cache.readInto = (readNamespace, readTexts, target, readDimension) => {
      reads.push(readTexts.length);
      return readInto(readNamespace, readTexts, target, readDimension);
    };
    const source = cacheDocumentSource({ cache, namespace, texts, dimension });
    expect(source.chunkBytes).toBe(128 * 1024 * 1024);
    const target = new Float32Array(2 * 4096 * dimension);
    const expectRows = (vectors: Float32Array, from: number, to: number, firstRow: number) => {
      for (let row = from; row < to; row++) {
        expect(Array.from(vectors.subarray(row * dimension, (row + 1) * dimension))).toEqual(
          Array.from(vectorOf(firstRow + row)),
        );
      }
    };
    const chunks = source.chunks({ maxRows: 2 * 4096, target })[Symbol.asyncIterator]();
    const first = (await chunks.next()).value as DocumentChunk;
    // Yielded before any read; the rows are read when asked for, a whole part at a time.
    expect(reads).toEqual([]);
    expect(first.vectors.buffer).toBe(target.buffer);
    first.fill?.(1);
    expect(reads).toEqual([4096]);
    expectRows(first.vectors, 0, 4096, 0);
    first.fill?.(4096);
    expect(reads).toEqual([4096]);
    first.fill?.(first.rows);
    expect(reads).toEqual([4096, 4096]);
    expectRows(first.vectors, 0, first.rows, 0);
    const second = (await chunks.next()).value as DocumentChunk;
    expect([second.start, second.rows]).toEqual([2 * 4096, 4096 + 10]);
    second.fill?.(second.rows);
    second.fill?.(1);
    expect(reads).toEqual([4096, 4096, 4096, 10]);
    expectRows(second.vectors, 0, second.rows, 2 * 4096);
    expect((await chunks.next()).done).toBe(true);
    cache.close();
  });

  it("lets a search stop between parts when the signal fires, although the cache reads are synchronous", async () => {
    const cache = await EmbeddingCache.open(directory);
    const texts = Array.from({ length: 8 * 4096 }, (_, index) => `t${index}`);
    cache.put(
      namespace,
      texts,
      texts.map(() => Float32Array.from([1, 0, 0, 0])),
    );
    // Each read of 4,096 texts takes 30 ms, as a large chunk read from a slow disk would.
    const readInto = cache.readInto.bind(cache);
    let reads = 0;
    cache.readInto = (readNamespace, readTexts, target, dimension) => {
      reads += 1;
      const end = performance.now() + 30;
      while (performance.now() < end) {
        // busy: the event loop cannot run
      }
      return readInto(readNamespace, readTexts, target, dimension);
    };
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 5);
    const search = exactSearch({
      queries: Float32Array.from([1, 0, 0, 0]),
      queryCount: 1,
      dimension: 4,
      documents: cacheDocumentSource({ cache, namespace, texts, dimension: 4 }),
      topK: 10,
      similarity: "cosine",
      documentTieRank: tieRanksFromIds(texts),
      signal: controller.signal,
    });
    await expect(search).rejects.toThrow(CancelledError);
    expect(reads).toBeLessThan(8);
    cache.close();
  });
});
