/**
 * The one routine that decides every score embedeval reports: a float32 dot product in a fixed
 * order of float32 operations.
 *
 * Both search backends rank by the numbers this routine returns (a fast backend only proposes
 * candidates), so their rankings and scores are identical bit for bit. The order is fixed, and the
 * WebAssembly kernel (kernels/dot-product.wat) performs exactly the same operations four lanes at a time:
 *   s0..s31: 32 running sums, s_j over the elements i ≡ j (mod 32) below dimension − dimension % 32,
 *     each step s_j = s_j + (left_i · right_i), the product rounded to float32, then the sum;
 *   v_m = ((s_m + s_m+4) + (s_m+8 + s_m+12)) + ((s_m+16 + s_m+20) + (s_m+24 + s_m+28)) for m = 0..3;
 *   sum = (v0 + v1) + (v2 + v3); then sum = sum + (left_i · right_i) for each remaining element.
 * No fused multiply-add, so every engine rounds the same way. The error is that of any float32 dot
 * product (at most γ(n+1)·‖left‖·‖right‖, float32DotErrorFactor), as in PyTorch's matmul.
 */
export function dotProduct(
  left: Float32Array,
  leftOffset: number,
  right: Float32Array,
  rightOffset: number,
  dimension: number,
): number {
  // Math.fround of a float64 product of two float32 values (exact) is the float32 product, and of
  // a float64 sum of two float32 values the float32 sum (float64 has more than twice float32's
  // precision plus two bits). Thirty-two named sums rather than an array: V8 keeps them in
  // registers (an array of sums ran at 0.2 GFLOP/s).
  const round = Math.fround;
  let s0 = 0,
    s1 = 0,
    s2 = 0,
    s3 = 0,
    s4 = 0,
    s5 = 0,
    s6 = 0,
    s7 = 0,
    s8 = 0,
    s9 = 0,
    s10 = 0,
    s11 = 0,
    s12 = 0,
    s13 = 0,
    s14 = 0,
    s15 = 0,
    s16 = 0,
    s17 = 0,
    s18 = 0,
    s19 = 0,
    s20 = 0,
    s21 = 0,
    s22 = 0,
    s23 = 0,
    s24 = 0,
    s25 = 0,
    s26 = 0,
    s27 = 0,
    s28 = 0,
    s29 = 0,
    s30 = 0,
    s31 = 0;
  const unrolledEnd = dimension - (dimension % dotStepElements);
  let index = 0;
  for (; index < unrolledEnd; index += dotStepElements) {
    const l = leftOffset + index;
    const r = rightOffset + index;
    s0 = round(s0 + round((left[l] as number) * (right[r] as number)));
    s1 = round(s1 + round((left[l + 1] as number) * (right[r + 1] as number)));
    s2 = round(s2 + round((left[l + 2] as number) * (right[r + 2] as number)));
    s3 = round(s3 + round((left[l + 3] as number) * (right[r + 3] as number)));
    s4 = round(s4 + round((left[l + 4] as number) * (right[r + 4] as number)));
    s5 = round(s5 + round((left[l + 5] as number) * (right[r + 5] as number)));
    s6 = round(s6 + round((left[l + 6] as number) * (right[r + 6] as number)));
    s7 = round(s7 + round((left[l + 7] as number) * (right[r + 7] as number)));
    s8 = round(s8 + round((left[l + 8] as number) * (right[r + 8] as number)));
    s9 = round(s9 + round((left[l + 9] as number) * (right[r + 9] as number)));
    s10 = round(s10 + round((left[l + 10] as number) * (right[r + 10] as number)));
    s11 = round(s11 + round((left[l + 11] as number) * (right[r + 11] as number)));
    s12 = round(s12 + round((left[l + 12] as number) * (right[r + 12] as number)));
    s13 = round(s13 + round((left[l + 13] as number) * (right[r + 13] as number)));
    s14 = round(s14 + round((left[l + 14] as number) * (right[r + 14] as number)));
    s15 = round(s15 + round((left[l + 15] as number) * (right[r + 15] as number)));
    s16 = round(s16 + round((left[l + 16] as number) * (right[r + 16] as number)));
    s17 = round(s17 + round((left[l + 17] as number) * (right[r + 17] as number)));
    s18 = round(s18 + round((left[l + 18] as number) * (right[r + 18] as number)));
    s19 = round(s19 + round((left[l + 19] as number) * (right[r + 19] as number)));
    s20 = round(s20 + round((left[l + 20] as number) * (right[r + 20] as number)));
    s21 = round(s21 + round((left[l + 21] as number) * (right[r + 21] as number)));
    s22 = round(s22 + round((left[l + 22] as number) * (right[r + 22] as number)));
    s23 = round(s23 + round((left[l + 23] as number) * (right[r + 23] as number)));
    s24 = round(s24 + round((left[l + 24] as number) * (right[r + 24] as number)));
    s25 = round(s25 + round((left[l + 25] as number) * (right[r + 25] as number)));
    s26 = round(s26 + round((left[l + 26] as number) * (right[r + 26] as number)));
    s27 = round(s27 + round((left[l + 27] as number) * (right[r + 27] as number)));
    s28 = round(s28 + round((left[l + 28] as number) * (right[r + 28] as number)));
    s29 = round(s29 + round((left[l + 29] as number) * (right[r + 29] as number)));
    s30 = round(s30 + round((left[l + 30] as number) * (right[r + 30] as number)));
    s31 = round(s31 + round((left[l + 31] as number) * (right[r + 31] as number)));
  }
  // v_m = ((s_m + s_m+4) + (s_m+8 + s_m+12)) + ((s_m+16 + s_m+20) + (s_m+24 + s_m+28))
  const v0 = round(round(round(s0 + s4) + round(s8 + s12)) + round(round(s16 + s20) + round(s24 + s28)));
  const v1 = round(round(round(s1 + s5) + round(s9 + s13)) + round(round(s17 + s21) + round(s25 + s29)));
  const v2 = round(round(round(s2 + s6) + round(s10 + s14)) + round(round(s18 + s22) + round(s26 + s30)));
  const v3 = round(round(round(s3 + s7) + round(s11 + s15)) + round(round(s19 + s23) + round(s27 + s31)));
  let sum = round(round(v0 + v1) + round(v2 + v3));
  for (; index < dimension; index++) {
    sum = round(sum + round((left[leftOffset + index] as number) * (right[rightOffset + index] as number)));
  }
  return sum;
}

/** Elements per step of the dot product: 32 running sums (eight four-lane vectors in WebAssembly). */
const dotStepElements = 32;

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
