/**
 * sentence-transformers' Pooling and Normalize modules over one batch of token embeddings, written
 * from their PyTorch source so that the arithmetic (clamps, the -1e9 of max pooling, the last masked
 * position) is the same:
 * https://github.com/UKPLab/sentence-transformers/blob/master/sentence_transformers/models/Pooling.py
 */
import type { PoolingMode } from "./sentence-transformers-config.js";

export interface TokenEmbeddingBatch {
  /** Row-major [batch, sequence, hidden] float32, as the ONNX model returns it. */
  data: Float32Array;
  batch: number;
  sequence: number;
  hidden: number;
  /**
   * [batch, sequence], 1 for tokens that count. The attention mask, with the prompt's tokens set to 0
   * when the model's pooling leaves the prompt out.
   */
  mask: Uint8Array;
}

/** One pooled vector per row: the modes' results concatenated in `modes` order. */
export function poolTokenEmbeddings(
  input: TokenEmbeddingBatch,
  modes: readonly PoolingMode[],
): Float32Array[] {
  const { batch, sequence, hidden, data, mask } = input;
  const vectors: Float32Array[] = [];
  for (let row = 0; row < batch; row++) {
    const vector = new Float32Array(hidden * modes.length);
    const rowOffset = row * sequence * hidden;
    const maskOffset = row * sequence;
    modes.forEach((mode, index) => {
      const target = vector.subarray(index * hidden, (index + 1) * hidden);
      const token = (position: number) =>
        data.subarray(rowOffset + position * hidden, rowOffset + (position + 1) * hidden);
      switch (mode) {
        case "cls":
          // The first token whatever the mask says, as sentence-transformers takes token_embeddings[:, 0].
          target.set(token(0));
          break;
        case "lasttoken":
          target.set(token(lastCountedPosition(mask, maskOffset, sequence)));
          break;
        case "max":
          maxPool(target, token, mask, maskOffset, sequence);
          break;
        default:
          weightedSumPool(target, token, mask, maskOffset, sequence, mode);
      }
    });
    vectors.push(vector);
  }
  return vectors;
}

/** The last position whose mask is 1; the sequence's last position when none is (PyTorch's flip/max). */
function lastCountedPosition(mask: Uint8Array, offset: number, sequence: number): number {
  for (let position = sequence - 1; position >= 0; position--) {
    if (mask[offset + position] === 1) return position;
  }
  return sequence - 1;
}

function maxPool(
  target: Float32Array,
  token: (position: number) => Float32Array,
  mask: Uint8Array,
  offset: number,
  sequence: number,
): void {
  // Masked tokens count as -1e9, so a row with no counted token pools to -1e9 everywhere, as in Python.
  target.fill(-1e9);
  for (let position = 0; position < sequence; position++) {
    if (mask[offset + position] !== 1) continue;
    const values = token(position);
    for (let index = 0; index < target.length; index++) {
      const value = values[index] as number;
      if (value > (target[index] as number)) target[index] = value;
    }
  }
}

/** mean, mean_sqrt_len and weightedmean: masked sums in float64, divided by the clamped weight total. */
function weightedSumPool(
  target: Float32Array,
  token: (position: number) => Float32Array,
  mask: Uint8Array,
  offset: number,
  sequence: number,
  mode: "mean" | "mean_sqrt_len" | "weightedmean",
): void {
  const sums = new Float64Array(target.length);
  let weightTotal = 0;
  for (let position = 0; position < sequence; position++) {
    if (mask[offset + position] !== 1) continue;
    // Weighted mean weighs token i (from 1) by its position, padding included in the count.
    const weight = mode === "weightedmean" ? position + 1 : 1;
    weightTotal += weight;
    const values = token(position);
    for (let index = 0; index < sums.length; index++)
      sums[index] = (sums[index] as number) + weight * (values[index] as number);
  }
  const clamped = Math.max(weightTotal, 1e-9);
  const divisor = mode === "mean_sqrt_len" ? Math.sqrt(clamped) : clamped;
  for (let index = 0; index < sums.length; index++) target[index] = (sums[index] as number) / divisor;
}

/** torch.nn.functional.normalize(p=2): divides by the norm, or by 1e-12 when the norm is smaller. */
export function normalizeVector(vector: Float32Array): Float32Array {
  let sum = 0;
  for (const value of vector) sum += value * value;
  const norm = Math.max(Math.sqrt(sum), 1e-12);
  for (let index = 0; index < vector.length; index++) vector[index] = (vector[index] as number) / norm;
  return vector;
}
