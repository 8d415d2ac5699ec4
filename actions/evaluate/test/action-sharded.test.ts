import { cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { runDetailsMarker } from "@embedeval/core";
import { beforeAll, describe, expect, it } from "vitest";
import { metadataFileName } from "../src/pull-request-metadata.js";
import {
  M1,
  runOnPullRequest,
  runOnPush,
  track,
  useBundledAction,
  useFakeGitHub,
  workspaceWith,
} from "./action-test-helpers.js";

useBundledAction();

/**
 * The action's sharded flow (mode plan -> mode shard per matrix cell, each on its own runner -> mode
 * report after downloading every cell's artifact) must write the result files and post the comment an
 * unsharded evaluation of the same pull request does. A dense model (tfidf) is split into document
 * ranges, a lexical one (bm25) and another task type (STS) run whole in one cell each.
 */
function shardedConfig(tfidfDimensions: number): string {
  return [
    "name: sharded",
    "models:",
    "  - id: bm25",
    "    provider: bm25",
    "  - id: tfidf",
    "    provider: tfidf",
    // With its idf from the corpus: without it tfidf warns once per process, so on one machine only the
    // first task's result carries the warning, and in a sharded run every cell's does.
    `    options: { dimensions: ${tfidfDimensions}, corpus: ./data }`,
    "tasks:",
    "  - name: Tiny",
    "    path: ./data",
    "    splits: [test]",
    "  - name: Similar",
    "    type: sts",
    "    path: ./sts",
    "    splits: [test]",
    "compare:",
    "  metric: ndcg_at_10",
    "cache:",
    "  directory: ./.embedeval-cache",
    "output:",
    "  directory: ./results",
    "",
  ].join("\n");
}

/** The fixture's corpus sentences paired with one another, scored by how far apart they are in the file. */
async function shardedWorkspace(tfidfDimensions: number): Promise<string> {
  const workspace = await track(workspaceWith(shardedConfig(tfidfDimensions)));
  const corpus = (await readFile(join(workspace, "data/corpus.jsonl"), "utf8"))
    .trim()
    .split("\n")
    .map((line) => (JSON.parse(line) as { text: string }).text);
  const pairs = corpus.slice(0, 20).map((sentence, index) =>
    JSON.stringify({
      sentence1: sentence,
      sentence2: corpus[(index * 7 + 3) % corpus.length],
      score: index % 6,
    }),
  );
  await mkdir(join(workspace, "sts"));
  await writeFile(join(workspace, "sts/test.jsonl"), `${pairs.join("\n")}\n`);
  return workspace;
}

/**
 * Every JSON file of a results folder by relative path (result files, MTEB predictions, model meta, the
 * run outcome), with what a clock decides zeroed, as the CLI's sharded-run test does. The pull request
 * metadata is left out: only an evaluating job writes it, for a report job elsewhere.
 */
async function readResults(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(directory, { recursive: true })).sort()) {
    if (!name.endsWith(".json") || name === metadataFileName) continue;
    const text = await readFile(join(directory, name), "utf8");
    const result = JSON.parse(text);
    if (!result?.embedeval?.timings) {
      files.set(name, text);
      continue;
    }
    result.evaluation_time = 0;
    result.date = 0;
    for (const key of Object.keys(result.embedeval.timings)) result.embedeval.timings[key] = 0;
    for (const key of ["latencyMs", "latencyPerTextMs", "throughput"]) result.embedeval.usage[key] = null;
    files.set(name, `${JSON.stringify(result, null, 2)}\n`);
  }
  return files;
}

/** The report with its latency cells (the only clock readings in it) masked. */
function withoutLatency(report: string): string {
  return report.replace(/\| [^|]*ms[^|]* \|/g, "| (latency) |");
}

interface ShardCell {
  shard: string;
  model: string;
  task: string;
  part: number;
  parts: number;
}

describe("the bundled action, sharded: plan, shard per cell, report", () => {
  const server = useFakeGitHub();
  const lenient = { "fail-on-regression": "false" };
  let queryCount: number;
  let single: { code: number; files: Map<string, string>; comment: string; summary: string };

  beforeAll(async () => {
    // The default branch records its results unsharded (other tfidf options, so a score moves).
    const record = await runOnPush(server, await shardedWorkspace(8), M1);
    expect(record.stderr).toBe("");
    expect(record.code).toBe(0);
    const workspace = await shardedWorkspace(256);
    queryCount = (await readFile(join(workspace, "data/queries.jsonl"), "utf8")).trim().split("\n").length;
    const run = await runOnPullRequest(server, workspace, { number: 70, merge: "c", inputs: lenient });
    expect(run.stderr).toBe("");
    const comments = server.comments.get(70) ?? [];
    expect(comments).toHaveLength(1);
    single = {
      code: run.code,
      files: await readResults(join(workspace, "results")),
      comment: comments[0]?.body as string,
      summary: run.summary,
    };
    expect([...single.files.keys()].filter((name) => name.endsWith("Tiny.json"))).toHaveLength(2);
    expect([...single.files.keys()].filter((name) => name.endsWith("Similar.json"))).toHaveLength(1);
    expect(single.comment).toContain("Baseline: [`1111111`]");
  }, 120_000);

  for (const [corpusShards, number] of [
    [1, 71],
    [2, 72],
    [7, 77],
  ] as const) {
    it(`merges ${corpusShards} document shard(s) into the unsharded run's files and posts its one comment`, async () => {
      const plan = await runOnPullRequest(server, await shardedWorkspace(256), {
        number,
        merge: "c",
        inputs: { mode: "plan", "corpus-shards": String(corpusShards) },
      });
      expect(plan.stderr).toBe("");
      expect(plan.code).toBe(0);
      const cells = (JSON.parse(plan.outputs.matrix ?? "") as { include: ShardCell[] }).include;
      expect(cells.map((cell) => cell.shard)).toEqual([
        "bm25.Tiny.1of1",
        ...Array.from({ length: corpusShards }, (_, index) => `tfidf.Tiny.${index + 1}of${corpusShards}`),
        "tfidf.Similar.1of1",
      ]);

      // Each cell on its own runner (a fresh checkout, no cache), its artifact downloaded by the report
      // job into one folder (actions/download-artifact with merge-multiple).
      const reportWorkspace = await shardedWorkspace(256);
      for (const cell of cells) {
        const shardWorkspace = await shardedWorkspace(256);
        const shard = await runOnPullRequest(server, shardWorkspace, {
          number,
          merge: "c",
          inputs: { mode: "shard", shard: cell.shard },
        });
        expect(shard.stderr).toBe("");
        expect(shard.code, shard.stdout).toBe(0);
        expect(shard.outputs["shards-directory"]).toBe(join(shardWorkspace, "embedeval-shards"));
        // A shard job compares nothing, writes no result file, and leaves the pull request alone.
        await expect(readdir(join(shardWorkspace, "results"))).rejects.toThrow();
        await cp(join(shardWorkspace, "embedeval-shards"), join(reportWorkspace, "downloaded"), {
          recursive: true,
        });
      }
      expect(server.comments.get(number) ?? []).toHaveLength(0);

      const report = await runOnPullRequest(server, reportWorkspace, {
        number,
        merge: "c",
        inputs: { mode: "report", shards: "downloaded", ...lenient },
      });
      expect(report.stderr).toBe("");
      expect(report.code).toBe(single.code);
      expect(report.outputs["results-directory"]).toBe(join(reportWorkspace, "results"));
      expect(report.outputs["html-report-path"]).toBe(join(reportWorkspace, "results/embedeval-report.html"));

      const merged = await readResults(join(reportWorkspace, "results"));
      expect([...merged.keys()]).toEqual([...single.files.keys()]);
      for (const [name, text] of single.files) {
        if (corpusShards === 1 || !name.startsWith("tfidf") || !name.endsWith("Tiny.json")) {
          expect(merged.get(name), name).toBe(text);
          continue;
        }
        // Each range's cell embeds the queries again: the merged usage says so; the rest is equal.
        const expected = JSON.parse(text);
        const actual = JSON.parse(merged.get(name) as string);
        expect(actual.embedeval.usage.textsEmbedded).toBe(
          expected.embedeval.usage.textsEmbedded + (corpusShards - 1) * queryCount,
        );
        actual.embedeval.usage = expected.embedeval.usage;
        expect(`${JSON.stringify(actual, null, 2)}\n`, name).toBe(text);
      }

      const comments = server.comments.get(number) ?? [];
      expect(comments).toHaveLength(1);
      const body = comments[0]?.body as string;
      const [scores, details] = body.split(runDetailsMarker);
      const [singleScores, singleDetails] = single.comment.split(runDetailsMarker);
      expect(scores).toBe(singleScores);
      expect(report.summary.split(runDetailsMarker)[0]).toBe(single.summary.split(runDetailsMarker)[0]);
      // Below the marker: latency and usage. One range embeds what one machine does.
      if (corpusShards === 1) expect(withoutLatency(details ?? "")).toBe(withoutLatency(singleDetails ?? ""));
      else expect(details).toMatch(/\| tfidf \| Tiny \|/);
    });
  }

  it("counts a planned cell with no shard file as failed, in the comment and the step", async () => {
    const workspace = await shardedWorkspace(256);
    const shard = await runOnPullRequest(server, workspace, {
      number: 79,
      merge: "c",
      inputs: { mode: "shard", shard: "bm25.Tiny.1of1" },
    });
    expect(shard.code).toBe(0);
    const report = await runOnPullRequest(server, workspace, {
      number: 79,
      merge: "c",
      inputs: { mode: "report", shards: "embedeval-shards" },
    });
    expect(report.stderr).toBe("");
    expect(report.code).toBe(1);
    expect(report.stdout).toContain(
      "::warning::tfidf × Tiny: no shard file: its shard job failed, was cancelled, or its artifact was not downloaded",
    );
    expect(report.stdout).toMatch(/::error::2 gated model × task pair\(s\) failed to evaluate/);
    expect(server.comments.get(79) ?? []).toHaveLength(1);
  });

  it("refuses mode shard without a shard id, naming the input to set", async () => {
    const run = await runOnPullRequest(server, await shardedWorkspace(256), {
      number: 80,
      merge: "c",
      inputs: { mode: "shard" },
    });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain("::error::error: mode shard needs the `shard` input");
  });
});
