import { ConfigError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { createBm25Retriever } from "./bm25-retriever.js";

const settings = (options: Record<string, unknown> = {}) => ({
  model: "bm25",
  options,
  baseDirectory: "/",
  environment: {},
});

const documents = [
  { id: "d1", text: "apple banana apple" },
  { id: "d2", text: "banana cherry" },
  { id: "d3", text: "cherry cherry cherry date" },
];

describe("Bm25Retriever", () => {
  it("matches a hand-computed Lucene BM25 score on a 3-document corpus (k1 0.9, b 0.4)", async () => {
    const retriever = createBm25Retriever(settings({ stemming: false, stopwords: false }));
    const results = await retriever.retrieve({
      documents,
      queries: [{ id: "q", text: "Apple cherry" }],
      topK: 10,
    });
    // N = 3, average length 3. idf(apple) = ln(1 + 2.5 / 1.5), idf(cherry) = ln(1 + 1.5 / 2.5).
    // d1: apple tf 2, length 3: norm 0.9 * (0.6 + 0.4 * 3/3) = 0.9      -> ln(8/3) * 2 / 2.9
    // d2: cherry tf 1, length 2: norm 0.9 * (0.6 + 0.4 * 2/3) = 0.78    -> ln(1.6) * 1 / 1.78
    // d3: cherry tf 3, length 4: norm 0.9 * (0.6 + 0.4 * 4/3) = 1.02    -> ln(1.6) * 3 / 4.02
    const ranking = results.get("q") ?? [];
    expect(ranking.map((document) => document.id)).toEqual(["d1", "d3", "d2"]);
    expect(ranking[0]?.score).toBeCloseTo(0.676434, 6);
    expect(ranking[1]?.score).toBeCloseTo(0.350749, 6);
    expect(ranking[2]?.score).toBeCloseTo(0.264047, 6);
  });

  it("weights a repeated query term by its count, and returns only matching documents", async () => {
    const retriever = createBm25Retriever(settings({ stemming: false, stopwords: false }));
    const results = await retriever.retrieve({
      documents,
      queries: [
        { id: "twice", text: "date date" },
        { id: "once", text: "date" },
        { id: "none", text: "kiwi" },
      ],
      topK: 10,
    });
    const twice = results.get("twice")?.[0]?.score ?? 0;
    const once = results.get("once")?.[0]?.score ?? 0;
    expect(results.get("once")?.map((document) => document.id)).toEqual(["d3"]);
    expect(twice).toBeCloseTo(2 * once, 12);
    expect(results.get("none")).toEqual([]);
  });

  it("cuts at topK after ordering ties by id descending, as trec_eval does", async () => {
    const retriever = createBm25Retriever(settings());
    const tied = ["a", "c", "b", "d"].map((id) => ({ id, text: "same words here" }));
    const results = await retriever.retrieve({
      documents: tied,
      queries: [{ id: "q", text: "words" }],
      topK: 2,
    });
    expect(results.get("q")?.map((document) => document.id)).toEqual(["d", "c"]);
  });

  it("stems and drops stop words by default, like Anserini's analyzer", async () => {
    const retriever = createBm25Retriever(settings());
    const results = await retriever.retrieve({
      documents: [
        { id: "rotation", text: "Rotating access keys" },
        { id: "other", text: "The billing of the account" },
      ],
      queries: [{ id: "q", text: "how to rotate the key" }],
      topK: 10,
    });
    expect(results.get("q")?.map((document) => document.id)).toEqual(["rotation"]);
    expect(retriever.vectorOptions).toEqual({
      k1: 0.9,
      b: 0.4,
      stopwords: true,
      stemming: true,
      exactLengths: false,
    });
  });

  it("rounds long document lengths as Lucene's norm does, unless exactLengths is set", async () => {
    // d1 has 100 terms (Lucene scores it as 96), d2 has 20; average length 60, exact in both modes.
    const long = { id: "long", text: `${"filler ".repeat(99)}needle` };
    const short = { id: "short", text: `${"other ".repeat(19)}needle` };
    const query = { queries: [{ id: "q", text: "needle" }], topK: 10, documents: [long, short] };
    const idf = Math.log(1 + (2 - 2 + 0.5) / (2 + 0.5));
    const scoreFor = (length: number) => idf / (1 + 0.9 * (0.6 + (0.4 * length) / 60));
    const lossy = await createBm25Retriever(settings({ stopwords: false, stemming: false })).retrieve(query);
    const exact = await createBm25Retriever(
      settings({ stopwords: false, stemming: false, exactLengths: true }),
    ).retrieve(query);
    expect(lossy.get("q")?.find((document) => document.id === "long")?.score).toBeCloseTo(scoreFor(96), 12);
    expect(exact.get("q")?.find((document) => document.id === "long")?.score).toBeCloseTo(scoreFor(100), 12);
    expect(lossy.get("q")?.find((document) => document.id === "short")?.score).toBeCloseTo(scoreFor(20), 12);
  });

  it("rejects unknown or out-of-range options", () => {
    expect(() => createBm25Retriever(settings({ k_1: 1 }))).toThrow(ConfigError);
    expect(() => createBm25Retriever(settings({ k_1: 1 }))).toThrow(
      "Unknown option `options.k_1` for provider `bm25`.",
    );
    try {
      createBm25Retriever(settings({ k_1: 1 }));
    } catch (error) {
      expect((error as ConfigError).hint).toContain("Did you mean `k1`?");
    }
    expect(() => createBm25Retriever(settings({ b: 2 }))).toThrow(
      "`options.b` must be a number >= 0 <= 1, got 2.",
    );
  });
});

describe("BM25 tie order", () => {
  it("breaks equal scores by id descending in UTF-8 byte order, as trec_eval does, at the topK cut", async () => {
    // "\u{1F600}" (U+1F600, 4 UTF-8 bytes F0...) sorts after "\uFFFD" (EF BF BD) in bytes, but before it in
    // JavaScript's UTF-16 comparison: the bytes must win.
    const retriever = createBm25Retriever({
      model: "bm25",
      options: {},
      baseDirectory: ".",
      environment: {},
    });
    const ranked = await retriever.retrieve({
      documents: [
        { id: "\uFFFD", text: "alpha" },
        { id: "\u{1F600}", text: "alpha" },
      ],
      queries: [{ id: "q", text: "alpha" }],
      topK: 1,
    });
    expect(ranked.get("q")?.map((document) => document.id)).toEqual(["\u{1F600}"]);
  });
});
