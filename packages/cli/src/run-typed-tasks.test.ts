import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../test/cli-harness.js";

const quickstart = resolve(import.meta.dirname, "../../../examples/quickstart");

describe("embedeval run with a task of another MTEB type", () => {
  let workspace: string;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-typed-"));
    await cp(join(quickstart, "sts"), join(workspace, "sts"), { recursive: true });
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: bm25",
        "    provider: bm25",
        "  - id: tfidf",
        "    provider: tfidf",
        "    options: { dimensions: 1024 }",
        "tasks:",
        "  - name: quickstart-sts",
        "    type: sts",
        "    path: ./sts",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("counts in --dry-run the texts the STS task sends (both columns, each distinct text once)", async () => {
    const estimate = await runCliCaptured(["run", "--dry-run", "--json", "--no-cache"], workspace);
    expect(estimate.code).toBe(0);
    const rows = (await readFile(join(quickstart, "sts/test.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const distinct = new Set(rows.flatMap((row) => [row.sentence1, row.sentence2])).size;
    const tfidf = JSON.parse(estimate.stdout).find((row: { model: string }) => row.model === "tfidf");
    expect(tfidf.texts).toBe(distinct);
  });

  it("scores the STS task for the dense model, leaves BM25 out, and writes the type and its main score", async () => {
    const run = await runCliCaptured(["run"], workspace);
    expect(run.code).toBe(0);
    expect(run.stderr + run.stdout).toContain("bm25 × quickstart-sts: skipped");
    const result = JSON.parse(
      await readFile(
        join(workspace, "embedeval-results/tfidf/no_revision_available/quickstart-sts.json"),
        "utf8",
      ),
    );
    expect(result.embedeval.task_type).toBe("STS");
    expect(result.embedeval.main_metric).toBe("cosine_spearman");
    const scores = result.scores.test[0];
    expect(scores.main_score).toBe(scores.cosine_spearman);
    expect(Object.keys(result.embedeval.per_query.test)).toHaveLength(40);
    expect(run.stdout).toMatch(/tfidf\s+quickstart-sts\s+\d+\.\d\d/);
  });
});
