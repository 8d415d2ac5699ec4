import type { EmbedRun } from "./embed-run.js";
import type { EmbedTextsResult } from "./embed-texts-options.js";

/**
 * The result of a run that embedded everything: one vector per input text in input order (identical
 * texts share one), or with keepVectors: false where the cache holds them; the usage and the warnings.
 */
export function assembleResult(run: EmbedRun): EmbedTextsResult {
  const { options, recorder, warningCounts, vectors, distinct, positions, namespace } = run;
  const warnings = [...warningCounts].map(([warning, count]) =>
    count > 1 ? `${warning} (${count} calls)` : warning,
  );
  const summary = { usage: recorder.summary(), latencyPerTextMs: recorder.latencyPerText(), warnings };
  if (!run.keepVectors && namespace) {
    const notCached = new Map<string, Float32Array>();
    vectors.forEach((vector, index) => {
      if (vector) notCached.set(distinct[index] as string, vector);
    });
    return { embeddings: [], cached: { namespace, dimension: run.expectedDimension, notCached }, ...summary };
  }
  const embeddings = new Array<Float32Array>(options.texts.length);
  for (let index = 0; index < positions.length; index += 1) {
    embeddings[index] = vectors[positions[index] as number] as Float32Array;
  }
  return { embeddings, ...summary };
}
