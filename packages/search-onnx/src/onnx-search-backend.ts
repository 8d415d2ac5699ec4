/**
 * The fast search backend: onnxruntime's CPU Gemm (MLAS, vectorised and multi-threaded) computes
 * query-document similarity blocks. It implements @embedeval/core's `SearchBackend`, so core's
 * `exactSearch` still decides every score and the ranking; this package only makes it fast.
 */

import type { SearchBackend, SimilarityRequest } from "@embedeval/core";
import { EmbedEvalError, float32DotErrorFactor } from "@embedeval/core";
import ort from "onnxruntime-node";
import { buildSearchGraph, searchGraphNames } from "./search-graph.js";

export interface OnnxSearchBackendOptions {
  /**
   * Threads for one Gemm (onnxruntime's intra-op pool). Default: the number of CPUs Node sees
   * (`os.availableParallelism()`), which is what PyTorch uses too.
   */
  intraOpThreads?: number;
}

export async function createOnnxSearchBackend(
  options: OnnxSearchBackendOptions = {},
): Promise<SearchBackend> {
  const { availableParallelism } = await import("node:os");
  const threads = options.intraOpThreads ?? availableParallelism();
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(buildSearchGraph(), {
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: "sequential",
      graphOptimizationLevel: "all",
    });
  } catch (error) {
    throw new EmbedEvalError("internal", "onnxruntime-node could not load the exact-search graph.", {
      cause: error,
      hint: "Reinstall @embedeval/search-onnx, or run without it: the portable search gives the same rankings, slower.",
    });
  }
  return {
    name: `onnxruntime-node ${ort.env.versions.common} (${threads} threads)`,
    // MLAS sums float32 products (with FMA where the CPU has it) in a blocked order; whatever the
    // order, the float32 worst case γₙ holds.
    scoreErrorFactor: (dimension) => float32DotErrorFactor(dimension),
    async similarities(request: SimilarityRequest): Promise<Float32Array> {
      const { queries, queryCount, documents, documentCount, dimension } = request;
      const feeds = {
        [searchGraphNames.queries]: new ort.Tensor("float32", queries, [queryCount, dimension]),
        [searchGraphNames.documents]: new ort.Tensor("float32", documents, [documentCount, dimension]),
      };
      // Given an output buffer, onnxruntime writes the Gemm result straight into it (a pre-allocated
      // fetch), which saves allocating and copying a block per call.
      const fetches =
        request.output === undefined
          ? undefined
          : {
              [searchGraphNames.similarities]: new ort.Tensor("float32", request.output, [
                queryCount,
                documentCount,
              ]),
            };
      const outputs = fetches === undefined ? await session.run(feeds) : await session.run(feeds, fetches);
      const similarities = outputs[searchGraphNames.similarities];
      if (similarities === undefined || !(similarities.data instanceof Float32Array)) {
        throw new EmbedEvalError("internal", "onnxruntime-node returned no float32 similarities.");
      }
      if (request.output !== undefined) {
        // onnxruntime-node returns a new Float32Array over the same bytes; hand back the caller's.
        return request.output;
      }
      return similarities.data;
    },
    close: () => session.release(),
  };
}
