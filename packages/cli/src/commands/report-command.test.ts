import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTaskResult } from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli-harness.js";

describe("embedeval report --html", () => {
  let workspace: string;
  const scores = noisyScores(40, 0.6, 0.3, 3).map((value) => Math.max(0.1, value));

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-report-"));
    // Queries q0..q39 of a local BEIR folder (each judged: the loader keeps judged queries only).
    await mkdir(join(workspace, "data/qrels"), { recursive: true });
    await writeFile(
      join(workspace, "data/corpus.jsonl"),
      `${JSON.stringify({ _id: "d0", text: "a document" })}\n`,
    );
    await writeFile(
      join(workspace, "data/qrels/test.tsv"),
      `query-id\tcorpus-id\tscore\n${scores.map((_, index) => `q${index}\td0\t1\n`).join("")}`,
    );
    await writeFile(
      join(workspace, "data/queries.jsonl"),
      `${scores.map((_, index) => JSON.stringify({ _id: `q${index}`, text: `question <${index}>` })).join("\n")}\n`,
    );
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "name: study",
        "models: [{ id: bm25, provider: bm25 }]",
        "tasks: [{ name: SciFact, path: ./data }]",
        "",
      ].join("\n"),
    );
    await writeTaskResult(
      join(workspace, "base"),
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores }),
    );
    await writeTaskResult(
      join(workspace, "head"),
      buildTaskResult({
        model: "bm25",
        task: "SciFact",
        ndcg: scores.map((value, index) => (index === 7 ? value - 0.3 : value)),
      }),
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("writes one self-contained file with the comparison and the worse queries' text", async () => {
    const result = await runCliCaptured(
      ["report", "head", "--baseline", "base", "--config", "embedeval.yml", "--html", "out/report.html"],
      workspace,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`HTML report: ${join(workspace, "out/report.html")}`);
    const page = await readFile(join(workspace, "out/report.html"), "utf8");
    expect(page.startsWith("<!doctype html>")).toBe(true);
    expect(page).toContain("<title>embedeval report: study</title>");
    expect(page).toContain("Comparison with the baseline");
    expect(page).toMatch(
      /<td><code>q7<\/code><\/td><td>question &lt;7&gt;<\/td><td class="number">[\d.]+<\/td><td class="number">[\d.]+<\/td><td class="number">-30\.00<\/td>/,
    );
    expect(page).not.toMatch(/<script|(src|href)=/);
  });
});
