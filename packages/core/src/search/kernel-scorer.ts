/**
 * Where the portable kernel's inputs live and how it is called: one query against a run of rows or
 * a list of rows, scores into `output`. Two implementations with bit-identical results: the
 * WebAssembly SIMD kernel (wasm-scorer.ts), whose buffers are views of its own memory, and the
 * JavaScript `dotProduct` loop, used where WebAssembly SIMD is missing or memory is short.
 */
import { dotProduct, normaliseRows } from "./similarity-kernel.js";
import { createWasmScorer, releaseWasmScorer } from "./wasm-scorer.js";

export type PortableKernel = "webassembly" | "javascript";

export interface KernelScorer {
  readonly kernel: PortableKernel;
  /** queryCount × dimension, filled by the caller once. */
  readonly queries: Float32Array;
  /** Room for one chunk (capacityRows × dimension), filled by the caller per chunk. */
  readonly documents: Float32Array;
  /** Row numbers for `scoreList` (query numbers for `scoreQueryList`). */
  readonly rowList: Uint32Array;
  /** Scores written by `scoreRows` and `scoreList`. */
  readonly output: Float32Array;
  /** output[r] = score(query, documents row firstRow + r) for r < count. */
  scoreRows(query: number, firstRow: number, count: number): void;
  /** output[j] = score(query, documents row rowList[j]) for j < count. */
  scoreList(query: number, count: number): void;
  /**
   * output[j] = score(query rowList[j], documents row `row`) for j < count: one document against
   * several queries, so the row is read from memory once. Same numbers as `scoreList`.
   */
  scoreQueryList(row: number, count: number): void;
  /** Room for a backend's similarity block (empty unless asked for). */
  readonly similarities: Float32Array;
  /**
   * Writes to rowList, in order, every i < count with similarities[offset + i] >= cut; returns how
   * many, or -1 if one of the values is NaN.
   */
  gather(offset: number, count: number, cut: number): number;
  /**
   * L2-normalises documents rows [firstRow, firstRow + rows) in place, exactly as `normaliseRows`;
   * returns the first row (counted from row 0) holding NaN or ±∞, or -1.
   */
  normaliseDocuments(rows: number, firstRow?: number): number;
  /** The search is over: the kernel's memory may serve the next search. */
  release(): void;
}

export function createKernelScorer(
  queryCount: number,
  dimension: number,
  capacityRows: number,
  preferred: PortableKernel,
  similarityCapacity = 0,
): KernelScorer {
  if (preferred === "webassembly") {
    const scorer = createWasmKernelScorer(queryCount, dimension, capacityRows, similarityCapacity);
    if (scorer !== null) return scorer;
  }
  return createJavaScriptKernelScorer(queryCount, dimension, capacityRows, similarityCapacity);
}

/** Bytes 0..255 of the kernel's memory hold gather.wat's compaction table. */
const gatherTableBytes = 256;

function createWasmKernelScorer(
  queryCount: number,
  dimension: number,
  capacityRows: number,
  similarityCapacity: number,
): KernelScorer | null {
  // Layout in bytes, each region 16-byte aligned: the gather kernel's compaction table (which the
  // module writes itself, gather.wat), queries, documents, row list, output, similarities.
  const align = (bytes: number) => Math.ceil(bytes / 16) * 16;
  const queriesAt = gatherTableBytes;
  const documentsAt = align(queriesAt + queryCount * dimension * 4);
  const listLength = Math.max(capacityRows, queryCount);
  const rowListAt = align(documentsAt + capacityRows * dimension * 4);
  const outputAt = align(rowListAt + listLength * 4);
  const similaritiesAt = align(outputAt + listLength * 4);
  const wasm = createWasmScorer(align(similaritiesAt + similarityCapacity * 4));
  if (wasm === null) return null;
  const buffer = wasm.memory.buffer;
  const rowBytes = dimension * 4;
  return {
    kernel: "webassembly",
    queries: new Float32Array(buffer, queriesAt, queryCount * dimension),
    documents: new Float32Array(buffer, documentsAt, capacityRows * dimension),
    rowList: new Uint32Array(buffer, rowListAt, listLength),
    output: new Float32Array(buffer, outputAt, listLength),
    scoreRows: (query, firstRow, count) =>
      wasm.scoreRows(queriesAt + query * rowBytes, documentsAt, dimension, firstRow, count, outputAt),
    scoreList: (query, count) =>
      wasm.scoreList(queriesAt + query * rowBytes, documentsAt, dimension, rowListAt, count, outputAt),
    // The same kernel with the roles swapped: products commute exactly and the order of the sums
    // follows the element index, so dot(row, query) is bit-identical to dot(query, row).
    scoreQueryList: (row, count) =>
      wasm.scoreList(documentsAt + row * rowBytes, queriesAt, dimension, rowListAt, count, outputAt),
    similarities: new Float32Array(buffer, similaritiesAt, similarityCapacity),
    gather: (offset, count, cut) => wasm.gather(similaritiesAt + offset * 4, count, cut, rowListAt),
    normaliseDocuments: (rows, firstRow = 0) => {
      const found = wasm.normalise(documentsAt + firstRow * rowBytes, rows, dimension);
      return found < 0 ? found : firstRow + found;
    },
    release: () => releaseWasmScorer(wasm),
  };
}

function createJavaScriptKernelScorer(
  queryCount: number,
  dimension: number,
  capacityRows: number,
  similarityCapacity: number,
): KernelScorer {
  const similarities = new Float32Array(similarityCapacity);
  const queries = new Float32Array(queryCount * dimension);
  const documents = new Float32Array(capacityRows * dimension);
  const rowList = new Uint32Array(Math.max(capacityRows, queryCount));
  const output = new Float32Array(Math.max(capacityRows, queryCount));
  return {
    kernel: "javascript",
    queries,
    documents,
    rowList,
    output,
    scoreRows(query, firstRow, count) {
      const queryOffset = query * dimension;
      for (let index = 0; index < count; index++) {
        output[index] = dotProduct(
          queries,
          queryOffset,
          documents,
          (firstRow + index) * dimension,
          dimension,
        );
      }
    },
    scoreList(query, count) {
      const queryOffset = query * dimension;
      for (let index = 0; index < count; index++) {
        const row = rowList[index] as number;
        output[index] = dotProduct(queries, queryOffset, documents, row * dimension, dimension);
      }
    },
    scoreQueryList(row, count) {
      const rowOffset = row * dimension;
      for (let index = 0; index < count; index++) {
        const query = rowList[index] as number;
        output[index] = dotProduct(queries, query * dimension, documents, rowOffset, dimension);
      }
    },
    similarities,
    gather(offset, count, cut) {
      let found = 0;
      for (let index = 0; index < count; index++) {
        const value = similarities[offset + index] as number;
        if (value >= cut) rowList[found++] = index;
        else if (Number.isNaN(value)) return -1;
      }
      return found;
    },
    normaliseDocuments(rows, firstRow = 0) {
      const view = documents.subarray(firstRow * dimension, (firstRow + rows) * dimension);
      const found = normaliseRows(view, view, rows, dimension).firstNonFiniteRow;
      return found < 0 ? found : firstRow + found;
    },
    release: () => {},
  };
}
