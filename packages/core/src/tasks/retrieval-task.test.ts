import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmbeddingProvider, EmbedRequest, Retriever } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import type { ModelConfig } from "../config/config-types.js";
import type { RetrievalDataset } from "../datasets/retrieval-dataset.js";
import { EmbeddingCache } from "../runtime/cache/embedding-cache.js";
import { evaluateRetrieval } from "./retrieval-task.js";

const model: ModelConfig = {
  id: "test-model",
  provider: "test",
  model: "test",
  options: {},
  similarity: "cosine",
  queryPrefix: "query: ",
  documentPrefix: "passage: ",
  revision: "no_revision_available",
  runtime: { maxConcurrency: 1, timeoutSeconds: 5, maxRetries: 0 },
};

function dataset(qrels: [string, string, number][], extra: Partial<RetrievalDataset> = {}): RetrievalDataset {
  const judgments = new Map<string, Map<string, number>>();
  for (const [query, document, grade] of qrels) {
    const forQuery = judgments.get(query) ?? new Map<string, number>();
    forQuery.set(document, grade);
    judgments.set(query, forQuery);
  }
  return {
    name: "tiny",
    split: "test",
    contentHash: "hash",
    warnings: [],
    corpus: [
      { id: "apple", title: "Apples", text: " red fruit " },
      { id: "bolt", title: "", text: "  steel bolt\t" },
      { id: "q1", title: "Q", text: "same id as a query" },
    ],
    queries: [
      { id: "q1", text: "fruit" },
      { id: "q2", text: "bolt" },
      { id: "q3", text: "never judged" },
    ],
    qrels: judgments,
    ...extra,
  };
}

/** Vectors from a fixed vocabulary: each text points at the words it contains. Records every call. */
class KeywordProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1";
  readonly provider = "test";
  readonly modelId = "keywords";
  readonly capabilities = { maxInputsPerCall: 8, normalized: false, supportsParallelCalls: false };
  readonly vectorOptions = {};
  readonly calls: EmbedRequest[] = [];
  async embed(request: EmbedRequest) {
    this.calls.push(request);
    const vocabulary = ["fruit", "bolt", "same"];
    return {
      embeddings: request.texts.map(
        (text) => new Float32Array(vocabulary.map((word) => (text.includes(word) ? 1 : 0.01))),
      ),
      usage: { tokens: request.texts.length, source: "estimated" as const },
    };
  }
}

describe("evaluateRetrieval", () => {
  it("sends MTEB's texts: stripped title + text with the prefix, only judged queries, by input type", async () => {
    const provider = new KeywordProvider();
    const result = await evaluateRetrieval({
      model,
      provider,
      dataset: dataset([
        ["q1", "apple", 1],
        ["q2", "bolt", 1],
      ]),
      ignoreIdenticalIds: false,
    });
    const documents = provider.calls
      .filter((call) => call.inputType === "document")
      .flatMap((call) => call.texts);
    const queries = provider.calls.filter((call) => call.inputType === "query").flatMap((call) => call.texts);
    expect(documents).toEqual([
      "passage: Apples  red fruit",
      "passage: steel bolt",
      "passage: Q same id as a query",
    ]);
    expect(queries).toEqual(["query: fruit", "query: bolt"]);
    const scores = result.scores.test?.[0];
    expect(scores?.ndcg_at_10).toBe(1);
    expect(scores?.main_score).toBe(scores?.ndcg_at_10);
    expect(Object.keys(result.embedeval.per_query.test ?? {})).toEqual(["q1", "q2"]);
    expect(result.embedeval.counts).toEqual({ documents: 3, queries: 2, scoredQueries: 2 });
  });

  it("streams a large corpus from the cache instead of holding it, with the same results", async () => {
    // Sixteen dimensions from the text's characters: distinct, deterministic vectors.
    const hashed: EmbeddingProvider = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "hashed",
      capabilities: { maxInputsPerCall: 32, normalized: false, supportsParallelCalls: false },
      vectorOptions: {},
      async embed(request: EmbedRequest) {
        return {
          embeddings: request.texts.map((text) =>
            Float32Array.from({ length: 16 }, (_, index) => {
              let value = index + 1;
              for (let at = 0; at < text.length; at++) value = (value * 31 + text.charCodeAt(at)) % 1009;
              return value / 1009 - 0.5;
            }),
          ),
          usage: { tokens: request.texts.length, source: "estimated" as const },
        };
      },
    };
    const corpus = Array.from({ length: 300 }, (_, index) => ({
      id: `d${index}`,
      title: "",
      text: `document ${index % 290}`,
    }));
    const queries = Array.from({ length: 12 }, (_, index) => ({
      id: `q${index}`,
      text: `question ${index}`,
    }));
    const qrels = queries.map((query, index) => [query.id, `d${index * 7}`, 1] as [string, string, number]);
    const large = dataset(qrels, { corpus, queries });
    const directory = mkdtempSync(join(tmpdir(), "embedeval-stream-"));
    try {
      // Without a cache nothing can stream: the vectors are held, and the result says so.
      const held = await evaluateRetrieval({
        model,
        provider: hashed,
        dataset: large,
        ignoreIdenticalIds: false,
        streamDocumentsFrom: 0,
      });
      expect(held.embedeval.warnings).toContain(
        "documents: all 300 document vectors are held in memory (the cache is off); with the cache on, a corpus this large is streamed from it instead",
      );
      const cache = await EmbeddingCache.open(directory);
      // The search reads the documents back from the cache, chunk by chunk.
      const readInto = cache.readInto.bind(cache);
      let textsRead = 0;
      cache.readInto = (namespace, texts, target, dimension) => {
        textsRead += texts.length;
        return readInto(namespace, texts, target, dimension);
      };
      const stream = () =>
        evaluateRetrieval({
          model,
          provider: hashed,
          dataset: large,
          ignoreIdenticalIds: false,
          cache,
          streamDocumentsFrom: 0,
        });
      const streamed = await stream();
      // And again, every vector now read from the cache.
      const rerun = await stream();
      cache.close();
      expect(textsRead).toBe(2 * 300);
      expect(streamed.scores).toEqual(held.scores);
      expect(streamed.embedeval.per_query).toEqual(held.embedeval.per_query);
      expect(rerun.scores).toEqual(held.scores);
      expect(rerun.embedeval.usage.cacheHits).toBe(302);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it("counts a judgment of a document missing from the corpus, as pytrec_eval does", async () => {
    const result = await evaluateRetrieval({
      model,
      provider: new KeywordProvider(),
      dataset: dataset([
        ["q1", "apple", 1],
        ["q1", "not-in-corpus", 1],
      ]),
      ignoreIdenticalIds: false,
    });
    expect(result.scores.test?.[0]?.recall_at_10).toBe(0.5);
    expect(result.scores.test?.[0]?.map_at_10).toBe(0.5);
  });

  it("drops a hit whose document id equals the query id only when the task says so", async () => {
    const judged = dataset([["q1", "q1", 1]]);
    const kept = await evaluateRetrieval({
      model,
      provider: new KeywordProvider(),
      dataset: judged,
      ignoreIdenticalIds: false,
    });
    const dropped = await evaluateRetrieval({
      model,
      provider: new KeywordProvider(),
      dataset: judged,
      ignoreIdenticalIds: true,
    });
    expect(kept.scores.test?.[0]?.hit_rate_at_1000).toBe(1);
    expect(dropped.scores.test?.[0]?.hit_rate_at_1000).toBe(0);
  });

  it("scores 0, with a warning, a judged query a retriever returned nothing for", async () => {
    const retriever: Retriever = {
      specificationVersion: "v1",
      provider: "test",
      modelId: "partial",
      vectorOptions: {},
      retrieve: async () => new Map([["q1", [{ id: "apple", score: 1 }]]]),
    };
    const result = await evaluateRetrieval({
      model,
      provider: retriever,
      dataset: dataset([
        ["q1", "apple", 1],
        ["q2", "bolt", 1],
      ]),
      ignoreIdenticalIds: false,
    });
    expect(result.scores.test?.[0]?.ndcg_at_10).toBe(0.5);
    expect(result.embedeval.per_query.test?.q2?.ndcg_at_10).toBe(0);
    expect(result.embedeval.warnings).toEqual(['1 judged query got no results and scored 0: "q2"']);
  });
});
