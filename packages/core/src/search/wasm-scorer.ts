/**
 * Loads the WebAssembly SIMD similarity kernels (kernels/: dot-product.wat, gather.wat, normalise.wat,
 * assembled into kernels/similarity-kernels.generated.ts) and hands out instances over a memory that
 * the next search may reuse. The kernels perform the same float32 operations in the same order as
 * `dotProduct` and `normaliseRows` (similarity-kernel.ts), four lanes at a time, so every score is
 * bit-identical to the JavaScript kernel (the tests compare them) and many times faster. WebAssembly is
 * portable (no native dependency); where SIMD is unavailable the search uses the JavaScript kernel.
 *
 * Exports of an instance, all addresses in bytes into its memory, vectors float32 row-major:
 *   scoreRows(query, documents, dimension, firstRow, rowCount, output): output[r] = dot(query, row firstRow + r)
 *   scoreList(query, documents, dimension, rowList, count, output):     output[j] = dot(query, row rowList[j])
 *   normalise(documents, rows, dimension) -> r: divides each row in place by its norm, exactly as
 *     `normaliseRows` does; returns the first row holding NaN or ±∞, or -1.
 *   gather(values, count, cut, rows) -> n: writes to rows[0..n) every i < count with values[i] >= cut,
 *     in order; returns -1 if a value is NaN.
 * where dot is exactly `dotProduct` (see its comment for the order of operations). Instantiating the
 * module writes gather's compaction table into bytes 0..255 of the memory: callers keep their data
 * above them (kernel-scorer.ts).
 */
import {
  similarityKernelsSharedMemory,
  similarityKernelsUnsharedMemory,
} from "./kernels/similarity-kernels.generated.js";

/**
 * The slice of the WebAssembly JavaScript API used here. Declared locally because the project's
 * TypeScript libraries (ES2023 + Node types) do not describe it, and looked up on globalThis so an
 * engine without WebAssembly simply gets the JavaScript kernel.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum: number; shared?: boolean }) => WasmMemory;
}
const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

export interface WasmScorer {
  readonly memory: WasmMemory;
  scoreRows(
    query: number,
    documents: number,
    dimension: number,
    firstRow: number,
    rowCount: number,
    output: number,
  ): void;
  scoreList(
    query: number,
    documents: number,
    dimension: number,
    rowList: number,
    count: number,
    output: number,
  ): void;
  gather(values: number, count: number, cut: number, rows: number): number;
  normalise(documents: number, rows: number, dimension: number): number;
}

const compiled = new Map<boolean, object | null>();

/**
 * The compiled module over a shared or an unshared memory, or null where this JavaScript engine
 * has no WebAssembly SIMD (or no shared memory).
 */
function compiledModule(shared: boolean): object | null {
  const known = compiled.get(shared);
  if (known !== undefined) return known;
  let module: object | null;
  try {
    const bytes = shared ? similarityKernelsSharedMemory : similarityKernelsUnsharedMemory;
    module = wasmApi?.validate(bytes) ? new wasmApi.Module(bytes) : null;
  } catch {
    module = null;
  }
  compiled.set(shared, module);
  return module;
}

/** Whether the WebAssembly kernel can run here. */
export function wasmKernelAvailable(): boolean {
  return compiledModule(true) !== null || compiledModule(false) !== null;
}

/**
 * The kernel of the last finished search, kept for a few seconds for the next one: its memory pages
 * are already mapped, where a fresh memory faults in every page on first write (measured here: 300
 * MB took 0.19 s to fill the first time, 0.05 s the second). An evaluation runs one search per
 * (model, task), so all but the first reuse it; a process that searches once keeps it until the
 * timer drops it.
 */
let spare: { scorer: WasmScorer; pages: number; timer: ReturnType<typeof setTimeout> } | undefined;
const spareLifetimeMilliseconds = 10_000;
const pageBytes = 65536;

/**
 * Instantiates the kernel over a memory of at least `bytes` bytes (the last search's, when it is big
 * enough and not more than a quarter bigger, else a fresh one), or returns null where WebAssembly
 * SIMD is unavailable or the memory cannot be allocated (over 4 GiB). The memory is shared (a
 * SharedArrayBuffer) where the engine allows it, so that a search backend in a worker thread can read
 * the vectors and write its similarities there without a copy on this thread; otherwise it is an
 * ordinary one. Its contents are whatever the last search left: callers write before they read.
 */
export function createWasmScorer(bytes: number): WasmScorer | null {
  if (wasmApi === undefined) return null;
  const pages = Math.max(1, Math.ceil(bytes / pageBytes));
  if (pages > 65536) return null;
  if (spare !== undefined && spare.pages >= pages && spare.pages <= Math.ceil(1.25 * pages)) {
    const { scorer, timer } = spare;
    clearTimeout(timer);
    spare = undefined;
    return scorer;
  }
  for (const shared of [true, false]) {
    const module = compiledModule(shared);
    if (module === null) continue;
    let memory: WasmMemory;
    try {
      memory = new wasmApi.Memory({ initial: pages, maximum: pages, shared });
    } catch {
      continue;
    }
    return instantiate(module, memory);
  }
  return null;
}

/** Hands a kernel back once its search is over and nothing reads or writes its memory any more. */
export function releaseWasmScorer(scorer: WasmScorer): void {
  if (spare !== undefined) clearTimeout(spare.timer);
  const timer = setTimeout(() => {
    spare = undefined;
  }, spareLifetimeMilliseconds);
  // In Node.js the timer must not keep the process alive.
  (timer as { unref?: () => void }).unref?.();
  spare = { scorer, pages: scorer.memory.buffer.byteLength / pageBytes, timer };
}

function instantiate(module: object, memory: WasmMemory): WasmScorer | null {
  if (wasmApi === undefined) return null;
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const exports = instance.exports as Omit<WasmScorer, "memory">;
  return {
    memory,
    scoreRows: exports.scoreRows,
    scoreList: exports.scoreList,
    gather: exports.gather,
    normalise: exports.normalise,
  };
}
