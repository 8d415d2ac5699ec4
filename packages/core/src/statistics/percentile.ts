/** Percentiles with linear interpolation between closest ranks (numpy's default). */
export function percentile(sortedValues: ArrayLike<number>, fraction: number): number {
  if (sortedValues.length === 0) return Number.NaN;
  const position = (sortedValues.length - 1) * fraction;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sortedValues[lower] as number;
  const high = sortedValues[upper] as number;
  return low + (high - low) * (position - lower);
}
