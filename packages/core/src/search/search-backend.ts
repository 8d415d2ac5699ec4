/**
 * What a fast search backend provides: a dense similarity block, `queries · documentsᵀ`, computed
 * however it likes (onnxruntime's Gemm in @embedeval/search-onnx), plus a bound on how far its
 * numbers may be from the exact dot product. The backend never decides a ranking: `exactSearch`
 * uses its numbers only to skip documents that provably cannot reach the top k, and scores every
 * remaining candidate with the portable kernel, so rankings and scores are the same as without it.
 */
export interface SimilarityRequest {
  /** queryCount × dimension, row-major. */
  queries: Float32Array;
  queryCount: number;
  /** documentCount × dimension, row-major. */
  documents: Float32Array;
  documentCount: number;
  dimension: number;
  signal?: AbortSignal;
  /**
   * Where to write the queryCount × documentCount result if the backend can (it lives in the
   * portable kernel's memory, so writing there saves a copy); return it, or a new array.
   * `queries`, `documents` and `output` may be views of a SharedArrayBuffer (the kernel's
   * WebAssembly memory is shared where the engine allows), which a worker thread can use directly.
   * Once the returned promise settles (resolved or rejected, cancellation included) the backend must
   * not write `output` any more: the memory goes to the next search.
   */
  output?: Float32Array;
}

export interface SearchBackend {
  readonly name: string;
  /**
   * A factor f such that, for every query q and document d, |similarity − exact real q·d| is at
   * most f · ‖q‖ · ‖d‖. For a float32 dot product of length n summed in any order this is
   * γₙ = n·2⁻²⁴ / (1 − n·2⁻²⁴) (Higham, Accuracy and Stability of Numerical Algorithms, §3.1).
   * An understated bound would make the fast path miss documents: be conservative.
   */
  scoreErrorFactor(dimension: number): number;
  /**
   * Returns queryCount × documentCount similarities, row-major. `exactSearch` keeps two requests in
   * flight (it asks for the next block before reading the current one), so this may be called
   * again before an earlier promise settles: each request writes only its own `output`, and the
   * inputs of a pending request are not modified until it settles.
   */
  similarities(request: SimilarityRequest): Promise<Float32Array>;
  /** Releases native resources. */
  close?(): Promise<void>;
}

/** The float32 worst-case dot-product error factor γₙ for length n, any summation order. */
export function float32DotErrorFactor(dimension: number): number {
  const unitRoundoff = 2 ** -24;
  const terms = dimension + 1;
  return (terms * unitRoundoff) / (1 - terms * unitRoundoff);
}
