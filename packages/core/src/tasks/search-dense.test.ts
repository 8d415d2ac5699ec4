import { describe, expect, it } from "vitest";
import { searchDense } from "./search-dense.js";

/** Seeded values in [-1, 1), quantised so that many scores tie exactly. */
function values(count: number, seed: number): Float32Array {
  let state = seed;
  const result = new Float32Array(count);
  for (let index = 0; index < count; index++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    result[index] = Math.round(((state >>> 0) / 2147483648 - 1) * 4) / 4;
  }
  return result;
}

describe("searchDense", () => {
  const dimension = 6;
  const documentCount = 300;
  const block = values(documentCount * dimension, 5);
  const queryVectors = Array.from({ length: 4 }, (_, query) => values(dimension, 100 + query));
  const search = (documents: Float32Array[]) =>
    searchDense({
      queryIds: ["q0", "q1", "q2", "q3"],
      queryVectors,
      documentIds: Array.from({ length: documentCount }, (_, index) => `d${(index * 7) % documentCount}`),
      documents,
      topK: 50,
      similarity: "cosine",
    });

  it("ranks rows viewed in one block (searched in place) as it ranks separate rows (packed)", async () => {
    const views = Array.from({ length: documentCount }, (_, row) =>
      block.subarray(row * dimension, (row + 1) * dimension),
    );
    const copies: Float32Array[] = views.map((view) => view.slice());
    // Views of one block but not consecutive: must be packed, not taken as the block.
    const swapped = [...views];
    [swapped[0], swapped[1]] = [views[1] as Float32Array, views[0] as Float32Array];
    const swappedCopies = [...copies];
    [swappedCopies[0], swappedCopies[1]] = [copies[1] as Float32Array, copies[0] as Float32Array];

    expect(await search(views)).toEqual(await search(copies));
    expect(await search(swapped)).toEqual(await search(swappedCopies));
    expect(await search(swapped)).not.toEqual(await search(views));
    // The search reads the block; it must not write to it (cosine normalises a copy).
    expect(block).toEqual(values(documentCount * dimension, 5));
  });
});
