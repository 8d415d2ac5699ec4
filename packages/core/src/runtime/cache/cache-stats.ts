import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { formatCount } from "../format-count.js";

export interface EmbeddingCacheStats {
  /** Lookups answered from the cache, since open. */
  hits: number;
  /** Lookups not in the cache, since open. */
  misses: number;
  /** Distinct vectors known in the namespaces loaded so far, including ones written by this process. */
  entries: number;
  /**
   * Bytes of segment files and their indexes on disk (all namespaces), as measured at open plus what this
   * process wrote.
   */
  bytes: number;
  /** Records skipped because they were torn or damaged. */
  damagedRecords: number;
  /** Segment files ignored whole (foreign header, wrong namespace, unreadable). */
  ignoredFiles: number;
}

/** Bytes of every segment file (and segment index) under the cache's layout folder, for the stats line. */
export function measureSegmentBytes(root: string): number {
  let total = 0;
  for (const folder of readdirSync(root)) {
    const path = join(root, folder);
    try {
      for (const name of readdirSync(path)) {
        if (name.endsWith(".segment") || name.endsWith(".segment.index"))
          total += statSync(join(path, name)).size;
      }
    } catch {
      // Not a folder, or removed meanwhile: nothing to count.
    }
  }
  return total;
}

/** "cache: 1,204 hits, 10 misses, 3.1 MB" for the terminal and the job summary. */
export function formatCacheLine(stats: EmbeddingCacheStats): string {
  const damaged = stats.damagedRecords + stats.ignoredFiles;
  const suffix = damaged > 0 ? `, ${formatCount(damaged)} damaged entries ignored` : "";
  return `cache: ${formatCount(stats.hits)} hits, ${formatCount(stats.misses)} misses, ${formatBytes(stats.bytes)}${suffix}`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
