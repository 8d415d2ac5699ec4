/**
 * The index torch.topk(k=1, largest) returns on CPU, ties included. torch copies the row into (value,
 * index) pairs and, when k * 64 > n, runs libstdc++'s std::nth_element (introselect) with "greater" as the
 * comparison; otherwise std::partial_sort, which keeps the first maximum. Among exactly tied scores
 * nth_element's partitioning decides which one lands first, so for fewer than 64 candidates the choice
 * is often not the first maximum: a port must replay the same swaps to choose the same target as MTEB.
 * Ported from libstdc++'s bits/stl_algo.h (__introselect, __unguarded_partition_pivot,
 * __move_median_to_first, __unguarded_partition, __insertion_sort).
 */
export function torchTopOneIndex(scores: ArrayLike<number>): number {
  const n = scores.length;
  if (n === 0) throw new RangeError("torchTopOneIndex: no candidates");
  if (n >= 64) {
    // partial_sort with k = 1: a heap of one element replaced by each strictly greater value.
    let best = 0;
    for (let index = 1; index < n; index++)
      if ((scores[index] as number) > (scores[best] as number)) best = index;
    return best;
  }
  const values = Float64Array.from(scores as ArrayLike<number>);
  const indices = Int32Array.from({ length: n }, (_, index) => index);
  const greater = (a: number, b: number): boolean => (values[a] as number) > (values[b] as number);
  const swap = (a: number, b: number): void => {
    const value = values[a] as number;
    values[a] = values[b] as number;
    values[b] = value;
    const index = indices[a] as number;
    indices[a] = indices[b] as number;
    indices[b] = index;
  };
  // nth = first (k - 1 = 0): every partition cut lies after it, so only `last` moves.
  const first = 0;
  let last = n;
  let depthLimit = 2 * Math.floor(Math.log2(n));
  while (last - first > 3) {
    if (depthLimit === 0) {
      // __heap_select with a heap of one element, then iter_swap(first, nth) which is a no-op here.
      for (let index = first + 1; index < last; index++) if (greater(index, first)) swap(index, first);
      return indices[first] as number;
    }
    depthLimit--;
    const middle = first + Math.floor((last - first) / 2);
    moveMedianToFirst(first, first + 1, middle, last - 1, greater, swap);
    last = unguardedPartition(first + 1, last, first, greater, swap);
  }
  insertionSort(first, last, values, indices, greater);
  return indices[first] as number;
}

function moveMedianToFirst(
  result: number,
  a: number,
  b: number,
  c: number,
  less: (x: number, y: number) => boolean,
  swap: (x: number, y: number) => void,
): void {
  if (less(a, b)) {
    if (less(b, c)) swap(result, b);
    else if (less(a, c)) swap(result, c);
    else swap(result, a);
  } else if (less(a, c)) swap(result, a);
  else if (less(b, c)) swap(result, c);
  else swap(result, b);
}

function unguardedPartition(
  start: number,
  end: number,
  pivot: number,
  less: (x: number, y: number) => boolean,
  swap: (x: number, y: number) => void,
): number {
  let first = start;
  let last = end;
  while (true) {
    while (less(first, pivot)) first++;
    last--;
    while (less(pivot, last)) last--;
    if (!(first < last)) return first;
    swap(first, last);
    first++;
  }
}

function insertionSort(
  first: number,
  last: number,
  values: Float64Array,
  indices: Int32Array,
  less: (x: number, y: number) => boolean,
): void {
  if (first === last) return;
  for (let position = first + 1; position < last; position++) {
    const value = values[position] as number;
    const index = indices[position] as number;
    if (less(position, first)) {
      // Move the whole prefix one step right and put this element first.
      values.copyWithin(first + 1, first, position);
      indices.copyWithin(first + 1, first, position);
      values[first] = value;
      indices[first] = index;
    } else {
      // __unguarded_linear_insert: shift while the value is "less" (greater score) than its left neighbour.
      let hole = position;
      while (value > (values[hole - 1] as number)) {
        values[hole] = values[hole - 1] as number;
        indices[hole] = indices[hole - 1] as number;
        hole--;
      }
      values[hole] = value;
      indices[hole] = index;
    }
  }
}
