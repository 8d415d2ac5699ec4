import { EmbedEvalError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { compareDocumentIds } from "../trec/document-id-order.js";
import type { Qrels } from "../trec/qrels.js";
import { evaluateRun } from "./evaluate-run.js";
import { metricNames } from "./metric-names.js";

/** MTEB's retrieval cutoffs (the retrieval task owns them; the measures take any). */
const DEFAULT_K_VALUES: readonly number[] = [1, 3, 5, 10, 20, 100, 1000];

import type { RankedDocument, Run } from "../trec/run.js";
import { SearchRun } from "../trec/search-run.js";
import { parseTrecRun } from "../trec/trec-run.js";

const EXACT = 1e-12;

function qrelsOf(entries: Record<string, Record<string, number>>): Qrels {
  return new Map(
    Object.entries(entries).map(([query, documents]) => [query, new Map(Object.entries(documents))]),
  );
}

function runOf(entries: Record<string, [string, number][]>): Run {
  return new Map(
    Object.entries(entries).map(([query, documents]) => [
      query,
      documents.map(([id, score]) => ({ id, score })),
    ]),
  );
}

/** Scores both through the in-memory Run and through the TREC-file path, checks they agree, returns one. */
function evaluateBothWays(
  qrels: Qrels,
  run: Run,
  options: Parameters<typeof evaluateRun>[2] = { kValues: DEFAULT_K_VALUES },
) {
  const fromRun = evaluateRun(qrels, run, options);
  const lines: string[] = [];
  for (const [query, documents] of run) {
    for (const [index, document] of documents.entries()) {
      lines.push(`${query} Q0 ${document.id} ${index + 1} ${document.score} test`);
    }
  }
  const fromFile = evaluateRun(qrels, parseTrecRun(`${lines.join("\n")}\n`), options);
  expect([...fromFile.perQuery]).toEqual([...fromRun.perQuery]);
  expect(fromFile.scoredQueries).toBe(fromRun.scoredQueries);
  return fromRun;
}

function scoresOf(evaluation: ReturnType<typeof evaluateRun>, query: string): Record<string, number> {
  const scores = evaluation.perQuery.get(query);
  if (scores === undefined) throw new Error(`query ${query} not scored`);
  return scores;
}

describe("evaluateRun: hand-computed cases", () => {
  it("breaks score ties by document id descending in byte order", () => {
    const run = runOf({
      q: [
        ["a", 1],
        ["b", 1],
        ["c", 0.5],
      ],
    });
    // b ranks above a on the tie.
    const relevantB = evaluateBothWays(qrelsOf({ q: { b: 1 } }), run, { kValues: [1, 2] });
    expect(scoresOf(relevantB, "q").mrr_at_1).toBe(1);
    const relevantA = evaluateBothWays(qrelsOf({ q: { a: 1 } }), run, { kValues: [1, 2] });
    expect(scoresOf(relevantA, "q").mrr_at_1).toBe(0);
    expect(scoresOf(relevantA, "q").mrr_at_2).toBe(0.5);
    expect(scoresOf(relevantA, "q").ndcg_at_2).toBeCloseTo(1 / Math.log2(3), 12);
  });

  it("orders tied ids as UTF-8 bytes (code points), not UTF-16 units", () => {
    // U+1D538 (4 UTF-8 bytes, starting 0xF0) sorts above U+FFFD (0xEF ...) in byte order; JavaScript's `<`
    // on UTF-16 would put it below. Descending order puts the astral id first.
    const astral = "\u{1D538}";
    const replacement = "\uFFFD";
    expect(compareDocumentIds(astral, replacement)).toBeGreaterThan(0);
    expect(astral < replacement).toBe(true);
    expect(compareDocumentIds("\u00e9", "z")).toBeGreaterThan(0);
    const run = runOf({
      q: [
        [replacement, 2],
        [astral, 2],
      ],
    });
    const evaluation = evaluateBothWays(qrelsOf({ q: { [astral]: 1 } }), run, { kValues: [1] });
    expect(scoresOf(evaluation, "q").precision_at_1).toBe(1);
  });

  it("uses linear gains, log2(rank + 1) discounts and the ideal ranking from the qrels", () => {
    // Judged: d1 = 2, d2 = 1, d3 = 3 (not retrieved), d5 = 0. Ranking: d1, d4 (unjudged), d2, d5.
    const qrels = qrelsOf({ q: { d1: 2, d2: 1, d3: 3, d5: 0 } });
    const run = runOf({
      q: [
        ["d1", 0.9],
        ["d4", 0.8],
        ["d2", 0.7],
        ["d5", 0.6],
      ],
    });
    const scores = scoresOf(evaluateBothWays(qrels, run, { kValues: [1, 3, 10] }), "q");
    const idealAt3 = 3 + 2 / Math.log2(3) + 1 / Math.log2(4);
    expect(scores.ndcg_at_1).toBeCloseTo(2 / 3, 12);
    expect(Math.abs((scores.ndcg_at_3 as number) - (2 + 1 / Math.log2(4)) / idealAt3)).toBeLessThan(EXACT);
    expect(Math.abs((scores.ndcg_at_10 as number) - (2 + 1 / Math.log2(4)) / idealAt3)).toBeLessThan(EXACT);
    // MAP divides by all 3 relevant documents, not by min(k, R) or by the retrieved ones.
    expect(Math.abs((scores.map_at_1 as number) - 1 / 3)).toBeLessThan(EXACT);
    expect(Math.abs((scores.map_at_3 as number) - (1 + 2 / 3) / 3)).toBeLessThan(EXACT);
    expect(Math.abs((scores.recall_at_3 as number) - 2 / 3)).toBeLessThan(EXACT);
    expect(Math.abs((scores.precision_at_3 as number) - 2 / 3)).toBeLessThan(EXACT);
    expect(scores.mrr_at_1).toBe(1);
    expect(scores.hit_rate_at_1).toBe(1);
  });

  it("divides precision by k when fewer than k documents were retrieved", () => {
    const qrels = qrelsOf({ q: { a: 1, b: 1 } });
    const run = runOf({
      q: [
        ["a", 2],
        ["x", 1],
      ],
    });
    const scores = scoresOf(evaluateBothWays(qrels, run, { kValues: [10, 1000] }), "q");
    expect(scores.precision_at_10).toBe(1 / 10);
    expect(scores.precision_at_1000).toBe(1 / 1000);
    expect(scores.recall_at_1000).toBe(0.5);
    expect(Math.abs((scores.ndcg_at_10 as number) - 1 / (1 + 1 / Math.log2(3)))).toBeLessThan(EXACT);
    expect(scores.map_at_1000).toBe(0.5);
  });

  it("scores 0 on every measure when no relevant document is retrieved", () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    const scores = scoresOf(
      evaluateBothWays(
        qrels,
        runOf({
          q: [
            ["x", 1],
            ["y", 0.5],
          ],
        }),
      ),
      "q",
    );
    for (const name of metricNames(DEFAULT_K_VALUES)) expect(scores[name], name).toBe(0);
  });

  it("scores a query whose judgments are all grade 0, with zeros, and counts it (trec_eval, pytrec_eval)", () => {
    const qrels = qrelsOf({ judged: { a: 1 }, zero: { a: 0, b: 0 } });
    const run = runOf({
      judged: [["a", 1]],
      zero: [
        ["a", 1],
        ["b", 0.5],
      ],
    });
    const evaluation = evaluateBothWays(qrels, run, { kValues: [1] });
    expect(evaluation.scoredQueries).toBe(2);
    for (const value of Object.values(scoresOf(evaluation, "zero"))) expect(value).toBe(0);
    expect(evaluation.averages.ndcg_at_1).toBe(0.5);
    expect(evaluation.averages.precision_at_1).toBe(0.5);
  });

  it("does not score run queries without qrels, and reports judged queries missing from the run", () => {
    const qrels = qrelsOf({ a: { d: 1 }, missing: { d: 1 }, empty: {} });
    const run = runOf({ a: [["d", 1]], unjudged: [["d", 1]] });
    const evaluation = evaluateBothWays(qrels, run, { kValues: [1] });
    expect(evaluation.scoredQueries).toBe(1);
    expect(evaluation.unjudgedQueries).toBe(1);
    expect(evaluation.missingQueries).toEqual(["missing"]);
    expect(evaluation.averages.ndcg_at_1).toBe(1);

    const complete = evaluateRun(qrels, run, { kValues: [1], scoreMissingQueries: true });
    expect(complete.scoredQueries).toBe(2);
    expect(complete.perQuery.get("missing")?.ndcg_at_1).toBe(0);
    expect(complete.averages.ndcg_at_1).toBe(0.5);
  });

  it("drops a document whose id equals the query id only when asked", () => {
    const qrels = qrelsOf({ q1: { d: 1, q1: 1 } });
    const run = runOf({
      q1: [
        ["q1", 2],
        ["d", 1],
      ],
    });
    expect(scoresOf(evaluateBothWays(qrels, run, { kValues: [1] }), "q1").mrr_at_1).toBe(1);
    const ignoring = evaluateBothWays(qrels, run, { kValues: [1], ignoreIdenticalIds: true });
    expect(scoresOf(ignoring, "q1").precision_at_1).toBe(1);
    expect(scoresOf(ignoring, "q1").recall_at_1).toBe(0.5);
  });

  it("returns every MTEB metric name and empty averages when nothing was scored", () => {
    const evaluation = evaluateRun(qrelsOf({ q: { a: 1 } }), runOf({ q: [["a", 1]] }), {
      kValues: DEFAULT_K_VALUES,
    });
    expect(Object.keys(scoresOf(evaluation, "q"))).toEqual(metricNames(DEFAULT_K_VALUES));
    expect(Object.keys(evaluation.averages)).toContain("hit_rate_at_1000");
    const nothing = evaluateRun(qrelsOf({ q: { a: 1 } }), runOf({ other: [["a", 1]] }), {
      kValues: DEFAULT_K_VALUES,
    });
    expect(nothing.scoredQueries).toBe(0);
    expect(nothing.averages).toEqual({});
  });

  it("refuses a document ranked twice and a NaN score", () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    expect(() =>
      evaluateRun(
        qrels,
        runOf({
          q: [
            ["a", 1],
            ["a", 0.5],
          ],
        }),
        { kValues: DEFAULT_K_VALUES },
      ),
    ).toThrowError(/ranked twice/);
    expect(() =>
      evaluateRun(qrels, runOf({ q: [["a", Number.NaN]] }), { kValues: DEFAULT_K_VALUES }),
    ).toThrowError(/NaN/);
    try {
      evaluateRun(
        qrels,
        runOf({
          q: [
            ["a", 1],
            ["a", 0.5],
          ],
        }),
        { kValues: DEFAULT_K_VALUES },
      );
    } catch (error) {
      expect(EmbedEvalError.is(error) && error.code).toBe("dataset");
    }
  });
});

/**
 * A direct transcription of the trec_eval definitions (full sort, then walk the ranking), kept deliberately
 * naive, to check the rank-counting evaluator on random runs full of ties and grades.
 */
function referenceScores(
  judgments: Map<string, number>,
  documents: readonly { id: string; score: number }[],
  kValues: number[],
) {
  const ranked = [...documents].sort((a, b) => b.score - a.score || compareDocumentIds(b.id, a.id));
  const grades = ranked.map((document) => judgments.get(document.id) ?? 0);
  const totalRelevant = [...judgments.values()].filter((grade) => grade >= 1).length;
  const ideal = [...judgments.values()].filter((grade) => grade > 0).sort((a, b) => b - a);
  const scores: Record<string, number> = {};
  for (const k of kValues) {
    let dcg = 0;
    let idcg = 0;
    let found = 0;
    let precisionSum = 0;
    let reciprocal = 0;
    for (let index = 0; index < Math.min(k, grades.length); index++) {
      const grade = grades[index] as number;
      if (grade > 0) dcg += grade / Math.log2(index + 2);
      if (grade >= 1) {
        found++;
        precisionSum += found / (index + 1);
        if (reciprocal === 0) reciprocal = 1 / (index + 1);
      }
    }
    for (let index = 0; index < Math.min(k, ideal.length); index++)
      idcg += (ideal[index] as number) / Math.log2(index + 2);
    scores[`ndcg_at_${k}`] = idcg > 0 ? dcg / idcg : 0;
    scores[`map_at_${k}`] = totalRelevant > 0 ? precisionSum / totalRelevant : 0;
    scores[`recall_at_${k}`] = totalRelevant > 0 ? found / totalRelevant : 0;
    scores[`precision_at_${k}`] = found / k;
    scores[`mrr_at_${k}`] = reciprocal;
    scores[`hit_rate_at_${k}`] = found > 0 ? 1 : 0;
  }
  return scores;
}

describe("evaluateRun against a naive full-sort reference", () => {
  it("agrees to 1e-12 on random rankings with many ties and graded judgments", () => {
    let seed = 12345;
    const random = (): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const kValues = [1, 2, 3, 5, 10, 20, 50];
    const qrels: Qrels = new Map();
    const run = new Map<string, RankedDocument[]>();
    for (let query = 0; query < 60; query++) {
      const size = 1 + Math.floor(random() * 40);
      const documents = Array.from({ length: size }, (_, index) => ({
        id: `d${Math.floor(random() * 1000)}-${index}`,
        score: Math.floor(random() * 6) / 2, // few distinct scores: ties everywhere
      }));
      const judgments = new Map<string, number>();
      for (const document of documents)
        if (random() < 0.3) judgments.set(document.id, Math.floor(random() * 4));
      if (random() < 0.5) judgments.set(`unretrieved-${query}`, 1 + Math.floor(random() * 3));
      if (judgments.size === 0) judgments.set("none", 0);
      qrels.set(`q${query}`, judgments);
      run.set(`q${query}`, documents);
    }
    const evaluation = evaluateBothWays(qrels, run, { kValues });
    expect(evaluation.scoredQueries).toBe(60);
    for (const [query, documents] of run) {
      const expected = referenceScores(qrels.get(query) as Map<string, number>, documents, kValues);
      const actual = scoresOf(evaluation, query);
      for (const [name, value] of Object.entries(expected)) {
        expect(Math.abs((actual[name] as number) - value), `${query} ${name}`).toBeLessThan(EXACT);
      }
    }
  });
});

describe("evaluateRun on the search's columns (SearchRun)", () => {
  /** A run of 50 queries × 20 documents with many ties, some ids equal to query ids, 10 queries unjudged. */
  function columnsAndQrels() {
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 32;
      return seed / 2 ** 32;
    };
    const documentIds = [...Array.from({ length: 300 }, (_, index) => `d${index}`), "q3", "q17"];
    const queryIds = Array.from({ length: 50 }, (_, query) => `q${query}`);
    const k = 20;
    const indices = new Uint32Array(queryIds.length * k);
    const scores = new Float32Array(queryIds.length * k);
    const qrels: Qrels = new Map();
    for (let query = 0; query < queryIds.length; query++) {
      const chosen = new Set<number>(query === 3 || query === 17 ? [300 + (query === 3 ? 0 : 1)] : []);
      while (chosen.size < k) chosen.add(Math.floor(random() * 300));
      [...chosen].forEach((index, rank) => {
        indices[query * k + rank] = index;
        scores[query * k + rank] = Math.floor(random() * 5) / 4;
      });
      if (query >= 40) continue;
      const judgments = new Map<string, number>();
      for (const index of chosen)
        if (random() < 0.3) judgments.set(documentIds[index] as string, Math.floor(random() * 4));
      judgments.set(`unretrieved-${query}`, 1);
      qrels.set(queryIds[query] as string, judgments);
    }
    return { queryIds, documentIds, indices, scores, k, qrels };
  }

  it("scores exactly as the same run read as lists, with ties, identical ids and unjudged queries", () => {
    const { queryIds, documentIds, indices, scores, k, qrels } = columnsAndQrels();
    const run = new SearchRun(queryIds, documentIds, indices, scores, k);
    for (const ignoreIdenticalIds of [false, true]) {
      const options = { kValues: [1, 3, 5, 10, 20], ignoreIdenticalIds, scoreMissingQueries: true };
      const fromColumns = evaluateRun(qrels, run, options);
      expect(fromColumns).toEqual(evaluateRun(qrels, new Map(run), options));
      expect(fromColumns.scoredQueries).toBe(40);
      expect(fromColumns.unjudgedQueries).toBe(10);
    }
  });

  it("refuses a document ranked twice and a NaN score, as with lists", () => {
    const qrels = qrelsOf({ q: { a: 1 } });
    const options = { kValues: DEFAULT_K_VALUES };
    const twice = new SearchRun(
      ["q"],
      ["a", "b"],
      Uint32Array.from([0, 1, 0]),
      Float32Array.from([1, 0.5, 0.25]),
      3,
    );
    expect(() => evaluateRun(qrels, twice, options)).toThrowError(/`a` is ranked twice for query `q`/);
    const notANumber = new SearchRun(
      ["q"],
      ["a", "b"],
      Uint32Array.from([1, 0]),
      Float32Array.from([1, Number.NaN]),
      2,
    );
    expect(() => evaluateRun(qrels, notANumber, options)).toThrowError(/`a` of query `q` has a NaN score/);
    // The same document in two queries' rows is no duplicate.
    const two = new SearchRun(
      ["q", "r"],
      ["a", "b"],
      Uint32Array.from([0, 1, 0, 1]),
      Float32Array.from([1, 0.5, 1, 0.5]),
      2,
    );
    expect(evaluateRun(qrels, two, options).scoredQueries).toBe(1);
  });
});
