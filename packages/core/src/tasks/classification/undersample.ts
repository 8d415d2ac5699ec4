import { numpyLegacyShuffle } from "../../statistics/mersenne-twister.js";

/**
 * MTEB's `_undersample_data` over all experiments: one index list 0..n-1 carried from experiment to
 * experiment; each experiment reshuffles it in place with a new numpy RandomState(seed) (so experiment e
 * uses the seed's permutation applied e + 1 times, MTEB issues #3896/#3897), then walks it and keeps an
 * index while its label has fewer than `samplesPerLabel` kept. Rows are fitted in that walk order.
 */
export function undersampledTrainIndices<Label>(
  labels: readonly Label[],
  samplesPerLabel: number,
  experiments: number,
  seed = 42,
): number[][] {
  const indices = Array.from({ length: labels.length }, (_, index) => index);
  const result: number[][] = [];
  for (let experiment = 0; experiment < experiments; experiment++) {
    numpyLegacyShuffle(indices, seed);
    const kept = new Map<Label, number>();
    const chosen: number[] = [];
    for (const index of indices) {
      const label = labels[index] as Label;
      const count = kept.get(label) ?? 0;
      if (count < samplesPerLabel) {
        kept.set(label, count + 1);
        chosen.push(index);
      }
    }
    result.push(chosen);
  }
  return result;
}
