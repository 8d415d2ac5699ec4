import { compareDocumentIds } from "../trec/document-id-order.js";
import type { RankedDocument, Run } from "../trec/run.js";
import type { RetrievalRanking } from "./retrieval-task.js";

/**
 * Joins the rankings of disjoint document ranges (corpus shards) into the ranking one search over the
 * whole corpus gives. Each range's list is its exact top k, so the whole corpus's top k is among
 * their union: sorted in trec_eval's order (score descending, ties by document id descending in
 * byte order, as the search breaks them) and cut at k, it is exactly that top k.
 */
export function mergeRuns(runs: readonly Run[], k: number): Run {
  const merged = new Map<string, RankedDocument[]>();
  for (const run of runs) {
    for (const [queryId, documents] of run) {
      const list = merged.get(queryId);
      if (list) list.push(...documents);
      else merged.set(queryId, [...documents]);
    }
  }
  for (const [queryId, documents] of merged) {
    documents.sort(trecEvalOrder);
    merged.set(queryId, documents.slice(0, k));
  }
  return merged;
}

function trecEvalOrder(left: RankedDocument, right: RankedDocument): number {
  return right.score - left.score || compareDocumentIds(right.id, left.id);
}

/**
 * The shards' rankings of one split as one: runs merged exactly, usage added up (each shard paid for its
 * documents and, again, for the queries), the slowest shard's embedding and search time (they ran side by
 * side), warnings without repeats. The model block is the first shard's: every shard must have run the
 * same model with the same options (the caller checks).
 */
export function mergeRankings(rankings: readonly RetrievalRanking[], k: number): RetrievalRanking {
  const [first] = rankings;
  if (!first) throw new RangeError("mergeRankings needs at least one ranking");
  const usage = { ...first.usage };
  for (const ranking of rankings.slice(1)) {
    usage.textsEmbedded += ranking.usage.textsEmbedded;
    usage.cacheHits += ranking.usage.cacheHits;
    usage.calls += ranking.usage.calls;
    usage.retries += ranking.usage.retries;
    usage.throttles += ranking.usage.throttles;
    usage.tokens += ranking.usage.tokens;
    if (usage.costUsd !== null || ranking.usage.costUsd !== null)
      usage.costUsd = (usage.costUsd ?? 0) + (ranking.usage.costUsd ?? 0);
  }
  return {
    run: mergeRuns(
      rankings.map((ranking) => ranking.run),
      k,
    ),
    model: first.model,
    usage,
    embedSeconds: Math.max(...rankings.map((ranking) => ranking.embedSeconds)),
    searchSeconds: Math.max(...rankings.map((ranking) => ranking.searchSeconds)),
    warnings: [...new Set(rankings.flatMap((ranking) => ranking.warnings))],
  };
}
