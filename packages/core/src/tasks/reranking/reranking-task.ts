import { documentText } from "../../datasets/beir-folder-loader.js";
import type { RetrievalDataset } from "../../datasets/retrieval-dataset.js";
import type { TaskResult } from "../../results/task-result.js";
import { perItemRecord, runTask } from "../shared/run-task.js";
import type { TaskEmbeddingContext } from "../shared/task-embedding.js";
import type { TaskTypeDefinition } from "../shared/task-type.js";
import { mtebKValues } from "./mteb-retrieval-scores.js";
import { maxOverSubqueriesPrefix, rerankingMainScore, scoreReranking } from "./reranking-scores.js";

const measures = ["ndcg", "map", "recall", "precision", "mrr", "hit_rate"];

export const rerankingTaskType: TaskTypeDefinition = {
  type: "Reranking",
  mainScore: rerankingMainScore,
  metricKeys: [
    ...measures.flatMap((measure) => mtebKValues.map((k) => `${measure}_at_${k}`)),
    "accuracy",
    ...["ndcg", "map", "recall", "precision", "mrr"].flatMap((measure) =>
      mtebKValues.flatMap((k) =>
        ["max", "std", "diff1"].map((confidence) => `nauc_${measure}_at_${k}_${confidence}`),
      ),
    ),
  ],
  promptTypes: { queries: "query", corpus: "document" },
  perItemUnit: "query",
};

export interface RerankingDataset extends RetrievalDataset {
  /** Query id -> the candidate documents to rank (MTEB's top_ranked config). */
  candidates: Map<string, string[]>;
  /** MindSmallReranking: merge the sub-queries "<base>_<n>" and make max_over_subqueries_map_at_1000 the main score. */
  maxOverSubqueries?: boolean;
}

/**
 * One reranking split as MTEB 2.20 runs it: judged queries embedded as queries (with the model's query
 * prefix), the corpus as documents (`title + " " + text`, stripped), each query's candidates ranked by
 * the model's similarity. Per item: each query's (or merged group's) map_at_1000.
 */
export function evaluateReranking(
  context: TaskEmbeddingContext,
  dataset: RerankingDataset,
): Promise<TaskResult> {
  const mainScore = dataset.maxOverSubqueries
    ? `${maxOverSubqueriesPrefix}${rerankingMainScore}`
    : rerankingMainScore;
  const definition = { ...rerankingTaskType, mainScore };
  return runTask(
    context,
    { ...dataset, name: dataset.name, split: dataset.split, contentHash: dataset.contentHash },
    definition,
    async (embed) => {
      const queries = dataset.queries.filter((query) => dataset.qrels.has(query.id));
      const queryVectors = await embed(
        "queries",
        queries.map((query) => query.text),
      );
      const documentVectors = await embed(
        "corpus",
        dataset.corpus.map((document) => documentText(document)),
      );
      const result = scoreReranking({
        queries: queries.map((query, index) => ({
          id: query.id,
          vector: queryVectors[index] as Float32Array,
        })),
        documents: new Map(
          dataset.corpus.map((document, index) => [document.id, documentVectors[index] as Float32Array]),
        ),
        candidates: dataset.candidates,
        qrels: dataset.qrels,
        similarity: context.model.similarity,
        maxOverSubqueries: dataset.maxOverSubqueries === true,
      });
      const ids = [...result.perQuery.keys()];
      return {
        scores: result.scores,
        perItem: perItemRecord(
          mainScore,
          ids,
          ids.map((id) => result.perQuery.get(id)?.map_at_1000 as number),
        ),
        counts: { documents: dataset.corpus.length, queries: queries.length, scoredQueries: result.run.size },
        ...(result.withoutCandidates.length > 0
          ? { warnings: [`${result.withoutCandidates.length} judged queries have no candidates and score 0`] }
          : {}),
      };
    },
  );
}
