import type { SearchBackend } from "@embedeval/core";
import { exactSearch, matrixDocumentSource, tieRanksFromIds } from "@embedeval/core";
// The simple reference implementation and seeded test vectors live beside core's search code.
import { bruteForceSearch, testMatrix } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOnnxSearchBackend } from "./onnx-search-backend.js";

let backend: SearchBackend;
beforeAll(async () => {
  backend = await createOnnxSearchBackend({ intraOpThreads: 1 });
});
afterAll(async () => {
  await backend.close?.();
});

describe("onnxruntime search backend", () => {
  it("computes queries · documentsᵀ within its declared error bound", async () => {
    const dimension = 384;
    const queries = testMatrix({ rows: 3, dimension, seed: 1 });
    const documents = testMatrix({ rows: 11, dimension, seed: 2 });
    const similarities = await backend.similarities({
      queries,
      queryCount: 3,
      documents,
      documentCount: 11,
      dimension,
    });
    expect(similarities.length).toBe(33);
    for (let query = 0; query < 3; query++) {
      for (let row = 0; row < 11; row++) {
        let exact = 0;
        let queryNorm = 0;
        let documentNorm = 0;
        for (let index = 0; index < dimension; index++) {
          const left = queries[query * dimension + index] as number;
          const right = documents[row * dimension + index] as number;
          exact += left * right;
          queryNorm += left * left;
          documentNorm += right * right;
        }
        const bound = backend.scoreErrorFactor(dimension) * Math.sqrt(queryNorm * documentNorm);
        expect(Math.abs((similarities[query * 11 + row] as number) - exact)).toBeLessThanOrEqual(bound);
      }
    }
  });

  for (const similarity of ["cosine", "dot"] as const) {
    it(`gives exactly the portable rankings and scores with many ties (${similarity})`, async () => {
      const queryCount = 40;
      const documentCount = 2_000;
      const dimension = 16;
      // Values on 3 levels and 30% duplicated rows: exact ties everywhere, including at the cut.
      const queries = testMatrix({ rows: queryCount, dimension, seed: 3, levels: 3 });
      const documents = testMatrix({
        rows: documentCount,
        dimension,
        seed: 4,
        levels: 3,
        duplicateFraction: 0.3,
      });
      const documentTieRank = tieRanksFromIds(
        Array.from({ length: documentCount }, (_, index) => `doc-${index}`),
      );
      for (const topK of [1, 10, 100]) {
        const expected = bruteForceSearch({
          queries,
          queryCount,
          documents,
          documentCount,
          dimension,
          topK,
          similarity,
          documentTieRank,
        });
        for (const chunkRows of [97, 512, documentCount]) {
          const search = (withBackend: SearchBackend | undefined) =>
            exactSearch({
              queries,
              queryCount,
              dimension,
              documents: matrixDocumentSource(documents, documentCount, dimension),
              topK,
              similarity,
              documentTieRank,
              chunkRows,
              backend: withBackend,
              // Small blocks so that query blocks and chunk boundaries both occur.
              similarityBlockBytes: 4 * 7 * chunkRows,
            });
          const fast = await search(backend);
          const portable = await search(undefined);
          const context = `topK ${topK}, chunk ${chunkRows}`;
          // The version the worker loaded, as onnxruntime-node reports it.
          expect(fast.statistics.backend).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(\d+ threads, worker\)$/);
          expect(fast.statistics.pairsScored, context).toBeLessThan(portable.statistics.pairsScored);
          expect(Array.from(fast.indices), context).toEqual(Array.from(portable.indices));
          expect(Array.from(fast.scores), context).toEqual(Array.from(portable.scores));
          expect(Array.from(fast.indices), context).toEqual(Array.from(expected.indices));
        }
      }
    });
  }

  it("refuses requests with a typed error once its worker has closed", async () => {
    const closing = await createOnnxSearchBackend({ intraOpThreads: 1 });
    await closing.close?.();
    await expect(
      closing.similarities({
        queries: new Float32Array(4),
        queryCount: 1,
        documents: new Float32Array(8),
        documentCount: 2,
        dimension: 4,
      }),
    ).rejects.toThrow(/worker thread exited/);
  });

  it("runs on the calling thread too (worker: false), with the kernel's shared memory copied", async () => {
    const inThread = await createOnnxSearchBackend({ intraOpThreads: 1, worker: false });
    try {
      const queryCount = 12;
      const documentCount = 700;
      const dimension = 24;
      const queries = testMatrix({ rows: queryCount, dimension, seed: 8, levels: 3 });
      const documents = testMatrix({
        rows: documentCount,
        dimension,
        seed: 9,
        levels: 3,
        duplicateFraction: 0.3,
      });
      const documentTieRank = tieRanksFromIds(
        Array.from({ length: documentCount }, (_, index) => `${index}`),
      );
      const search = (withBackend: SearchBackend | undefined) =>
        exactSearch({
          queries,
          queryCount,
          dimension,
          documents: matrixDocumentSource(documents, documentCount, dimension),
          topK: 50,
          similarity: "cosine",
          documentTieRank,
          chunkRows: 600,
          backend: withBackend,
          similarityBlockBytes: 4 * 5 * 600,
        });
      const fast = await search(inThread);
      const portable = await search(undefined);
      expect(fast.statistics.backend).toMatch(/^onnxruntime-node \d+\.\d+\.\d+ \(\d+ threads\)$/);
      expect(fast.indices).toEqual(portable.indices);
      expect(fast.scores).toEqual(portable.scores);
    } finally {
      await inThread.close?.();
    }
  });

  it("matches the portable search on realistic 768-dimensional vectors with near-ties", async () => {
    const queryCount = 20;
    const documentCount = 3_000;
    const dimension = 768;
    const queries = testMatrix({ rows: queryCount, dimension, seed: 5 });
    const documents = testMatrix({ rows: documentCount, dimension, seed: 6, duplicateFraction: 0.05 });
    const documentTieRank = tieRanksFromIds(Array.from({ length: documentCount }, (_, index) => `${index}`));
    const search = (withBackend: SearchBackend | undefined) =>
      exactSearch({
        queries,
        queryCount,
        dimension,
        documents: matrixDocumentSource(documents, documentCount, dimension),
        topK: 1000,
        similarity: "cosine",
        documentTieRank,
        chunkRows: 1_100,
        backend: withBackend,
      });
    const fast = await search(backend);
    const portable = await search(undefined);
    expect(fast.indices).toEqual(portable.indices);
    expect(fast.scores).toEqual(portable.scores);
  });
});
