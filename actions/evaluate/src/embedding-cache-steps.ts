import { existsSync } from "node:fs";
import * as cache from "@actions/cache";
import * as core from "@actions/core";

/**
 * Carries the embedding cache between workflow runs with @actions/cache. The key ends with the commit
 * SHA; the restore key is the prefix, so a pull request restores the newest cache saved on its base
 * branch (GitHub lets a PR read its base branch's caches) and re-embeds only what changed.
 * https://docs.github.com/en/actions/using-workflows/caching-dependencies-to-speed-up-workflows#matching-a-cache-key
 *
 * Every failure here is soft: without the cache service (self-hosted, tests, outages) the run goes on.
 */
export function cacheKeys(configSlug: string, sha: string): { key: string; prefixes: string[] } {
  const prefix = `embedeval-embeddings-${process.platform}-${configSlug}-`;
  return { key: `${prefix}${sha}`, prefixes: [prefix] };
}

/**
 * A shard job's keys: its own cell's cache first, else the whole config's (the default branch records
 * unsharded, and that cache holds every vector a cell needs). The shard prefix starts differently, so
 * an unsharded run never restores one cell's partial cache.
 */
export function shardCacheKeys(
  configSlug: string,
  shard: string,
  sha: string,
): { key: string; prefixes: string[] } {
  const prefix = `embedeval-shard-embeddings-${process.platform}-${configSlug}-${shard}-`;
  return { key: `${prefix}${sha}`, prefixes: [prefix, ...cacheKeys(configSlug, sha).prefixes] };
}

/** The newest cache saved under the key or, failing that, under the first prefix that has one. */
export async function restoreEmbeddingCache(
  directory: string,
  key: string,
  prefixes: string[],
): Promise<string | undefined> {
  if (!cache.isFeatureAvailable()) {
    core.info(
      "embedding cache: the Actions cache service is not available here; every text will be embedded",
    );
    return undefined;
  }
  try {
    const hit = await cache.restoreCache([directory], key, prefixes);
    core.info(hit ? `embedding cache: restored ${hit}` : "embedding cache: nothing to restore yet");
    return hit;
  } catch (error) {
    core.warning(`embedding cache: restore failed, continuing without it (${(error as Error).message})`);
    return undefined;
  }
}

export async function saveEmbeddingCache(
  directory: string,
  key: string,
  restoredKey: string | undefined,
): Promise<void> {
  if (!cache.isFeatureAvailable() || restoredKey === key) return;
  // A run that failed before embedding anything (a config error) has no cache folder: nothing to save.
  if (!existsSync(directory)) return;
  try {
    // saveCache logs its own warning and returns -1 when the service refuses or fails.
    const id = await cache.saveCache([directory], key);
    core.info(
      id === -1 ? "embedding cache: not saved (see the warning above)" : `embedding cache: saved as ${key}`,
    );
  } catch (error) {
    core.warning(`embedding cache: save failed, continuing (${(error as Error).message})`);
  }
}
