import { describe, expect, it } from "vitest";
import { testMatrix } from "./search-test-data.js";
import { dotProduct, dotProductPair, largestRowNorm, normaliseRows } from "./similarity-kernel.js";

describe("dotProduct", () => {
  it("is within float32 rounding of the exact dot product", () => {
    const dimension = 771;
    const vectors = testMatrix({ rows: 2, dimension, seed: 1 });
    let exact = 0;
    for (let index = 0; index < dimension; index++) {
      exact += (vectors[index] as number) * (vectors[dimension + index] as number);
    }
    const score = dotProduct(vectors, 0, vectors, dimension, dimension);
    expect(score).toBe(Math.fround(score));
    expect(Math.abs(score - exact)).toBeLessThanOrEqual(Math.abs(exact) * 2 ** -23);
  });

  it("gives exactly the same numbers as the two-query kernel, for every dimension remainder", () => {
    for (const dimension of [1, 2, 3, 4, 5, 7, 8, 33]) {
      const queries = testMatrix({ rows: 2, dimension, seed: dimension });
      const documents = testMatrix({ rows: 5, dimension, seed: 100 + dimension });
      const pair = new Float64Array(2);
      for (let row = 0; row < 5; row++) {
        dotProductPair(queries, 0, dimension, documents, row * dimension, dimension, pair);
        expect(pair[0]).toBe(dotProduct(queries, 0, documents, row * dimension, dimension));
        expect(pair[1]).toBe(dotProduct(queries, dimension, documents, row * dimension, dimension));
      }
    }
  });
});

describe("normaliseRows", () => {
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
