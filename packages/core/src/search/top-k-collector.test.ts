import { describe, expect, it } from "vitest";
import { TopKCollector } from "./top-k-collector.js";

/** The best k of the offered entries by sorting them all: score, then tie rank, then index, descending. */
function reference(
  entries: { query: number; score: number; index: number }[],
  tieRank: Uint32Array,
  query: number,
  k: number,
) {
  return entries
    .filter((entry) => entry.query === query)
    .sort(
      (left, right) =>
        right.score - left.score ||
        (tieRank[right.index] as number) - (tieRank[left.index] as number) ||
        right.index - left.index,
    )
    .slice(0, k);
}

describe("TopKCollector", () => {
  for (const keyedSortLimit of [Number.POSITIVE_INFINITY, 0]) {
    it(`keeps and orders the best k with ties, −0 and +0 (${keyedSortLimit === 0 ? "comparison sort" : "keyed sort"})`, () => {
      const queryCount = 5;
      const documents = 400;
      // Duplicate tie ranks too, so the document index decides some ties.
      const tieRank = Uint32Array.from({ length: documents }, (_, index) => (index * 7919) % 150);
      let state = 12345;
      const random = () => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return state / 2 ** 31;
      };
      const levels = [-1.5, -0.25, -0, 0, 1e-30, 0.125, 0.5, Math.fround(0.1), 3];
      for (const k of [1, 7, 64, 400]) {
        const collector = new TopKCollector(queryCount, k, tieRank, keyedSortLimit);
        const entries: { query: number; score: number; index: number }[] = [];
        for (let query = 0; query < queryCount; query++) {
          for (let index = 0; index < documents; index++) {
            if (random() < 0.2) continue;
            const score = levels[Math.floor(random() * levels.length)] as number;
            entries.push({ query, score, index });
            collector.offer(query, score, index);
          }
        }
        // Cut back to k: each threshold is then the k-th best score offered (what pruning relies on).
        collector.tighten(0, queryCount);
        for (let query = 0; query < queryCount; query++) {
          const expected = reference(entries, tieRank, query, k);
          const threshold =
            expected.length < k ? Number.NEGATIVE_INFINITY : Math.fround(expected[k - 1]?.score as number);
          expect(collector.thresholds[query], `threshold k ${k} query ${query}`).toBe(
            threshold === 0 ? 0 : threshold,
          );
          expect(collector.isFull(query)).toBe(expected.length >= k);
        }
        // Two queries ordered early, as the fast search does once their last chunk is scored; a
        // late offer to one of them changes nothing.
        collector.finishQueries(1, 3);
        collector.offer(1, 1e9, 0);
        const { indices, scores } = collector.finish();
        for (let query = 0; query < queryCount; query++) {
          const expected = reference(entries, tieRank, query, k);
          const kept = expected.length;
          expect(Array.from(indices.subarray(query * k, query * k + kept)), `k ${k} query ${query}`).toEqual(
            expected.map((entry) => entry.index),
          );
          expect(Array.from(scores.subarray(query * k, query * k + kept))).toEqual(
            expected.map((entry) => Math.fround(entry.score)),
          );
        }
      }
    });
  }
});
