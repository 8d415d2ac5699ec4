/**
 * The one routine that decides every score embedeval reports: a float32 dot product accumulated in
 * float64 in a fixed order, rounded to float32 at the end.
 *
 * Both search backends rank by the numbers this routine returns (the fast backend only proposes
 * candidates), so their rankings and scores are identical bit for bit. The order is fixed: four
 * running sums over elements i ≡ 0, 1, 2, 3 (mod 4), the tail added to the first, combined as
 * (s0 + s1) + (s2 + s3). Each product of two float32 values is exact in float64, so the only
 * rounding is in the sums (relative error about dimension × 2^-53) and the final float32 rounding.
 * Any code that computes a score must produce exactly this sequence of operations per pair.
 */
export function dotProduct(
  left: Float32Array,
  leftOffset: number,
  right: Float32Array,
  rightOffset: number,
  dimension: number,
): number {
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const unrolledEnd = dimension - (dimension % 4);
  let index = 0;
  for (; index < unrolledEnd; index += 4) {
    sum0 += (left[leftOffset + index] as number) * (right[rightOffset + index] as number);
    sum1 += (left[leftOffset + index + 1] as number) * (right[rightOffset + index + 1] as number);
    sum2 += (left[leftOffset + index + 2] as number) * (right[rightOffset + index + 2] as number);
    sum3 += (left[leftOffset + index + 3] as number) * (right[rightOffset + index + 3] as number);
  }
  for (; index < dimension; index++) {
    sum0 += (left[leftOffset + index] as number) * (right[rightOffset + index] as number);
  }
  return Math.fround(sum0 + sum1 + (sum2 + sum3));
}

/** Euclidean norm of one row, in float64. */
export function rowNorm(vectors: Float32Array, offset: number, dimension: number): number {
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    const value = vectors[offset + index] as number;
    sum += value * value;
  }
  return Math.sqrt(sum);
}

/**
 * L2-normalises `rows` rows of `source` into `target` (float32), the way MTEB does before a cosine
 * search (torch.nn.functional.normalize: x / max(‖x‖, 1e-12), so a zero vector stays zero).
 * Returns a bound on the norm of every normalised row, for the fast path's error bound: each
 * component is x/‖x‖ rounded once to float32 (relative error ≤ 2⁻²⁴), so every row's norm is at
 * most 1 + 2⁻²⁴; 1 + 2⁻²² leaves room. firstNonFiniteRow names a row holding NaN or ±∞ (else -1).
 */
export function normaliseRows(
  source: Float32Array,
  target: Float32Array,
  rows: number,
  dimension: number,
): { largestNorm: number; firstNonFiniteRow: number } {
  for (let row = 0; row < rows; row++) {
    const offset = row * dimension;
    const norm = rowNorm(source, offset, dimension);
    if (!Number.isFinite(norm)) return { largestNorm: Number.NaN, firstNonFiniteRow: row };
    const divisor = Math.max(norm, 1e-12);
    for (let index = offset; index < offset + dimension; index++) {
      target[index] = (source[index] as number) / divisor;
    }
  }
  return { largestNorm: 1 + 2 ** -22, firstNonFiniteRow: -1 };
}

/** The largest row norm, or NaN with the first row holding a non-finite value. */
export function largestRowNorm(
  vectors: Float32Array,
  rows: number,
  dimension: number,
): { largestNorm: number; firstNonFiniteRow: number } {
  let largestNorm = 0;
  for (let row = 0; row < rows; row++) {
    const norm = rowNorm(vectors, row * dimension, dimension);
    if (!Number.isFinite(norm)) return { largestNorm: Number.NaN, firstNonFiniteRow: row };
    if (norm > largestNorm) largestNorm = norm;
  }
  return { largestNorm, firstNonFiniteRow: -1 };
}
