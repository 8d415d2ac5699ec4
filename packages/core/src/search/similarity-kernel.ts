/**
 * The one routine that decides every score embedeval reports: a float32 dot product accumulated in
 * float64 in a fixed order, rounded to float32 at the end.
 *
 * Both search backends rank by the numbers this routine returns (a fast backend only proposes
 * candidates), so their rankings and scores are identical bit for bit. The order is fixed, and the
 * WebAssembly kernel (similarity-wasm.ts) performs exactly the same operations two lanes at a time:
 *   s0..s7: eight running sums over the elements i ≡ 0..7 (mod 8) below dimension − dimension % 8;
 *   low = (s0 + s4) + (s2 + s6), high = (s1 + s5) + (s3 + s7);
 *   low += each remaining product in order; result = fround(low + high).
 * Each product of two float32 values is exact in float64, so the only rounding is in the sums
 * (relative error about dimension × 2⁻⁵³) and the final rounding to float32.
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
  let sum4 = 0;
  let sum5 = 0;
  let sum6 = 0;
  let sum7 = 0;
  const unrolledEnd = dimension - (dimension % 8);
  let index = 0;
  for (; index < unrolledEnd; index += 8) {
    const leftAt = leftOffset + index;
    const rightAt = rightOffset + index;
    sum0 += (left[leftAt] as number) * (right[rightAt] as number);
    sum1 += (left[leftAt + 1] as number) * (right[rightAt + 1] as number);
    sum2 += (left[leftAt + 2] as number) * (right[rightAt + 2] as number);
    sum3 += (left[leftAt + 3] as number) * (right[rightAt + 3] as number);
    sum4 += (left[leftAt + 4] as number) * (right[rightAt + 4] as number);
    sum5 += (left[leftAt + 5] as number) * (right[rightAt + 5] as number);
    sum6 += (left[leftAt + 6] as number) * (right[rightAt + 6] as number);
    sum7 += (left[leftAt + 7] as number) * (right[rightAt + 7] as number);
  }
  let low = sum0 + sum4 + (sum2 + sum6);
  const high = sum1 + sum5 + (sum3 + sum7);
  for (; index < dimension; index++) {
    low += (left[leftOffset + index] as number) * (right[rightOffset + index] as number);
  }
  return Math.fround(low + high);
}

/** Euclidean norm of one row, in float64 (four running sums, so the adds overlap). */
export function rowNorm(vectors: Float32Array, offset: number, dimension: number): number {
  let sum0 = 0;
  let sum1 = 0;
  let sum2 = 0;
  let sum3 = 0;
  const unrolledEnd = offset + dimension - (dimension % 4);
  let index = offset;
  for (; index < unrolledEnd; index += 4) {
    const value0 = vectors[index] as number;
    const value1 = vectors[index + 1] as number;
    const value2 = vectors[index + 2] as number;
    const value3 = vectors[index + 3] as number;
    sum0 += value0 * value0;
    sum1 += value1 * value1;
    sum2 += value2 * value2;
    sum3 += value3 * value3;
  }
  for (; index < offset + dimension; index++) {
    const value = vectors[index] as number;
    sum0 += value * value;
  }
  return Math.sqrt(sum0 + sum1 + (sum2 + sum3));
}

/** A bound on the norm of every row `normaliseRows` produces (see there). */
export const normalisedRowNormBound = 1 + 2 ** -22;

/**
 * L2-normalises `rows` rows of `source` into `target`, the way MTEB does before a cosine search
 * (torch.nn.functional.normalize: x / max(‖x‖, 1e-12) in float32, so a zero vector stays zero).
 * The norm is rounded to float32 and each component divided by it: a float64 quotient of two
 * float32 values rounded to float32 is the correctly rounded float32 quotient, i.e. torch's.
 * Returns a bound on every normalised row's norm, for the fast path's error bound: after two
 * roundings (norm, quotient) each component is within about 2⁻²³ relative of x/‖x‖, so every
 * row's norm is at most about 1 + 2⁻²³; 1 + 2⁻²² leaves room. firstNonFiniteRow names a row holding NaN or ±∞ (else -1).
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
    const divisor = Math.fround(Math.max(norm, 1e-12));
    for (let index = offset; index < offset + dimension; index++) {
      target[index] = (source[index] as number) / divisor;
    }
  }
  return { largestNorm: normalisedRowNormBound, firstNonFiniteRow: -1 };
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
