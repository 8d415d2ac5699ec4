/**
 * The fast search backend: onnxruntime's CPU Gemm (MLAS, vectorised and multi-threaded) computes
 * query-document similarity blocks. It implements @embedeval/core's `SearchBackend`, so core's
 * `exactSearch` still decides every score and the ranking; this package only makes it fast.
 *
 * onnxruntime-node's `session.run` is a synchronous native call on the calling thread (behind a
 * `setImmediate`), so by default the session lives in a worker thread: the Gemm then runs while
 * core selects and rescores the previous block on the main thread, and `similarities` may be
 * called again before an earlier call settles (requests run in order).
 */
import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { SearchBackend, SimilarityRequest } from "@embedeval/core";
import { CancelledError, EmbedEvalError, float32DotErrorFactor } from "@embedeval/core";
// Types only: the native binding (25-35 ms to load) is loaded in the worker that runs the session, and on
// this thread only for the in-thread runner, so the run's start-up does not pay for it twice.
import type ort from "onnxruntime-node";
import { buildSearchGraph, searchGraphNames } from "./search-graph.js";

export interface OnnxSearchBackendOptions {
  /**
   * Threads for one Gemm (onnxruntime's intra-op pool). Default: three per CPU Node sees
   * (`os.availableParallelism()`), at most eight more than the CPUs. onnxruntime splits a Gemm into one equal piece per thread; with
   * one thread per CPU, the piece that shares its CPU with the JavaScript thread (selecting and
   * rescoring the previous block) finishes last while the other CPU waits. Smaller pieces keep both
   * CPUs busy: on the 2-core machine, 1,000 x 100,000 x 768 searches took 1.40-1.48 s at top-100
   * with 6 threads against 1.47-1.66 s with 2, and 1.81-2.15 s against 1.93-2.29 s at top-1000
   * (best of five, alternating, six pairs; docs/performance.md).
   */
  intraOpThreads?: number;
  /**
   * Run onnxruntime in a worker thread (the default), so that the Gemm overlaps the JavaScript
   * work of the search; false runs it on the calling thread.
   */
  worker?: boolean;
}

const sessionOptions = (threads: number): ort.InferenceSession.SessionOptions => ({
  intraOpNumThreads: threads,
  interOpNumThreads: 1,
  executionMode: "sequential",
  graphOptimizationLevel: "all",
  // Idle pool threads otherwise spin for work between runs, taking a core from the JavaScript
  // thread that is selecting and rescoring the previous block at that moment.
  extra: { session: { intra_op: { allow_spinning: "0" } } },
});

/**
 * onnxruntime threads per CPU by default (see `intraOpThreads`), and at most this many beyond one per
 * CPU: measured on 2 CPUs only, so a many-core host is not handed hundreds of threads.
 */
const threadsPerCpu = 3;
const extraThreadsAtMost = 8;

export async function createOnnxSearchBackend(
  options: OnnxSearchBackendOptions = {},
): Promise<SearchBackend> {
  const { availableParallelism } = await import("node:os");
  const cpus = availableParallelism();
  const threads = options.intraOpThreads ?? Math.min(threadsPerCpu * cpus, cpus + extraThreadsAtMost);
  // MLAS sums float32 products (with FMA where the CPU has it) in a blocked order; whatever the
  // order, the float32 worst case γₙ holds.
  const scoreErrorFactor = (dimension: number) => float32DotErrorFactor(dimension);
  const { version, ...runner } =
    options.worker === false ? await createInThreadRunner(threads) : await createWorkerRunner(threads);
  const name = `onnxruntime-node ${version} (${threads} threads${options.worker === false ? "" : ", worker"})`;
  return { name, scoreErrorFactor, ...runner };
}

function loadError(cause: unknown): EmbedEvalError {
  return new EmbedEvalError("internal", "onnxruntime-node could not load the exact-search graph.", {
    cause,
    hint: "Reinstall @embedeval/search-onnx, or run without it: the portable search gives the same rankings, slower.",
  });
}

/** A way to run the session, and the onnxruntime version it loaded. */
type Runner = Pick<SearchBackend, "similarities" | "close"> & { version: string };

async function createInThreadRunner(threads: number): Promise<Runner> {
  let session: ort.InferenceSession;
  let onnxruntime: typeof ort;
  try {
    onnxruntime = (await import("onnxruntime-node")).default;
    session = await onnxruntime.InferenceSession.create(buildSearchGraph(), sessionOptions(threads));
  } catch (error) {
    throw loadError(error);
  }
  return {
    version: onnxruntime.env.versions.common,
    async similarities(request: SimilarityRequest): Promise<Float32Array> {
      const { queryCount, documentCount, dimension } = request;
      // onnxruntime-node refuses tensors over a SharedArrayBuffer: copy such views (slice copies
      // into an ordinary buffer) and let onnxruntime allocate the result.
      const plain = (view: Float32Array) => (view.buffer instanceof SharedArrayBuffer ? view.slice() : view);
      const queries = plain(request.queries.subarray(0, queryCount * dimension));
      const documents = plain(request.documents.subarray(0, documentCount * dimension));
      const sharedOutput = request.output?.buffer instanceof SharedArrayBuffer;
      const feeds = {
        [searchGraphNames.queries]: new onnxruntime.Tensor("float32", queries, [queryCount, dimension]),
        [searchGraphNames.documents]: new onnxruntime.Tensor("float32", documents, [
          documentCount,
          dimension,
        ]),
      };
      // Given an output buffer, onnxruntime writes the Gemm result straight into it (a pre-allocated
      // fetch), which saves allocating and copying a block per call.
      const fetches =
        request.output === undefined || sharedOutput
          ? undefined
          : {
              [searchGraphNames.similarities]: new onnxruntime.Tensor("float32", request.output, [
                queryCount,
                documentCount,
              ]),
            };
      const outputs = fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches);
      const similarities = outputs[searchGraphNames.similarities];
      if (similarities === undefined || !(similarities.data instanceof Float32Array)) {
        throw new EmbedEvalError("internal", "onnxruntime-node returned no float32 similarities.");
      }
      if (request.output !== undefined && sharedOutput) {
        request.output.set(similarities.data);
        return request.output;
      }
      // onnxruntime-node returns a new Float32Array over the same bytes; hand back the caller's.
      return request.output ?? similarities.data;
    },
    close: () => session.release(),
  };
}

/**
 * The worker's program, CommonJS evaluated from a string so that it runs the same from the
 * TypeScript sources (tests) and the built package. onnxruntime-node 1.30 refuses tensors over a
 * SharedArrayBuffer ("Invalid argument"), so:
 *   - when the inputs and the output are views of shared memory (core's WebAssembly memory is
 *     shared), the worker copies the inputs into its own buffers and the result into the output,
 *     all on its thread, and answers with no data;
 *   - otherwise it receives copies, transferred, and transfers the result back.
 */
const workerProgram = `
const { parentPort, workerData } = require("node:worker_threads");
const ort = require(workerData.onnxruntimePath);
const names = workerData.names;
let session;
// Buffers of this thread, reused: a copy of a shared view, or room for a result.
const buffers = new Map();
function local(name, source, length = source.length) {
  let buffer = buffers.get(name);
  if (buffer === undefined || buffer.byteLength < 4 * length) {
    buffer = new ArrayBuffer(4 * length);
    buffers.set(name, buffer);
  }
  const view = new Float32Array(buffer, 0, length);
  if (source !== null) view.set(source);
  return view;
}
ort.InferenceSession.create(workerData.model, workerData.sessionOptions).then(
  (created) => { session = created; parentPort.postMessage({ ready: true, version: ort.env.versions.common }); },
  (error) => parentPort.postMessage({ ready: false, message: String(error && error.stack || error) }),
);
// One request at a time, in order: run() yields to the event loop (setImmediate) before it
// starts, and the next message must not overwrite the reused buffers meanwhile.
let queue = Promise.resolve();
parentPort.on("message", (message) => {
  queue = queue.then(() => handle(message));
});
async function handle(message) {
  if (message.close) {
    if (session) await session.release();
    parentPort.postMessage({ closed: true });
    return;
  }
  const { id, queryCount, documentCount, dimension, spare, shared } = message;
  let { queries, documents } = message;
  try {
    const length = queryCount * documentCount;
    let output;
    if (shared) {
      queries = local("queries", queries);
      documents = local("documents", documents);
      output = local("output", null, length);
    } else {
      output = spare && spare.byteLength >= 4 * length ? new Float32Array(spare, 0, length) : new Float32Array(length);
    }
    await session.run(
      {
        [names.queries]: new ort.Tensor("float32", queries, [queryCount, dimension]),
        [names.documents]: new ort.Tensor("float32", documents, [documentCount, dimension]),
      },
      { [names.similarities]: new ort.Tensor("float32", output, [queryCount, documentCount]) },
    );
    if (shared) {
      shared.set(output);
      parentPort.postMessage({ id, written: true });
      return;
    }
    // The input buffers go back too, for the next request to reuse.
    parentPort.postMessage({ id, similarities: output, queries, documents }, [output.buffer, queries.buffer, documents.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, message: String(error && error.stack || error) });
  }
}
`;

interface WorkerReply {
  id?: number;
  written?: boolean;
  similarities?: Float32Array;
  queries?: Float32Array;
  documents?: Float32Array;
  message?: string;
  closed?: boolean;
}

interface PendingRequest {
  resolve(similarities: Float32Array): void;
  reject(error: unknown): void;
  output: Float32Array | undefined;
  signal: AbortSignal | undefined;
}

async function createWorkerRunner(threads: number): Promise<Runner> {
  const require = createRequire(import.meta.url);
  const worker = new Worker(workerProgram, {
    eval: true,
    workerData: {
      onnxruntimePath: require.resolve("onnxruntime-node"),
      model: buildSearchGraph(),
      names: searchGraphNames,
      sessionOptions: sessionOptions(threads),
    },
  });
  const pending = new Map<number, PendingRequest>();
  let nextId = 0;
  let failure: unknown;
  let closed: (() => void) | undefined;
  const failAll = (error: unknown) => {
    failure ??= error;
    for (const request of pending.values()) request.reject(error);
    pending.clear();
  };
  const version = await new Promise<string>((resolve, reject) => {
    worker.once("message", (message: { ready: boolean; version?: string; message?: string }) => {
      if (message.ready) resolve(String(message.version));
      else reject(loadError(new Error(message.message)));
    });
    worker.once("error", (error) => reject(loadError(error)));
  }).catch(async (error) => {
    await worker.terminate();
    throw error;
  });
  // Buffers travel to the worker and back instead of being allocated per request: a fresh
  // 30 MB ArrayBuffer costs page faults and garbage collection on both threads.
  const spareBuffers: ArrayBuffer[] = [];
  const takeBuffer = (bytes: number): ArrayBuffer => {
    const index = spareBuffers.findIndex((buffer) => buffer.byteLength >= bytes);
    if (index >= 0) return spareBuffers.splice(index, 1)[0] as ArrayBuffer;
    return new ArrayBuffer(bytes);
  };
  const keepBuffer = (buffer: ArrayBuffer) => {
    spareBuffers.push(buffer);
    // Enough for two requests in flight; the largest are kept.
    if (spareBuffers.length > 8) {
      spareBuffers.sort((left, right) => right.byteLength - left.byteLength);
      spareBuffers.length = 8;
    }
  };
  worker.on("message", (message: WorkerReply) => {
    if (message.closed) {
      closed?.();
      return;
    }
    if (message.queries !== undefined) keepBuffer(message.queries.buffer as ArrayBuffer);
    if (message.documents !== undefined) keepBuffer(message.documents.buffer as ArrayBuffer);
    const request = pending.get(message.id as number);
    if (request === undefined) return;
    pending.delete(message.id as number);
    if (message.written === true) {
      // Written straight into the caller's shared output.
      if (request.signal?.aborted) request.reject(new CancelledError("The search was cancelled."));
      else request.resolve(request.output as Float32Array);
    } else if (message.similarities === undefined) {
      request.reject(
        new EmbedEvalError("internal", `onnxruntime-node failed to compute similarities: ${message.message}`),
      );
    } else if (request.signal?.aborted) {
      request.reject(new CancelledError("The search was cancelled."));
    } else if (request.output === undefined) {
      request.resolve(message.similarities);
    } else {
      request.output.set(message.similarities);
      keepBuffer(message.similarities.buffer as ArrayBuffer);
      request.resolve(request.output);
    }
  });
  worker.on("error", (error) =>
    failAll(new EmbedEvalError("internal", "The onnxruntime-node worker thread failed.", { cause: error })),
  );
  // A worker that ends (close(), or a native crash that takes only the thread) answers nothing more.
  worker.on("exit", (code) => {
    failAll(new EmbedEvalError("internal", `The onnxruntime-node worker thread exited (code ${code}).`));
    closed?.();
  });
  // The worker must not keep the process alive between searches; a pending request holds it.
  worker.unref();
  const track = (id: number, request: SimilarityRequest, send: () => void) =>
    new Promise<Float32Array>((resolve, reject) => {
      if (pending.size === 0) worker.ref();
      pending.set(id, {
        resolve: (value) => {
          if (pending.size === 0) worker.unref();
          resolve(value);
        },
        reject: (error) => {
          if (pending.size === 0) worker.unref();
          reject(error);
        },
        output: request.output,
        signal: request.signal,
      });
      send();
    });
  return {
    version,
    similarities(request: SimilarityRequest): Promise<Float32Array> {
      if (failure !== undefined) return Promise.reject(failure);
      const { queryCount, documentCount, dimension } = request;
      const id = nextId++;
      const isShared = (view: Float32Array | undefined) => view?.buffer instanceof SharedArrayBuffer;
      if (isShared(request.queries) && isShared(request.documents) && isShared(request.output)) {
        // Shared memory: the worker reads and writes it; nothing is copied on this thread.
        return track(id, request, () =>
          worker.postMessage({
            id,
            queries: request.queries.subarray(0, queryCount * dimension),
            queryCount,
            documents: request.documents.subarray(0, documentCount * dimension),
            documentCount,
            dimension,
            shared: (request.output as Float32Array).subarray(0, queryCount * documentCount),
          }),
        );
      }
      // Copies of exactly the rows asked for, transferred to the worker, with a spare buffer for the
      // result.
      const copy = (source: Float32Array, length: number) => {
        const target = new Float32Array(takeBuffer(4 * length), 0, length);
        target.set(source.subarray(0, length));
        return target;
      };
      const queries = copy(request.queries, queryCount * dimension);
      const documents = copy(request.documents, documentCount * dimension);
      const spare = takeBuffer(4 * queryCount * documentCount);
      return track(id, request, () =>
        worker.postMessage({ id, queries, queryCount, documents, documentCount, dimension, spare }, [
          queries.buffer,
          documents.buffer,
          spare,
        ]),
      );
    },
    async close() {
      if (failure === undefined) {
        worker.ref();
        await new Promise<void>((resolve) => {
          closed = resolve;
          worker.postMessage({ close: true });
        });
      }
      await worker.terminate();
    },
  };
}
