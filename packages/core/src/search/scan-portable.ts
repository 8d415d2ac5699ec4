import type { ChunkScope } from "./chunk-scope.js";

/** Documents scored against all queries before moving on: a tile that stays in the CPU cache. */
const documentTileRows = 32;

/** Scores every pair: per tile of documents that stays in the CPU cache, every query in turn. */
export async function scanPortable(scope: ChunkScope): Promise<void> {
  const { scorer, queryCount, start, rows, collector, checkpoint } = scope;
  const thresholds = collector.thresholds;
  const output = scorer.output;
  for (let tileStart = 0; tileStart < rows; tileStart += documentTileRows) {
    const tileRows = Math.min(documentTileRows, rows - tileStart);
    for (let query = 0; query < queryCount; query++) {
      scorer.scoreRows(query, tileStart, tileRows);
      for (let index = 0; index < tileRows; index++) {
        const score = output[index] as number;
        if (score >= (thresholds[query] as number)) collector.offer(query, score, start + tileStart + index);
      }
    }
    await checkpoint.check();
  }
  scope.statistics.pairsScored += queryCount * rows;
}
