/**
 * Pearson and Spearman correlations as SciPy computes them (scipy.stats.pearsonr / spearmanr), which is
 * what MTEB reports for STS and summarization. Constant input has no correlation: NaN, as SciPy returns.
 */

/** scipy.stats.pearsonr's statistic: centre both sides, normalise, dot product, clipped to [-1, 1]. */
export function pearsonCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  if (n !== y.length) throw new RangeError(`pearsonCorrelation: ${n} values against ${y.length}`);
  if (n < 2) return Number.NaN;
  const { meanX, meanY } = means(x, y);
  let sumXX = 0;
  let sumYY = 0;
  for (let index = 0; index < n; index++) {
    const dx = (x[index] as number) - meanX;
    const dy = (y[index] as number) - meanY;
    sumXX += dx * dx;
    sumYY += dy * dy;
  }
  const normX = Math.sqrt(sumXX);
  const normY = Math.sqrt(sumYY);
  if (normX === 0 || normY === 0) return Number.NaN;
  let dot = 0;
  for (let index = 0; index < n; index++) {
    dot += (((x[index] as number) - meanX) / normX) * (((y[index] as number) - meanY) / normY);
  }
  return Math.max(-1, Math.min(1, dot));
}

/** scipy.stats.rankdata(method="average"): ranks from 1, tied values share the mean of their ranks. */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, index) => index).sort(
    (a, b) => (values[a] as number) - (values[b] as number) || a - b,
  );
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end] as number] === values[order[start] as number]) end++;
    // Ranks start..end-1 (0-based) share the mean of start+1..end.
    const shared = (start + 1 + end) / 2;
    for (let position = start; position < end; position++) ranks[order[position] as number] = shared;
    start = end;
  }
  return ranks;
}

/** scipy.stats.spearmanr's statistic: the Pearson correlation of the average ranks. */
export function spearmanCorrelation(x: ArrayLike<number>, y: ArrayLike<number>): number {
  return pearsonCorrelation(averageRanks(x), averageRanks(y));
}

/**
 * Pearson's r split into one term per element: n·(x_i − x̄)(y_i − ȳ)/√(Σ(x − x̄)²·Σ(y − ȳ)²), whose mean
 * is r exactly. The comparison resamples such terms (with the means held fixed) to put a confidence
 * interval on a correlation from per-pair scores.
 */
export function correlationTerms(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  const n = x.length;
  const { meanX, meanY } = means(x, y);
  let sumXX = 0;
  let sumYY = 0;
  for (let index = 0; index < n; index++) {
    sumXX += ((x[index] as number) - meanX) ** 2;
    sumYY += ((y[index] as number) - meanY) ** 2;
  }
  const scale = n / Math.sqrt(sumXX * sumYY);
  const terms = new Float64Array(n);
  for (let index = 0; index < n; index++) {
    terms[index] =
      ((x[index] as number) - meanX) * ((y[index] as number) - meanY) * (Number.isFinite(scale) ? scale : 0);
  }
  return terms;
}

/** Spearman's rho split into per-element terms (correlationTerms of the average ranks). */
export function spearmanTerms(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  return correlationTerms(averageRanks(x), averageRanks(y));
}

/** Both means, summed in index order (the order SciPy's reduction is matched against). */
function means(x: ArrayLike<number>, y: ArrayLike<number>): { meanX: number; meanY: number } {
  const n = x.length;
  let meanX = 0;
  let meanY = 0;
  for (let index = 0; index < n; index++) {
    meanX += x[index] as number;
    meanY += y[index] as number;
  }
  return { meanX: meanX / n, meanY: meanY / n };
}
