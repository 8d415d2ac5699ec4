import { describe, expect, it } from "vitest";
import { fixtureVector, metricDifferences, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import type { Qrels } from "../../trec/qrels.js";
import { scoreReranking } from "./reranking-scores.js";

interface RerankingInputs {
  queries: { id: string; text: string }[];
  corpus: { id: string; title: string; text: string }[];
  top_ranked: { "query-id": string; "corpus-ids": string[] }[];
  qrels: { "query-id": string; "corpus-id": string; score: number }[];
}

describe.each(["reranking-1", "reranking-2"])("reranking against %s", (name) => {
  it("equals MTEB's retrieval-restricted-to-candidates scores to 1e-6 on every key", () => {
    const fixture = readMtebTaskFixture(name);
    const inputs = fixture.inputs as RerankingInputs;
    const qrels: Qrels = new Map();
    for (const row of inputs.qrels) {
      const judgements = qrels.get(row["query-id"]) ?? new Map<string, number>();
      judgements.set(row["corpus-id"], row.score);
      qrels.set(row["query-id"], judgements);
    }
    const result = scoreReranking({
      queries: inputs.queries.map((query) => ({
        id: query.id,
        vector: fixtureVector(fixture.query_vectors ?? {}, query.text),
      })),
      documents: new Map(
        inputs.corpus.map((document) => [
          document.id,
          fixtureVector(
            fixture.vectors,
            (document.title ? `${document.title} ${document.text}` : document.text).trim(),
          ),
        ]),
      ),
      candidates: new Map(inputs.top_ranked.map((row) => [row["query-id"], row["corpus-ids"]])),
      qrels,
      similarity: fixture.parameters.similarity as Similarity,
      maxOverSubqueries: fixture.parameters.max_over_subqueries === true,
    });
    expect([...result.run.keys()]).toEqual(fixture.intermediate.scored_queries);
    expect(result.withoutCandidates).toEqual(fixture.intermediate.scored_queries_missing_from_top_ranked);
    const main = fixture.parameters.main_score as string;
    expect(
      metricDifferences(
        fixture.expected.unrounded,
        { ...result.scores, main_score: result.scores[main] },
        1e-6,
      ),
    ).toEqual([]);
  });
});
