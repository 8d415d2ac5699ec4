import { numberVector, UnexpectedResponseError } from "@embedeval/provider-contract";

/**
 * The mean of a sequence of token vectors, [seq][hidden] -> [hidden], what sentence-transformers
 * calls mean pooling. Without the attention mask (the HF inference toolkit does not return it),
 * every position counts: when the container padded a batch to one length, padding tokens are
 * averaged in too, which shifts short texts' vectors. Unpadded per-input outputs pool exactly.
 */
export function meanPool(tokens: unknown, where: string): Float32Array {
  if (!Array.isArray(tokens) || tokens.length === 0) {
    throw new UnexpectedResponseError(`${where} is not a non-empty list of token vectors.`, "shape");
  }
  const first = numberVector(tokens[0], undefined, `${where}[0]`);
  const sum = Float64Array.from(first);
  for (let position = 1; position < tokens.length; position++) {
    const vector = numberVector(tokens[position], first.length, `${where}[${position}]`);
    for (let index = 0; index < vector.length; index++) sum[index] = (sum[index] ?? 0) + (vector[index] ?? 0);
  }
  return Float32Array.from(sum, (value) => value / tokens.length);
}
