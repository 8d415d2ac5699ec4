/**
 * The k-th largest of a list of scores: the selection step of the fast search path
 * (exact-search.ts), run a few thousand times per search on lists of hundreds to thousands of
 * values. A quickselect in JavaScript costs about 17 ns per value on such lists (its swaps and
 * branches do not predict); a 256-bucket histogram over [min, max] finds the bucket holding the
 * k-th largest in two branch-light passes, and a quickselect then runs on that bucket alone, so the
 * selection costs about a third of that.
 */
const bucketCount = 256;
/** Below this many values the histogram does not pay for itself. */
const smallListLength = 64;

export class LargestValueSelector {
  private readonly counts = new Uint32Array(bucketCount);
  private bucket: Float32Array;

  constructor(capacity = 1024) {
    this.bucket = new Float32Array(capacity);
  }

  /** The rank-th largest of values[0..count) (rank 1 = the largest); values are left as they are. */
  kthLargest(values: Float32Array, count: number, rank: number): number {
    if (!(rank >= 1 && rank <= count)) throw new RangeError(`rank ${rank} is outside 1..${count}`);
    let lowest = Number.POSITIVE_INFINITY;
    let highest = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < count; index++) {
      const value = values[index] as number;
      if (value < lowest) lowest = value;
      if (value > highest) highest = value;
    }
    if (lowest === highest) return lowest;
    // NaN or infinite values have no place in a histogram: select among all of them.
    if (count <= smallListLength || !Number.isFinite(highest - lowest)) {
      const copy = this.room(count);
      copy.set(values.subarray(0, count));
      return quickselectLargest(copy, count, rank);
    }
    // (bucketCount − 1) / width keeps every index in 0..bucketCount − 1 whatever the rounding; both
    // passes compute it with the same expression, so a value lands in the same bucket each time.
    const scale = (bucketCount - 1) / (highest - lowest);
    const counts = this.counts;
    counts.fill(0);
    for (let index = 0; index < count; index++) {
      const bucket = (((values[index] as number) - lowest) * scale) | 0;
      counts[bucket] = (counts[bucket] as number) + 1;
    }
    let above = 0;
    let bucket = bucketCount - 1;
    while (above + (counts[bucket] as number) < rank) {
      above += counts[bucket] as number;
      bucket--;
    }
    const inBucket = this.room(counts[bucket] as number);
    let found = 0;
    for (let index = 0; index < count; index++) {
      const value = values[index] as number;
      if ((((value - lowest) * scale) | 0) === bucket) inBucket[found++] = value;
    }
    return quickselectLargest(inBucket, found, rank - above);
  }

  private room(count: number): Float32Array {
    if (this.bucket.length < count) this.bucket = new Float32Array(Math.max(count, 2 * this.bucket.length));
    return this.bucket;
  }
}

/**
 * Rearranges `values[0..count)` and returns its `rank`-th largest value (rank 1 = the largest):
 * quickselect with a median-of-three pivot.
 */
export function quickselectLargest(values: Float32Array, count: number, rank: number): number {
  let low = 0;
  let high = count - 1;
  const target = rank - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const first = values[low] as number;
    const second = values[middle] as number;
    const third = values[high] as number;
    const pivot = Math.max(Math.min(first, second), Math.min(Math.max(first, second), third));
    let left = low;
    let right = high;
    while (left <= right) {
      while ((values[left] as number) > pivot) left++;
      while ((values[right] as number) < pivot) right--;
      if (left <= right) {
        const swap = values[left] as number;
        values[left] = values[right] as number;
        values[right] = swap;
        left++;
        right--;
      }
    }
    if (target <= right) high = right;
    else if (target >= left) low = left;
    else return values[target] as number;
  }
  return values[target] as number;
}
