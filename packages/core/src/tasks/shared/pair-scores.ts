import type { Similarity } from "../../search/similarity.js";

/**
 * The per-pair scores MTEB's symmetric evaluators compute from two vectors. MTEB computes them in float32
 * (scikit-learn paired distances keep the input dtype, torch works in float32); here in float64 from the
 * float32 components, which lands within about 1e-7 of MTEB's values and orders them identically (see
 * test/fixtures/mteb-task-types/README.md, "Exactness").
 */

function norm(vector: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < vector.length; index++) sum += (vector[index] as number) ** 2;
  return Math.sqrt(sum);
}

export function dotProduct(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += (a[index] as number) * (b[index] as number);
  return sum;
}

/**
 * scikit-learn's 1 - paired_cosine_distances, 1 - ½‖a/‖a‖ - b/‖b‖‖², which equals the cosine a·b/(‖a‖‖b‖)
 * for non-zero vectors; computed as the cosine, so that orthogonal vectors score exactly 0 instead of
 * rounding noise that would break their ties at random (MTEB's own float32 noise cannot be replayed
 * anyway). A zero vector stays zero, as in scikit-learn: 0.5 against a non-zero vector, 1 against another zero.
 */
export function pairedCosineScore(a: Float32Array, b: Float32Array): number {
  const normA = norm(a);
  const normB = norm(b);
  if (normA === 0 || normB === 0) return normA === normB ? 1 : 0.5;
  return dotProduct(a, b) / (normA * normB);
}

export function manhattanDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += Math.abs((a[index] as number) - (b[index] as number));
  return sum;
}

export function euclideanDistance(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let index = 0; index < a.length; index++) sum += ((a[index] as number) - (b[index] as number)) ** 2;
  return Math.sqrt(sum);
}

/** torch's cos_sim: both sides divided by max(‖v‖, 1e-12), then the dot product. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  return dotProduct(a, b) / (Math.max(norm(a), 1e-12) * Math.max(norm(b), 1e-12));
}

/** The model's own similarity (MTEB's `model.similarity`): cosine or the raw dot product. */
export function modelSimilarity(similarity: Similarity, a: Float32Array, b: Float32Array): number {
  return similarity === "cosine" ? cosineSimilarity(a, b) : dotProduct(a, b);
}
