/**
 * Edit distance with adjacent transpositions counted as one edit (optimal string alignment), for
 * "did you mean" suggestions: `bm52` is one slip away from `bm25`. Inputs are short (keys, names).
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const columns = b.length + 1;
  const distance: number[] = new Array(rows * columns).fill(0);
  const at = (i: number, j: number) => distance[i * columns + j] as number;
  for (let i = 0; i < rows; i++) distance[i * columns] = i;
  for (let j = 0; j < columns; j++) distance[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < columns; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, at(i - 2, j - 2) + 1);
      }
      distance[i * columns + j] = best;
    }
  }
  return at(a.length, b.length);
}

/**
 * The candidate closest to `value`, if it is close enough to be a likely typo: at most a third of the
 * longer string's length, and at most 3 edits. Case differences count as near misses.
 */
export function closestMatch(value: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = editDistance(value.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best === undefined) return undefined;
  const limit = Math.min(3, Math.max(1, Math.floor(Math.max(value.length, best.length) / 3)));
  return bestDistance <= limit ? best : undefined;
}
