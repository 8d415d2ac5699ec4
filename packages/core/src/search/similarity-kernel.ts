/**
 * The one routine that decides every score embedeval reports: a float32 dot product in a fixed
 * order of float32 operations.
 *
 * Both search backends rank by the numbers this routine returns (a fast backend only proposes
 * candidates), so their rankings and scores are identical bit for bit. The order is fixed, and the
 * WebAssembly kernel (similarity-wasm.ts) performs exactly the same operations four lanes at a time:
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
  // A Float32Array element stores a float64 sum of two float32 values rounded to float32, which is
  // the float32 sum (float64 has more than twice float32's precision plus two bits); Math.fround of
  // a float64 product of two float32 values (exact) is the float32 product.
  const sums = runningSums;
  sums.fill(0);
  const unrolledEnd = dimension - (dimension % dotStepElements);
  let index = 0;
  for (; index < unrolledEnd; index += dotStepElements) {
    const leftAt = leftOffset + index;
    const rightAt = rightOffset + index;
    for (let lane = 0; lane < dotStepElements; lane++) {
      sums[lane] =
        (sums[lane] as number) +
        Math.fround((left[leftAt + lane] as number) * (right[rightAt + lane] as number));
    }
  }
  const round = Math.fround;
  const vectorSum = (lane: number) => {
    const at = (offset: number) => sums[lane + offset] as number;
    return round(
      round(round(at(0) + at(4)) + round(at(8) + at(12))) +
        round(round(at(16) + at(20)) + round(at(24) + at(28))),
    );
  };
  let sum = round(round(vectorSum(0) + vectorSum(1)) + round(vectorSum(2) + vectorSum(3)));
  for (; index < dimension; index++) {
    sum = round(sum + round((left[leftOffset + index] as number) * (right[rightOffset + index] as number)));
  }
  return sum;
}

/** Elements per step of the dot product: 32 running sums (eight four-lane vectors in WebAssembly). */
const dotStepElements = 32;
const runningSums = new Float32Array(dotStepElements);

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
