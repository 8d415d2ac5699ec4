import type { Similarity } from "../../search/similarity.js";
import type { Qrels } from "../../trec/qrels.js";
import type { RankedDocument, Run } from "../../trec/run.js";
import { modelSimilarity } from "../shared/pair-scores.js";
import { type MtebRetrievalScores, mtebRetrievalScores } from "./mteb-retrieval-scores.js";

export const rerankingMainScore = "map_at_1000";
export const maxOverSubqueriesPrefix = "max_over_subqueries_";

export interface RerankingScoreInput {
  /** Queries in dataset order with their vectors; only those with judgements are scored. */
  queries: readonly { id: string; vector: Float32Array }[];
  documents: ReadonlyMap<string, Float32Array>;
  /** Query id -> its candidate document ids. */
  candidates: ReadonlyMap<string, readonly string[]>;
  /** Judgements, in file order (the order decides a sub-query group's last member). */
  qrels: Qrels;
  similarity: Similarity;
  /** MindSmallReranking: also merge the sub-queries "<base>_<n>" and score the merged groups. */
  maxOverSubqueries?: boolean;
}

export interface RerankingScores extends MtebRetrievalScores {
  /** The candidates ranked by the model, per scored query (all of them: MTEB keeps min(1000, n)). */
  run: Run;
  /** Scored queries that had no candidate list: scored 0, as MTEB does with a warning. */
  withoutCandidates: string[];
}

/**
 * Reranking as MTEB 2.20 runs it: retrieval restricted to each query's candidates. Every judged query
 * scores its candidates with the model's similarity; documents outside the list are never retrieved.
 * With `maxOverSubqueries`, the keys are repeated with the prefix `max_over_subqueries_` for the merged
 * groups (MTEB's `max_over_subqueries`): a document's score is its maximum over the group's sub-queries,
 * the judgements those of the group's last sub-query in judgement order.
 */
export function scoreReranking(input: RerankingScoreInput): RerankingScores {
  const run = new Map<string, RankedDocument[]>();
  const withoutCandidates: string[] = [];
  for (const query of input.queries) {
    if (!input.qrels.has(query.id)) continue;
    const candidates = input.candidates.get(query.id);
    if (candidates === undefined) withoutCandidates.push(query.id);
    const ranked = (candidates ?? []).flatMap((documentId) => {
      const vector = input.documents.get(documentId);
      return vector === undefined
        ? []
        : [{ id: documentId, score: modelSimilarity(input.similarity, query.vector, vector) }];
    });
    run.set(query.id, ranked);
  }
  const result = mtebRetrievalScores(run, input.qrels);
  if (!input.maxOverSubqueries) return { ...result, run, withoutCandidates };
  const merged = mergeSubqueries(run, input.qrels);
  const mergedScores = mtebRetrievalScores(merged.run, merged.qrels);
  const scores = { ...result.scores };
  for (const [key, value] of Object.entries(mergedScores.scores))
    scores[`${maxOverSubqueriesPrefix}${key}`] = value;
  return { scores, perQuery: mergedScores.perQuery, run, withoutCandidates };
}

/** The group of a sub-query: its id before the last underscore ("imp_10_4" -> "imp_10"). */
export function subqueryGroup(queryId: string): string {
  const cut = queryId.lastIndexOf("_");
  return cut === -1 ? queryId : queryId.slice(0, cut);
}

function mergeSubqueries(run: Run, qrels: Qrels): { run: Run; qrels: Qrels } {
  const mergedQrels: Qrels = new Map();
  const members = new Map<string, string[]>();
  for (const [queryId, judgements] of qrels) {
    if (!run.has(queryId)) continue;
    const group = subqueryGroup(queryId);
    // The last sub-query's judgements win, and the group keeps the place of its first sub-query.
    mergedQrels.set(group, judgements);
    const list = members.get(group) ?? [];
    list.push(queryId);
    members.set(group, list);
  }
  const mergedRun = new Map<string, RankedDocument[]>();
  for (const [group, queryIds] of members) {
    const best = new Map<string, number>();
    for (const queryId of queryIds) {
      for (const document of run.get(queryId) ?? []) {
        const previous = best.get(document.id);
        best.set(document.id, previous === undefined ? document.score : Math.max(previous, document.score));
      }
    }
    mergedRun.set(
      group,
      [...best].map(([id, score]) => ({ id, score })),
    );
  }
  return { run: mergedRun, qrels: mergedQrels };
}
