import type { EmbeddingCache } from "./cache/embedding-cache.js";
import type { EmbedRun } from "./embed-run.js";

/**
 * Looks `candidates` (positions into the distinct texts) up in the cache; returns those still missing.
 * `again`: they were looked up (and counted as misses) before; those found now count as hits instead.
 * A record of another dimension than the provider declares counts as a miss: it is embedded again.
 */
export function readCache(run: EmbedRun, candidates: number[], again = false): number[] {
  const { cache, namespace, keepVectors, declared } = run;
  if (!cache || !namespace) return candidates;
  const texts = candidates.map((index) => run.distinct[index] as string);
  const found: (Float32Array | undefined)[] = keepVectors ? cache.get(namespace, texts, declared) : [];
  const dimensions = keepVectors
    ? found.map((vector) => vector?.length)
    : cache.cachedDimensions(namespace, texts, declared);
  // The first lookup counted every one of these as a miss; this one counts them as they are now.
  if (again) cache.forgetMisses(texts.length);
  const stillMissing: number[] = [];
  candidates.forEach((index, item) => {
    // A vector with NaN or infinity in the cache (checksummed, so written so: by an older version or by
    // hand) would poison the search: it is embedded again, and counted as a repair.
    const vector = found[item];
    if (vector && !allFinite(vector)) {
      run.unusableCached.add(index);
      stillMissing.push(index);
      return;
    }
    const dimension = dimensions[item];
    if (dimension !== undefined) run.expectedDimension ??= dimension;
    // Same namespace but another dimension cannot come from this configuration: embed it again.
    if (dimension === undefined || dimension !== run.expectedDimension) stillMissing.push(index);
    else if (keepVectors) run.vectors[index] = found[item];
  });
  return stillMissing;
}

/** Damaged records and files the cache has skipped so far: each one is a repair (its texts are embedded again). */
export function cacheDamage(cache: EmbeddingCache): number {
  const stats = cache.stats();
  return stats.damagedRecords + stats.ignoredFiles;
}

function allFinite(vector: Float32Array): boolean {
  for (let index = 0; index < vector.length; index += 1) {
    if (!Number.isFinite(vector[index] as number)) return false;
  }
  return true;
}
