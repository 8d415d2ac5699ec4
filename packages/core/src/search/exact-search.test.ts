import { CancelledError, DatasetError, UsageError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { bruteForceSearch, seededRandom, testMatrix } from "../testing/search-test-data.js";
import type { DocumentSource } from "./document-source.js";
import { matrixDocumentSource } from "./document-source.js";
import { exactSearch } from "./exact-search.js";
import type { SearchBackend, SimilarityRequest } from "./search-backend.js";
import { float32DotErrorFactor } from "./search-backend.js";
import { tieRanksFromIds } from "./tie-rank.js";

/**
 * A genuine second implementation of the similarity block: float32 arithmetic at every step, summed
 * backwards, so its numbers differ from the portable kernel's in the last bits, like onnxruntime's.
 * With `perturb`, it also moves every value by a random amount up to its declared error bound,
 * the worst a correct backend may do, to exercise the skipping argument at its edge.
 */
function float32Backend(perturb: boolean): SearchBackend {
  const random = seededRandom(7);
  return {
    name: perturb ? "float32-perturbed" : "float32-reversed",
    scoreErrorFactor: float32DotErrorFactor,
    async similarities(request: SimilarityRequest) {
      const { queries, queryCount, documents, documentCount, dimension } = request;
      const output = new Float32Array(queryCount * documentCount);
      for (let query = 0; query < queryCount; query++) {
        for (let row = 0; row < documentCount; row++) {
          let sum = 0;
          let queryNorm = 0;
          let documentNorm = 0;
          for (let index = dimension - 1; index >= 0; index--) {
            const left = queries[query * dimension + index] as number;
            const right = documents[row * dimension + index] as number;
            sum = Math.fround(sum + Math.fround(left * right));
            queryNorm += left * left;
            documentNorm += right * right;
          }
          const bound = float32DotErrorFactor(dimension) * Math.sqrt(queryNorm * documentNorm);
          output[query * documentCount + row] = perturb ? sum + (random() * 2 - 1) * bound * 0.5 : sum;
        }
      }
      return output;
    },
  };
}

/**
 * A backend that computes each dot product in float64 and rounds the sum once to float32, passing
 * inputs, products and the result through `round` (by default unchanged): more accurate than any
 * float32 Gemm, or, with a flushing `round`, a BLAS that flushes subnormals to zero.
 */
function float64Backend(name: string, round: (value: number) => number = (value) => value): SearchBackend {
  return {
    name,
    scoreErrorFactor: float32DotErrorFactor,
    async similarities({ queries, queryCount, documents, documentCount, dimension }) {
      const output = new Float32Array(queryCount * documentCount);
      for (let query = 0; query < queryCount; query++) {
        for (let row = 0; row < documentCount; row++) {
          let sum = 0;
          for (let index = 0; index < dimension; index++) {
            sum += round(
              round(queries[query * dimension + index] as number) *
                round(documents[row * dimension + index] as number),
            );
          }
          output[query * documentCount + row] = round(Math.fround(sum));
        }
      }
      return output;
    },
  };
}

interface Case {
  queryCount: number;
  documentCount: number;
  dimension: number;
  levels?: number;
  duplicateFraction?: number;
  seed: number;
}

/**
 * A source that yields each chunk at once and fills it as the search asks (DocumentChunk.fill), as the
 * embedding cache does. Rows not filled yet hold NaN, so a search that read one would fail.
 */
function progressiveSource(vectors: Float32Array, rows: number, dimension: number): DocumentSource {
  return {
    dimension,
    rows,
    async *chunks({ maxRows, target }) {
      for (let start = 0; start < rows; start += maxRows) {
        const count = Math.min(maxRows, rows - start);
        const buffer =
          target !== undefined && target.length >= count * dimension
            ? target.subarray(0, count * dimension)
            : new Float32Array(count * dimension);
        buffer.fill(Number.NaN);
        let filled = 0;
        const fill = (wanted: number) => {
          const until = Math.min(count, wanted);
          if (until <= filled) return;
          buffer.set(
            vectors.subarray((start + filled) * dimension, (start + until) * dimension),
            filled * dimension,
          );
          filled = until;
        };
        yield { start, rows: count, vectors: buffer, fill };
      }
    },
  };
}

function makeCase(testCase: Case) {
  const { queryCount, documentCount, dimension, seed } = testCase;
  const queries = testMatrix({ rows: queryCount, dimension, seed, levels: testCase.levels });
  const documents = testMatrix({
    rows: documentCount,
    dimension,
    seed: seed + 1,
    levels: testCase.levels,
    duplicateFraction: testCase.duplicateFraction,
  });
  // Ids whose byte order differs from their position, so a tie rank that is ignored shows.
  const ids = Array.from({ length: documentCount }, (_, index) => `d${(index * 7919) % 10007}`);
  return { queries, documents, documentTieRank: tieRanksFromIds(ids) };
}

const tieHeavy: Case = {
  queryCount: 9,
  documentCount: 300,
  dimension: 5,
  levels: 2,
  duplicateFraction: 0.3,
  seed: 11,
};
const smooth: Case = { queryCount: 7, documentCount: 257, dimension: 37, seed: 21 };

describe("exactSearch", () => {
  for (const similarity of ["cosine", "dot"] as const) {
    for (const [label, testCase] of [
      ["many exact ties", tieHeavy],
      ["distinct scores", smooth],
    ] as const) {
      it(`equals the simple implementation (${similarity}, ${label}) for every chunk size and backend`, async () => {
        const { queries, documents, documentTieRank } = makeCase(testCase);
        const { queryCount, documentCount, dimension } = testCase;
        for (const topK of [1, 10, 40]) {
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
          const variants = [
            { backend: undefined, portableKernel: "webassembly" as const },
            { backend: undefined, portableKernel: "javascript" as const },
            { backend: float32Backend(false), portableKernel: "webassembly" as const },
            { backend: float32Backend(true), portableKernel: "javascript" as const },
          ];
          for (const { backend, portableKernel } of variants) {
            for (const [chunkRows, progressive] of [
              [1, false],
              [13, false],
              [64, false],
              [documentCount, false],
              [13, true],
              [documentCount, true],
            ] as const) {
              const result = await exactSearch({
                queries,
                queryCount,
                dimension,
                documents: progressive
                  ? progressiveSource(documents, documentCount, dimension)
                  : matrixDocumentSource(documents, documentCount, dimension),
                topK,
                similarity,
                documentTieRank,
                backend,
                portableKernel,
                chunkRows,
                similarityBlockBytes: 4 * 3 * chunkRows,
              });
              const context = `${backend?.name ?? "portable"} ${portableKernel}, topK ${topK}, chunk ${chunkRows}${progressive ? ", filled as it goes" : ""}`;
              expect(result.statistics.kernel).toBe(portableKernel);
              expect(result.k, context).toBe(expected.k);
              expect(Array.from(result.indices), context).toEqual(Array.from(expected.indices));
              expect(Array.from(result.scores), context).toEqual(Array.from(expected.scores));
            }
          }
        }
      });
    }
  }

  it("gives a fresh search's results when it reuses the last search's kernel memory", async () => {
    // The second search gets the first one's memory back (same shapes), full of the first one's
    // vectors and similarities: anything read before it is written would show here.
    const { queryCount, documentCount, dimension } = smooth;
    const first = makeCase(smooth);
    const second = makeCase({ ...smooth, seed: 99 });
    const search = (data: ReturnType<typeof makeCase>, backend: SearchBackend | undefined) =>
      exactSearch({
        queries: data.queries,
        queryCount,
        dimension,
        documents: matrixDocumentSource(data.documents, documentCount, dimension),
        topK: 10,
        similarity: "cosine",
        documentTieRank: data.documentTieRank,
        backend,
        similarityBlockBytes: 4 * queryCount * 64,
      });
    for (const backend of [undefined, float32Backend(false)]) {
      await search(first, backend);
      const result = await search(second, backend);
      const expected = bruteForceSearch({
        queries: second.queries,
        queryCount,
        documents: second.documents,
        documentCount,
        dimension,
        topK: 10,
        similarity: "cosine",
        documentTieRank: second.documentTieRank,
      });
      expect(Array.from(result.indices)).toEqual(Array.from(expected.indices));
      expect(Array.from(result.scores)).toEqual(Array.from(expected.scores));
    }
  });

  it("has many exact ties at the top-k cut in the tie-heavy case (so the test above means something)", () => {
    const { queries, documents, documentTieRank } = makeCase(tieHeavy);
    const { scores, k } = bruteForceSearch({
      ...tieHeavy,
      queries,
      documents,
      topK: 10,
      similarity: "dot",
      documentTieRank,
    });
    let tiesAtCut = 0;
    for (let query = 0; query < tieHeavy.queryCount; query++) {
      if (scores[query * k + k - 1] === scores[query * k + k - 2]) tiesAtCut++;
    }
    expect(tiesAtCut).toBeGreaterThan(tieHeavy.queryCount / 2);
  });

  it("ranks cosine and dot differently when norms differ", async () => {
    const documents = Float32Array.from([10, 0, 0.6, 0.8]);
    const queries = Float32Array.from([0.6, 0.8]);
    const search = (similarity: "cosine" | "dot") =>
      exactSearch({
        queries,
        queryCount: 1,
        dimension: 2,
        documents: matrixDocumentSource(documents, 2, 2),
        topK: 2,
        similarity,
        documentTieRank: Uint32Array.from([0, 1]),
      });
    expect(Array.from((await search("dot")).indices)).toEqual([0, 1]);
    const cosine = await search("cosine");
    expect(Array.from(cosine.indices)).toEqual([1, 0]);
    expect(cosine.scores[0]).toBeCloseTo(1, 6);
  });

  it("rescores only the rows of a later chunk that can beat what the query already holds", async () => {
    // Dot scores laid out by hand (documents (s, 0), queries (1, 0)), k = 10, chunks of 100 rows.
    // Chunk 1: ten documents at 0.51..0.60, ninety at 0.1. Chunk 2: five at 0.8, ninety-five at 0.55.
    // After chunk 1 the threshold T is 0.51 and chunk 2's own 10th best is 0.55, so both let all of
    // chunk 2 through; with the five 0.8s, the query's 0.56..0.60 are the 10 best so far, so only the
    // five rows above 0.56 can enter: 10 + 5 pairs per query. (Equal scores: the higher tie rank first.)
    const scores = [
      ...Array.from({ length: 10 }, (_, index) => 0.51 + index / 100),
      ...Array.from({ length: 90 }, () => 0.1),
      ...Array.from({ length: 5 }, () => 0.8),
      ...Array.from({ length: 95 }, () => 0.55),
    ];
    const documents = Float32Array.from(scores.flatMap((score) => [score, 0]));
    const queryCount = 3;
    const queries = Float32Array.from({ length: 2 * queryCount }, (_, index) => (index % 2 === 0 ? 1 : 0));
    const documentTieRank = Uint32Array.from(scores, (_, index) => index);
    const options = {
      queries,
      queryCount,
      dimension: 2,
      topK: 10,
      similarity: "dot" as const,
      documentTieRank,
      chunkRows: 100,
    };
    const fast = await exactSearch({
      ...options,
      documents: matrixDocumentSource(documents, scores.length, 2),
      backend: float32Backend(false),
    });
    const portable = await exactSearch({
      ...options,
      documents: matrixDocumentSource(documents, scores.length, 2),
    });
    expect(Array.from(fast.indices)).toEqual(Array.from(portable.indices));
    expect(Array.from(fast.indices.subarray(0, 10))).toEqual([104, 103, 102, 101, 100, 9, 8, 7, 6, 5]);
    expect(fast.statistics.chunks).toBe(2);
    expect(fast.statistics.pairsScored).toBe(queryCount * (10 + 5));
  });

  it("keeps a later chunk's row whose approximate score is as low as the backend's error allows", async () => {
    // A backend declaring an error of 1% of ‖q‖·‖d‖ and using all of it: row 2 (exact 0.6) comes out
    // 1% high, row 3 (exact 0.605) 1% low, so row 3 looks worse than row 2 though it is better. The
    // cut from what the query holds must allow for that on both sides (S − ε), or row 3 is lost.
    const scores = [0.9, 0.5, 0.6, 0.605];
    const documents = Float32Array.from(scores.flatMap((score) => [score, 0]));
    const backend: SearchBackend = {
      name: "one-percent",
      scoreErrorFactor: () => 0.01,
      async similarities({ queries, queryCount, documents: rows, documentCount, dimension }) {
        const output = new Float32Array(queryCount * documentCount);
        for (let query = 0; query < queryCount; query++) {
          for (let row = 0; row < documentCount; row++) {
            const value = (queries[query * dimension] as number) * (rows[row * dimension] as number);
            const direction = rows[row * dimension] === Math.fround(0.6) ? 1 : -1;
            output[query * documentCount + row] = value * (1 + direction * 0.0099);
          }
        }
        return output;
      },
    };
    const result = await exactSearch({
      queries: Float32Array.from([1, 0]),
      queryCount: 1,
      dimension: 2,
      documents: matrixDocumentSource(documents, scores.length, 2),
      topK: 2,
      similarity: "dot",
      documentTieRank: Uint32Array.from([0, 1, 2, 3]),
      chunkRows: 2,
      backend,
    });
    expect(Array.from(result.indices)).toEqual([0, 3]);
  });

  it("returns every document when topK exceeds the corpus, and handles an empty query set", async () => {
    const documents = testMatrix({ rows: 3, dimension: 4, seed: 3 });
    const queries = testMatrix({ rows: 2, dimension: 4, seed: 4 });
    const base = {
      dimension: 4,
      documents: matrixDocumentSource(documents, 3, 4),
      topK: 1000,
      similarity: "dot" as const,
      documentTieRank: Uint32Array.from([0, 1, 2]),
    };
    const result = await exactSearch({ ...base, queries, queryCount: 2 });
    expect(result.k).toBe(3);
    expect(result.indices.length).toBe(6);
    expect(new Set(result.indices.subarray(0, 3))).toEqual(new Set([0, 1, 2]));
    const empty = await exactSearch({ ...base, queries: new Float32Array(0), queryCount: 0 });
    expect(empty.indices.length).toBe(0);
  });

  it("stops with CancelledError when the signal fires during a long scan or between chunks", async () => {
    const dimension = 64;
    const documentCount = 40_000;
    const documents = testMatrix({ rows: documentCount, dimension, seed: 5 });
    const queries = testMatrix({ rows: 100, dimension, seed: 6 });
    const base = {
      queries,
      queryCount: 100,
      dimension,
      topK: 10,
      similarity: "dot" as const,
      documentTieRank: new Uint32Array(documentCount),
    };
    // One chunk of 512 MFLOP: only the scan's own checkpoints can notice this abort.
    const during = new AbortController();
    setImmediate(() => during.abort());
    await expect(
      exactSearch({
        ...base,
        documents: matrixDocumentSource(documents, documentCount, dimension),
        signal: during.signal,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    // A source that aborts when the second chunk is requested.
    const between = new AbortController();
    const inner = matrixDocumentSource(documents, documentCount, dimension);
    const aborting: DocumentSource = {
      dimension,
      rows: documentCount,
      async *chunks(options) {
        let count = 0;
        for await (const chunk of inner.chunks(options)) {
          if (++count === 2) between.abort();
          yield chunk;
        }
      },
    };
    await expect(
      exactSearch({ ...base, documents: aborting, signal: between.signal, chunkRows: 100 }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it("stops with CancelledError while backend blocks are in flight, and skips empty chunks", async () => {
    const { queries, documents, documentTieRank } = makeCase(smooth);
    const { queryCount, documentCount, dimension } = smooth;
    const controller = new AbortController();
    const inner = float32Backend(false);
    let calls = 0;
    const aborting: SearchBackend = {
      ...inner,
      similarities(request) {
        // The third request is made while the second is still unread: abort there.
        if (++calls === 3) controller.abort();
        return inner.similarities(request);
      },
    };
    const base = {
      queries,
      queryCount,
      dimension,
      topK: 5,
      similarity: "cosine" as const,
      documentTieRank,
      similarityBlockBytes: 4 * 2 * 8,
    };
    await expect(
      exactSearch({
        ...base,
        documents: matrixDocumentSource(documents, documentCount, dimension),
        backend: aborting,
        signal: controller.signal,
      }),
    ).rejects.toBeInstanceOf(CancelledError);
    expect(calls).toBeGreaterThanOrEqual(3);
    // A source that yields an empty chunk between two real ones.
    const whole = matrixDocumentSource(documents, documentCount, dimension);
    const withEmpty: DocumentSource = {
      dimension,
      rows: documentCount,
      async *chunks() {
        yield { start: 0, rows: 100, vectors: documents.subarray(0, 100 * dimension) };
        yield { start: 100, rows: 0, vectors: new Float32Array(0) };
        yield { start: 100, rows: documentCount - 100, vectors: documents.subarray(100 * dimension) };
      },
    };
    const expected = await exactSearch({ ...base, documents: whole });
    const result = await exactSearch({ ...base, documents: withEmpty, backend: float32Backend(true) });
    expect(result.indices).toEqual(expected.indices);
    expect(result.scores).toEqual(expected.scores);
  });

  it("refuses dot vectors whose products would overflow float32, instead of dropping documents", async () => {
    // 1e20 · 1e20 overflows float32: the kernel's sums would be ±∞ and NaN.
    const queries = Float32Array.from([1e20, 1e20]);
    const documents = Float32Array.from([1, 1, 1e20, -1e20, 3, 3]);
    for (const portableKernel of ["webassembly", "javascript"] as const) {
      await expect(
        exactSearch({
          queries,
          queryCount: 1,
          dimension: 2,
          documents: matrixDocumentSource(documents, 3, 2),
          topK: 3,
          similarity: "dot",
          documentTieRank: Uint32Array.from([0, 1, 2]),
          portableKernel,
        }),
      ).rejects.toThrow(/can exceed the float32 range/);
    }
  });

  it("keeps the fast path exact when products fall among float32's subnormals", async () => {
    // A backend that computes each dot product exactly and rounds once: its error is far below the
    // relative bound, but the kernel's subnormal products are off by up to 2⁻¹⁵⁰ each, which only an
    // absolute term in the bound covers.
    const exactThenRounded = float64Backend("exact-then-rounded");
    const tiny = 2 ** -75;
    const base = {
      queries: Float32Array.from([tiny, tiny]),
      queryCount: 1,
      dimension: 2,
      topK: 1,
      similarity: "dot" as const,
      documentTieRank: Uint32Array.from([0, 1]),
    };
    const documents = Float32Array.from([0.75 * tiny, 0.75 * tiny, 1.2 * tiny, -tiny]);
    const portable = await exactSearch({ ...base, documents: matrixDocumentSource(documents, 2, 2) });
    const fast = await exactSearch({
      ...base,
      documents: matrixDocumentSource(documents, 2, 2),
      backend: exactThenRounded,
    });
    expect(Array.from(fast.indices)).toEqual(Array.from(portable.indices));
    expect(Array.from(fast.scores)).toEqual(Array.from(portable.scores));
  });

  it("stays exact with a backend that reads subnormal inputs as zero", async () => {
    const smallestNormal = 2 ** -126;
    // Flushes subnormal inputs and products to zero, as some BLAS builds do; exact otherwise.
    const flushing = float64Backend("flush-to-zero", (value) =>
      Math.abs(value) < smallestNormal ? 0 : value,
    );
    // Document 0 scores 2⁻⁹⁰ through the query's subnormal component, which the backend drops.
    const base = {
      queries: Float32Array.from([2 ** -130, 2 ** -126]),
      queryCount: 1,
      dimension: 2,
      topK: 1,
      similarity: "dot" as const,
      documentTieRank: Uint32Array.from([0, 1]),
    };
    const documents = Float32Array.from([2 ** 40, 0, 0, 2 ** 20]);
    const portable = await exactSearch({ ...base, documents: matrixDocumentSource(documents, 2, 2) });
    const fast = await exactSearch({
      ...base,
      documents: matrixDocumentSource(documents, 2, 2),
      backend: flushing,
    });
    expect(Array.from(portable.indices)).toEqual([0]);
    expect(Array.from(fast.indices)).toEqual([0]);
    expect(Array.from(fast.scores)).toEqual(Array.from(portable.scores));
  });

  it("rejects broken input with typed errors", async () => {
    const documents = Float32Array.from([1, 2, Number.NaN, 4]);
    const base = {
      queries: Float32Array.from([1, 0]),
      queryCount: 1,
      dimension: 2,
      documents: matrixDocumentSource(documents, 2, 2),
      topK: 1,
      similarity: "dot" as const,
      documentTieRank: Uint32Array.from([0, 1]),
    };
    await expect(exactSearch(base)).rejects.toThrow(/document vector at position 1/);
    await expect(exactSearch({ ...base, documentTieRank: new Uint32Array(1) })).rejects.toBeInstanceOf(
      UsageError,
    );
    await expect(
      exactSearch({ ...base, dimension: 1, queries: Float32Array.from([1]) }),
    ).rejects.toBeInstanceOf(DatasetError);
    await expect(exactSearch({ ...base, topK: 0 })).rejects.toBeInstanceOf(UsageError);
    const short: DocumentSource = {
      dimension: 2,
      rows: 3,
      async *chunks() {
        yield { start: 0, rows: 1, vectors: Float32Array.from([1, 1]) };
      },
    };
    await expect(
      exactSearch({ ...base, documents: short, documentTieRank: new Uint32Array(3) }),
    ).rejects.toThrow(/yielded 1 rows but declared 3/);
  });
});
