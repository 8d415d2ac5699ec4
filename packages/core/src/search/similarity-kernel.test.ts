import { describe, expect, it } from "vitest";
import { testMatrix } from "../testing/search-test-data.js";
import { createKernelScorer } from "./kernel-scorer.js";
import { float32DotErrorFactor } from "./search-backend.js";
import { dotProduct, largestRowNorm, normaliseRows } from "./similarity-kernel.js";
import { createWasmScorer, releaseWasmScorer, wasmKernelAvailable } from "./wasm-scorer.js";

describe("dotProduct", () => {
  it("is a float32 within the float32 error bound of the exact dot product, and follows its order", () => {
    const dimension = 771;
    const vectors = testMatrix({ rows: 2, dimension, seed: 1 });
    let exact = 0;
    let absoluteSum = 0;
    for (let index = 0; index < dimension; index++) {
      const product = (vectors[index] as number) * (vectors[dimension + index] as number);
      exact += product;
      absoluteSum += Math.abs(product);
    }
    const score = dotProduct(vectors, 0, vectors, dimension, dimension);
    expect(score).toBe(Math.fround(score));
    expect(Math.abs(score - exact)).toBeLessThanOrEqual(float32DotErrorFactor(dimension) * absoluteSum);
    // The documented order, written out naively: 32 running float32 sums, the fixed combination, the
    // tail. Another order gives other low bits on these values.
    const round = Math.fround;
    const sums = new Array<number>(32).fill(0);
    const unrolledEnd = dimension - (dimension % 32);
    for (let index = 0; index < unrolledEnd; index++) {
      const lane = index % 32;
      sums[lane] = round(
        (sums[lane] as number) + round((vectors[index] as number) * (vectors[dimension + index] as number)),
      );
    }
    const at = (index: number) => sums[index] as number;
    const lanes = [0, 1, 2, 3].map((m) =>
      round(
        round(round(at(m) + at(m + 4)) + round(at(m + 8) + at(m + 12))) +
          round(round(at(m + 16) + at(m + 20)) + round(at(m + 24) + at(m + 28))),
      ),
    );
    let expected = round(
      round((lanes[0] as number) + (lanes[1] as number)) + round((lanes[2] as number) + (lanes[3] as number)),
    );
    for (let index = unrolledEnd; index < dimension; index++) {
      expected = round(expected + round((vectors[index] as number) * (vectors[dimension + index] as number)));
    }
    expect(score).toBe(expected);
    let sequential = 0;
    for (let index = 0; index < dimension; index++) {
      sequential = round(
        sequential + round((vectors[index] as number) * (vectors[dimension + index] as number)),
      );
    }
    expect(sequential).not.toBe(score);
  });

  it("gives exactly the same numbers in WebAssembly and in JavaScript, for every dimension remainder", () => {
    expect(wasmKernelAvailable()).toBe(true);
    for (const dimension of [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 65, 768, 771]) {
      const queryCount = 3;
      const rows = 40;
      const wasm = createKernelScorer(queryCount, dimension, rows, "webassembly");
      const javascript = createKernelScorer(queryCount, dimension, rows, "javascript");
      expect(wasm.kernel).toBe("webassembly");
      const queries = testMatrix({ rows: queryCount, dimension, seed: dimension });
      // Values of very different magnitudes make the sums round, so the order matters.
      const documents = testMatrix({ rows, dimension, seed: 100 + dimension }).map((value, index) =>
        index % 3 === 0 ? value * 1e6 : value,
      );
      for (const scorer of [wasm, javascript]) {
        scorer.queries.set(queries);
        scorer.documents.set(documents);
        scorer.rowList.set(Array.from({ length: rows }, (_, index) => (index * 7) % rows));
      }
      for (let query = 0; query < queryCount; query++) {
        wasm.scoreRows(query, 5, rows - 5);
        javascript.scoreRows(query, 5, rows - 5);
        const expected = Array.from({ length: rows - 5 }, (_, index) =>
          dotProduct(queries, query * dimension, documents, (index + 5) * dimension, dimension),
        );
        expect(Array.from(wasm.output.subarray(0, rows - 5))).toEqual(expected);
        expect(Array.from(javascript.output.subarray(0, rows - 5))).toEqual(expected);
        wasm.scoreList(query, rows);
        javascript.scoreList(query, rows);
        expect(Array.from(wasm.output.subarray(0, rows))).toEqual(
          Array.from(javascript.output.subarray(0, rows)),
        );
      }
      // One row against a list of queries: the same numbers, roles swapped.
      for (const scorer of [wasm, javascript]) {
        scorer.rowList.set([2, 0, 1, 2]);
        scorer.scoreQueryList(7, 4);
        const expected = [2, 0, 1, 2].map((query) =>
          dotProduct(queries, query * dimension, documents, 7 * dimension, dimension),
        );
        expect(Array.from(scorer.output.subarray(0, 4))).toEqual(expected);
      }
    }
  });
});

describe("gather", () => {
  it("finds the same rows in WebAssembly and JavaScript, and reports NaN", () => {
    const count = 203;
    const values = testMatrix({ rows: 1, dimension: count, seed: 77, levels: 4 });
    for (const kernel of ["webassembly", "javascript"] as const) {
      const scorer = createKernelScorer(1, 1, count, kernel, count + 3);
      expect(scorer.kernel).toBe(kernel);
      scorer.similarities.set(values, 3);
      for (const cut of [-2, -0.5, 0, 0.5, 1, 2]) {
        const expected = Array.from(values.keys()).filter((index) => (values[index] as number) >= cut);
        const found = scorer.gather(3, count, cut);
        expect(Array.from(scorer.rowList.subarray(0, found)), `${kernel} ${cut}`).toEqual(expected);
      }
      scorer.similarities[3 + 150] = Number.NaN;
      expect(scorer.gather(3, count, 0.5)).toBe(-1);
      expect(scorer.gather(3, 150, 0.5)).toBeGreaterThan(0);
    }
  });

  it("compacts every pattern of four lanes, and writes nothing past the row list", () => {
    // Group m of four values has lane L at or above the cut exactly when bit L of m is set: all
    // sixteen patterns, in both halves of a sixteen-value step, then a tail.
    const patterns = Array.from({ length: 32 }, (_, group) => group % 16);
    const values = Float32Array.from([
      ...patterns.flatMap((mask) => [0, 1, 2, 3].map((lane) => ((mask >> lane) & 1 ? 1 : -1))),
      1,
      -1,
      1,
    ]);
    const count = values.length;
    const expected = Array.from(values.keys()).filter((index) => (values[index] as number) >= 0);
    for (const kernel of ["webassembly", "javascript"] as const) {
      // A row list exactly as long as the values: a kernel that stores past it would reach `output`.
      // Queries fill the memory's first bytes with values no pattern table holds.
      const scorer = createKernelScorer(16, 16, count, kernel, count);
      scorer.queries.fill(-1e30);
      scorer.similarities.set(values);
      scorer.output.fill(7);
      expect(scorer.gather(0, count, 0)).toBe(expected.length);
      expect(Array.from(scorer.rowList.subarray(0, expected.length)), kernel).toEqual(expected);
      expect(scorer.output.every((value) => value === 7)).toBe(true);
      // Every value at or above the cut: the list fills to its last entry.
      expect(scorer.gather(0, count, -2)).toBe(count);
      expect(Array.from(scorer.rowList.subarray(0, count))).toEqual(Array.from(values.keys()));
      expect(scorer.output.every((value) => value === 7)).toBe(true);
    }
  });
});

describe("normaliseRows", () => {
  it("normalises identically in WebAssembly and JavaScript, and names a non-finite row", () => {
    for (const dimension of [1, 3, 4, 5, 8, 13, 768]) {
      const rows = 12;
      const source = testMatrix({ rows, dimension, seed: 300 + dimension }).map((value, index) =>
        // Rows of very different scales, a zero row and a tiny row.
        Math.floor(index / dimension) === 2
          ? 0
          : Math.floor(index / dimension) === 3
            ? value * 1e-30
            : value * (index % 7),
      );
      const expected = new Float32Array(source.length);
      normaliseRows(source, expected, rows, dimension);
      for (const kernel of ["webassembly", "javascript"] as const) {
        const scorer = createKernelScorer(1, dimension, rows, kernel);
        scorer.documents.set(source);
        expect(scorer.normaliseDocuments(rows)).toBe(-1);
        expect(Array.from(scorer.documents), `${kernel} ${dimension}`).toEqual(Array.from(expected));
        const broken = source.slice();
        broken[5 * dimension + (dimension - 1)] = Number.POSITIVE_INFINITY;
        scorer.documents.set(broken);
        expect(scorer.normaliseDocuments(rows)).toBe(5);
        broken[4 * dimension] = Number.NaN;
        scorer.documents.set(broken);
        expect(scorer.normaliseDocuments(rows)).toBe(4);
        // A run of rows from the middle: the rows before it stay as they were.
        scorer.documents.set(source);
        expect(scorer.normaliseDocuments(rows - 3, 3)).toBe(-1);
        expect(Array.from(scorer.documents.subarray(0, 3 * dimension))).toEqual(
          Array.from(source.subarray(0, 3 * dimension)),
        );
        expect(Array.from(scorer.documents.subarray(3 * dimension))).toEqual(
          Array.from(expected.subarray(3 * dimension)),
        );
        scorer.documents.set(broken);
        expect(scorer.normaliseDocuments(rows - 3, 3)).toBe(4);
      }
    }
  });

  it("gives unit rows, keeps a zero row zero, and reports a non-finite row", () => {
    const source = Float32Array.from([3, 4, 0, 0, 1, 1]);
    const target = new Float32Array(6);
    const { largestNorm, firstNonFiniteRow } = normaliseRows(source, target, 3, 2);
    expect(Array.from(target.subarray(0, 4))).toEqual([Math.fround(0.6), Math.fround(0.8), 0, 0]);
    expect(target[4]).toBe(Math.fround(1 / Math.SQRT2));
    expect(firstNonFiniteRow).toBe(-1);
    expect(Math.abs(largestNorm - 1)).toBeLessThan(1e-6);
    const broken = Float32Array.from([1, 0, Number.NaN, 1]);
    expect(normaliseRows(broken, new Float32Array(4), 2, 2).firstNonFiniteRow).toBe(1);
    expect(
      largestRowNorm(Float32Array.from([1, 0, 0, Number.POSITIVE_INFINITY]), 2, 2).firstNonFiniteRow,
    ).toBe(1);
  });
});

describe("createWasmScorer", () => {
  it("hands a released kernel to the next request that fits it, once, and not to a much smaller one", () => {
    const bytes = 8 * 65536;
    const first = createWasmScorer(bytes);
    expect(first).not.toBeNull();
    releaseWasmScorer(first as NonNullable<typeof first>);
    // A quarter of the size would waste the rest: a fresh kernel.
    expect(createWasmScorer(bytes / 4)).not.toBe(first);
    expect(createWasmScorer(bytes)).toBe(first);
    expect(createWasmScorer(bytes)).not.toBe(first);
  });
});
