import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseQrels } from "../trec/qrels-file.js";
import { parseTrecRun } from "../trec/trec-run.js";
import { evaluateRun } from "./evaluate-run.js";

// trec_eval's own test data and expected output for topic 302 (see test/fixtures/trec/README.md).
const fixtures = new URL("../../test/fixtures/trec/", import.meta.url);
const read = (name: string): Buffer => readFileSync(fileURLToPath(new URL(name, fixtures)));

const expected = new Map<string, number>();
for (const line of read("out-302.test").toString("utf8").trim().split("\n")) {
  const [name, query, value] = line.split("\t").map((field) => field.trim());
  expect(query).toBe("302");
  expected.set(name as string, Number(value));
}

const TREC_CUTOFFS = [5, 10, 15, 20, 30, 100, 200, 500, 1000];
// trec_eval prints 4 decimals, so a value it prints as x is within half a unit of the last digit of x.
const PRINTED_TOLERANCE = 0.00005 + 1e-12;

describe("trec_eval reference output (topic 302 of trec_eval's test collection)", () => {
  const { qrels } = parseQrels(read("qrels-302.test"), { file: "qrels-302.test" });
  const table = parseTrecRun(read("results-302.test"), { file: "results-302.test" });
  const kValues = [1, ...TREC_CUTOFFS];

  for (const [label, run] of [
    ["parsed TREC run", table],
    ["in-memory Run", table.toRun()],
  ] as const) {
    it(`matches ndcg_cut, map_cut, recall, P, success and recip_rank for the ${label}`, () => {
      const evaluation = evaluateRun(qrels, run, { kValues });
      expect(evaluation.scoredQueries).toBe(1);
      const scores = evaluation.perQuery.get("302");
      if (scores === undefined) throw new Error("topic 302 was not scored");
      const pairs: [string, string][] = [];
      for (const k of TREC_CUTOFFS) {
        pairs.push([`ndcg_at_${k}`, `ndcg_cut_${k}`]);
        pairs.push([`map_at_${k}`, `map_cut_${k}`]);
        pairs.push([`recall_at_${k}`, `recall_${k}`]);
        pairs.push([`precision_at_${k}`, `P_${k}`]);
      }
      for (const k of [1, 5, 10]) pairs.push([`hit_rate_at_${k}`, `success_${k}`]);
      // With 500 documents retrieved, MRR at 1000 is trec_eval's uncut recip_rank.
      pairs.push(["mrr_at_1000", "recip_rank"]);
      expect(pairs.length).toBe(40);
      for (const [ours, theirs] of pairs) {
        const reference = expected.get(theirs);
        if (reference === undefined) throw new Error(`no reference value for ${theirs}`);
        const value = scores[ours] as number;
        expect(
          Math.abs(value - reference),
          `${ours} = ${value}, trec_eval ${theirs} = ${reference}`,
        ).toBeLessThanOrEqual(PRINTED_TOLERANCE);
      }
    });
  }

  it("agrees with trec_eval's counts: 500 retrieved, 77 relevant, 50 relevant retrieved", () => {
    expect(table.size).toBe(expected.get("num_ret"));
    const judgments = qrels.get("302");
    const relevant = [...(judgments?.values() ?? [])].filter((grade) => grade >= 1).length;
    expect(relevant).toBe(expected.get("num_rel"));
    const evaluation = evaluateRun(qrels, table, { kValues: [1000] });
    // recall_1000 * num_rel = relevant retrieved
    expect(Math.round((evaluation.averages.recall_at_1000 as number) * relevant)).toBe(
      expected.get("num_rel_ret"),
    );
  });
});
