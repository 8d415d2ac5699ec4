import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeTaskPredictions, writeTaskResult } from "@embedeval/core";
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
      `${[
        { _id: "d0", title: "The answer", text: "a document" },
        { _id: "d1", title: "", text: `off topic <b>${"long ".repeat(60)}` },
        { _id: "d2", title: "", text: "never shown" },
      ]
        .map((document) => JSON.stringify(document))
        .join("\n")}\n`,
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
    const base = buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores });
    const head = buildTaskResult({
      model: "bm25",
      task: "SciFact",
      ndcg: scores.map((value, index) => (index === 7 ? value - 0.3 : value)),
    });
    // Each side's top documents, as `embedeval run` writes them beside the result file: q7 lost d0.
    await writeTaskPredictions(
      await writeTaskResult(join(workspace, "base"), base),
      base,
      new Map([["test", new Map([["q7", [{ id: "d0", score: 0.9 }]]])]]),
    );
    await writeTaskPredictions(
      await writeTaskResult(join(workspace, "head"), head),
      head,
      new Map([
        [
          "test",
          new Map([
            [
              "q7",
              [
                { id: "d1", score: 0.8 },
                { id: "d0", score: 0.7 },
              ],
            ],
          ]),
        ],
      ]),
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
    expect(page).toContain('<canvas id="comparison-intervals"');
    expect(page).toMatch(
      /<td><code>q7<\/code><\/td><td>question &lt;7&gt;<\/td><td class="number">[\d.]+<\/td><td class="number">[\d.]+<\/td><td class="number">-30\.00<\/td>/,
    );
    expect(page).not.toMatch(/(src|href)=/);
  });

  it("shows the worse query's top documents before and after, judged, with their texts", async () => {
    const result = await runCliCaptured(
      ["report", "head", "--baseline", "base", "--config", "embedeval.yml", "--html", "out/report.html"],
      workspace,
    );
    expect(result.code).toBe(0);
    const page = await readFile(join(workspace, "out/report.html"), "utf8");
    const view = page.slice(page.indexOf("<h2>Queries that got worse</h2>"));
    const before = view.slice(
      view.indexOf("<caption>Before (baseline)</caption>"),
      view.indexOf("<caption>After"),
    );
    const after = view.slice(view.indexOf("<caption>After (head)</caption>"));
    // Before: d0, judged relevant, with its title and text.
    expect(before).toContain(
      '<tr class="relevant"><td class="number">1</td><td><code>d0</code></td><td class="number">0.9</td><td>relevant (1)</td><td class="excerpt">The answer a document</td></tr>',
    );
    // After: d1 (new, not judged) first, its text escaped and cut at 200 characters; d0 second.
    const excerpt = `off topic <b>${"long ".repeat(60)}`.slice(0, 200).trimEnd().replace("<b>", "&lt;b&gt;");
    expect(after).toContain(
      `<tr><td class="number">1</td><td><code>d1</code> <span class="moved">new</span></td><td class="number">0.8</td><td></td><td class="excerpt">${excerpt}…</td></tr>`,
    );
    expect(after).toMatch(/<td class="number">2<\/td><td><code>d0<\/code><\/td>/);
    // Only the documents shown are read: d2 is in the corpus, in no top 10.
    expect(page).not.toContain("never shown");
    expect(view).not.toContain("Not shown");
  });
});
