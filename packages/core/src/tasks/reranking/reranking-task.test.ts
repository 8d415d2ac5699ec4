import { describe, expect, it } from "vitest";
import { fixtureModel, fixtureProvider, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import type { Similarity } from "../../search/similarity.js";
import type { Qrels } from "../../trec/qrels.js";
import { evaluateReranking } from "./reranking-task.js";

describe("evaluateReranking", () => {
  it("embeds queries as queries and documents as title + text, and makes the merged MAP the MindSmall main score", async () => {
    const fixture = readMtebTaskFixture("reranking-2");
    const inputs = fixture.inputs as {
      queries: { id: string; text: string }[];
      corpus: { id: string; title: string; text: string }[];
      top_ranked: { "query-id": string; "corpus-ids": string[] }[];
      qrels: { "query-id": string; "corpus-id": string; score: number }[];
    };
    const qrels: Qrels = new Map();
    for (const row of inputs.qrels) {
      const judgements = qrels.get(row["query-id"]) ?? new Map<string, number>();
      judgements.set(row["corpus-id"], row.score);
      qrels.set(row["query-id"], judgements);
    }
    const provider = fixtureProvider({ ...fixture.vectors, ...fixture.query_vectors });
    const result = await evaluateReranking(
      {
        model: {
          ...fixtureModel,
          queryPrefix: "",
          documentPrefix: "",
          similarity: fixture.parameters.similarity as Similarity,
        },
        provider,
      },
      {
        name: "fixture-reranking",
        split: "test",
        contentHash: "hash",
        warnings: [],
        corpus: inputs.corpus,
        queries: inputs.queries,
        qrels,
        candidates: new Map(inputs.top_ranked.map((row) => [row["query-id"], row["corpus-ids"]])),
        maxOverSubqueries: true,
      },
    );
    expect(provider.calls.map((call) => call.inputType)).toContain("query");
    const scores = result.scores.test?.[0];
    expect(result.embedeval.main_metric).toBe("max_over_subqueries_map_at_1000");
    expect(scores?.main_score).toBeCloseTo(
      fixture.expected.unrounded.max_over_subqueries_map_at_1000 as number,
      9,
    );
    expect(Object.keys(result.embedeval.per_query.test ?? {})).toEqual(
      Object.keys(fixture.intermediate.subquery_groups),
    );
  });
});
