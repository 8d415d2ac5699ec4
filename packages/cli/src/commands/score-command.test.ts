import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { metricNames } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedRun, runCommandCaptured } from "../../test/cli-harness.js";
import { scoreCommand } from "./score-command.js";

/** Runs the command in-process with captured stdout/stderr. */
function score(argv: string[], cwd: string): Promise<CapturedRun> {
  return runCommandCaptured(scoreCommand, argv, cwd);
}

describe("embedeval score", () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-score-"));
    await writeFile(
      join(workspace, "qrels.tsv"),
      "query-id\tcorpus-id\tscore\nq1\td2\t1\nq2\td9\t1\nq3\td1\t1\n",
    );
    await writeFile(join(workspace, "qrels.trec"), "q1 0 d2 1\nq2 0 d9 1\nq3 0 d1 1\n");
    await writeFile(
      join(workspace, "run.trec"),
      [
        "q1 Q0 d1 1 0.9 test",
        "q1 Q0 d2 2 0.8 test",
        "q2 Q0 d9 1 0.5 test",
        "q2 Q0 d8 2 0.5 test",
        "q4 Q0 d1 1 0.5 test",
        "",
      ].join("\n"),
    );
    await writeFile(join(workspace, "broken.trec"), "q1 Q0 d1 1 0.9 test\nq1 Q0 d2 2 0.8\n");
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("prints an aligned table with one column per k, and warns about unjudged and missing queries", async () => {
    const result = await score(["--qrels", "qrels.tsv", "--run", "run.trec", "--k", "1,3,10"], workspace);
    expect(result.code).toBe(0);
    const lines = result.stdout.split("\n");
    expect(lines).toContain("scored queries: 2");
    const header = lines.find((line) => line.startsWith("measure"));
    expect(header).toMatch(/^measure\s+@1\s+@3\s+@10$/);
    // q1: relevant at rank 2; q2: d9 wins the 0.5 tie against d8 (ids descending), relevant at rank 1.
    expect(lines).toContain(`Precision  ${"0.50000".padStart(7)}  0.33333  0.10000`);
    expect(lines).toContain("MRR        0.50000  0.75000  0.75000");
    // Right-aligned number columns: every row of the table has the same width.
    const table = lines.slice(lines.indexOf(header as string), lines.indexOf(header as string) + 7);
    expect(table.map((line) => line.split(/\s+/)[0])).toEqual([
      "measure",
      "nDCG",
      "MAP",
      "Recall",
      "Precision",
      "MRR",
      "Hit",
    ]);
    expect(new Set(table.map((line) => line.length)).size).toBe(1);
    expect(result.stderr).toContain("1 run query has no judgments");
    expect(result.stderr).toContain("1 judged query is missing from the run and left out of the means");
    expect(result.stderr).toContain("q3");
  });

  it("prints MTEB-named means as JSON, with per-query scores on request, and counts missing queries when asked", async () => {
    const result = await score(
      ["--qrels", "qrels.trec", "--run", "run.trec", "--json", "--per-query", "--k", "1,10"],
      workspace,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    // MTEB's keys, in metricNames' order (its own test spells them out), then the per-query scores.
    expect(Object.keys(output)).toEqual([...metricNames([1, 10]), "per_query"]);
    expect(output.mrr_at_10).toBe(0.75);
    expect(output.ndcg_at_10).toBe((1 / Math.log2(3) + 1) / 2);
    expect(output.per_query.q2.precision_at_1).toBe(1);
    expect(Object.keys(output.per_query)).toEqual(["q1", "q2"]);

    const complete = await score(
      ["--qrels", "qrels.trec", "--run", "run.trec", "--json", "--score-missing", "--k", "10"],
      workspace,
    );
    expect(JSON.parse(complete.stdout).mrr_at_10).toBe(0.5);
    expect(complete.stderr).toContain("scored 0");
  });

  it("uses MTEB's default cutoffs", async () => {
    const result = await score(["--qrels", "qrels.trec", "--run", "run.trec", "--json"], workspace);
    expect(Object.keys(JSON.parse(result.stdout))).toContain("hit_rate_at_1000");
  });

  it("prints per-query lines in trec_eval -q style", async () => {
    const result = await score(
      ["--qrels", "qrels.trec", "--run", "run.trec", "--per-query", "--k", "1"],
      workspace,
    );
    expect(result.stdout).toContain("q1\tmrr_at_1\t0.00000");
    expect(result.stdout).toContain("q2\tmrr_at_1\t1.00000");
  });

  it("exits 2 and says what to pass when a flag is missing, a file is unreadable or a line is malformed", async () => {
    const missing = await score(["--run", "run.trec"], workspace);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Missing --qrels FILE");
    expect(missing.stderr).toContain("hint: Pass the relevance judgments");

    const unreadable = await score(["--qrels", "nope.tsv", "--run", "run.trec"], workspace);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(/Cannot read the qrels file `.*nope\.tsv`: it does not exist/);

    const malformed = await score(["--qrels", "qrels.trec", "--run", "broken.trec"], workspace);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(/broken\.trec:2: Expected `query-id Q0 document-id rank score run-tag`/);
    expect(malformed.stderr).not.toContain("    at ");

    const badK = await score(["--qrels", "qrels.trec", "--run", "run.trec", "--k", "0,10"], workspace);
    expect(badK.code).toBe(2);
    expect(badK.stderr).toContain("not a positive integer");

    const unknown = await score(["--qrels", "qrels.trec", "--run", "run.trec", "--bogus"], workspace);
    expect(unknown.code).toBe(2);
  });

  it("exits 1 when no run query has judgments", async () => {
    await writeFile(join(workspace, "other.trec"), "zz 0 d1 1\n");
    const result = await score(["--qrels", "other.trec", "--run", "run.trec"], workspace);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("nothing to score");
  });

  it("prints help", async () => {
    const result = await score(["--help"], workspace);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: embedeval score --qrels FILE --run FILE");
  });
});
