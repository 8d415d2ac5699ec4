import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TaskResult, writeTaskResult } from "@embedeval/core";
import { buildTaskResult, noisyScores } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli-harness.js";

async function writeFolder(directory: string, results: TaskResult[]): Promise<void> {
  for (const result of results) await writeTaskResult(directory, result);
}

describe("embedeval compare / report", () => {
  let workspace: string;
  const scores = noisyScores(80, 0.6, 0.3, 1).map((value) => Math.max(0.1, value));

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-compare-"));
    await writeFolder(join(workspace, "base"), [
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores }),
      buildTaskResult({ model: "tfidf", task: "SciFact", ndcg: scores }),
    ]);
    await writeFolder(join(workspace, "same"), [
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores }),
      buildTaskResult({ model: "tfidf", task: "SciFact", ndcg: scores }),
    ]);
    await writeFolder(join(workspace, "worse"), [
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores.map((value) => value - 0.05) }),
      buildTaskResult({ model: "tfidf", task: "SciFact", ndcg: scores }),
    ]);
    await writeFile(
      join(workspace, "lenient.yml"),
      [
        "name: lenient",
        "models: [{ id: bm25, provider: bm25 }]",
        "tasks: [{ name: SciFact, path: ./data }]",
        "compare:",
        "  maxDrop: 0.1",
        "",
      ].join("\n"),
    );
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it("exits 0 and prints an aligned table when nothing changed", async () => {
    const result = await runCliCaptured(["compare", "base", "same"], workspace);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/model\s+task\s+split\s+metric/);
    expect(result.stdout).toContain("unchanged");
    expect(result.stdout).not.toContain("\u001b[");
  });

  it("exits 1 on a significant regression and writes the markdown comment", async () => {
    const result = await runCliCaptured(
      ["compare", "base", "worse", "--markdown", "out/comment.md"],
      workspace,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/bm25\s+SciFact\s+test\s+nDCG@10.*-5\.00.*regression/);
    const markdown = await readFile(join(workspace, "out/comment.md"), "utf8");
    expect(markdown.startsWith("<!-- embedeval:embedeval -->")).toBe(true);
    expect(markdown).toContain("❌ **1 regression**");
  });

  it("takes the rule and the name from --config", async () => {
    const result = await runCliCaptured(
      ["compare", "base", "worse", "--config", "lenient.yml", "--markdown", "lenient.md"],
      workspace,
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("noise");
    expect(await readFile(join(workspace, "lenient.md"), "utf8")).toMatch(/^<!-- embedeval:lenient -->/);
  });

  it("exits 0 when the config only warns about the regression", async () => {
    await writeFile(
      join(workspace, "warn.yml"),
      [
        "models: [{ id: bm25, provider: bm25 }, { id: tfidf, provider: tfidf }]",
        "tasks: [{ name: SciFact, path: ./data }]",
        "compare:",
        "  overrides: [{ model: bm25, level: warn }]",
        "",
      ].join("\n"),
    );
    const result = await runCliCaptured(["compare", "base", "worse", "--config", "warn.yml"], workspace);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/bm25\s+SciFact\s+test\s+nDCG@10.*-5\.00/);
  });

  it("exits 1 when a model the config lists has no head result (failed, not removed)", async () => {
    await writeFolder(join(workspace, "partial"), [
      buildTaskResult({ model: "bm25", task: "SciFact", ndcg: scores }),
    ]);
    await writeFile(
      join(workspace, "both.yml"),
      "models: [{ id: bm25, provider: bm25 }, { id: tfidf, provider: tfidf }]\ntasks: [{ name: SciFact, path: ./data }]\n",
    );
    const listed = await runCliCaptured(["compare", "base", "partial", "--config", "both.yml"], workspace);
    expect(listed.code).toBe(1);
    expect(listed.stdout).toMatch(/tfidf\s+SciFact.*failed/);
    // Without a config nothing says tfidf should be there: it was removed.
    expect((await runCliCaptured(["compare", "base", "partial"], workspace)).code).toBe(0);
  });

  it("prints JSON rows with --json", async () => {
    const result = await runCliCaptured(["compare", "base", "worse", "--json"], workspace);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.regressed).toBe(true);
    expect(parsed.entries[0]).toMatchObject({ model: "bm25", task: "SciFact", status: "compared" });
    expect(parsed.entries[0].head).toBeUndefined();
    expect(parsed.entries[0].primary.pValue).toBeLessThan(0.05);
  });

  it("exits 2 with a hint on wrong usage", async () => {
    const missing = await runCliCaptured(["compare", "base"], workspace);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("compare takes two folders");
    expect(missing.stderr).toContain("hint:");
    const unknown = await runCliCaptured(["compare", "base", "same", "--bogus"], workspace);
    expect(unknown.code).toBe(2);
    const empty = await runCliCaptured(["compare", "base", "nothing-here"], workspace);
    expect(empty.code).not.toBe(0);
    expect(empty.stderr).not.toContain("    at ");
  });

  it("reports a folder with absolute scores", async () => {
    const result = await runCliCaptured(["report", "base", "--markdown", "report.md"], workspace);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/bm25\s+SciFact/);
    const markdown = await readFile(join(workspace, "report.md"), "utf8");
    expect(markdown).toContain("**No baseline yet**");
    expect((await runCliCaptured(["report"], workspace)).code).toBe(2);
  });
});
