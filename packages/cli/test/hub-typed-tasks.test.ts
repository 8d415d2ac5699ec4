import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { findMtebTypedTask } from "@embedeval/core";
import { FakeHuggingFaceHub } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "./cli-harness.js";

// `- name: STS12` in embedeval.yml: an MTEB task of another type, downloaded by name from a local hub
// that answers as huggingface.co does, scored as STS, with the commit recorded as dataset_revision.
const sts12 = findMtebTypedTask("STS12");
const askUbuntu = findMtebTypedTask("AskUbuntuDupQuestions");

describe("MTEB tasks of other types by name", () => {
  let workspace: string;
  let hub: FakeHuggingFaceHub;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-hub-typed-"));
    hub = new FakeHuggingFaceHub();
    await hub.start();
    const rows = [
      ["reset my password", "change my password", 4.5],
      ["reset my password", "download an invoice", 0.5],
      ["download an invoice", "get last month's invoice", 4],
      ["open a port", "allow traffic on a port", 3.5],
      ["open a port", "reset my password", 0.2],
    ].map(([sentence1, sentence2, score]) => JSON.stringify({ sentence1, sentence2, score }));
    hub.addDataset("mteb/sts12-sts", {
      commit: String(sts12?.revision),
      files: { "test.jsonl.gz": gzipSync(`${rows.join("\n")}\n`) },
    });
    await writeFile(
      join(workspace, "embedeval.yml"),
      ["models:", "  - id: tfidf", "    provider: tfidf", "tasks:", "  - name: STS12", ""].join("\n"),
    );
  });
  afterAll(async () => {
    await hub.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  it("downloads STS12 at MTEB's pinned revision and scores it as STS", async () => {
    const environment = { HF_ENDPOINT: hub.endpoint, HF_HOME: join(workspace, "hf-home") };
    const run = await runCliCaptured(["run"], workspace, environment);
    expect(run.code).toBe(0);
    const result = JSON.parse(
      await readFile(join(workspace, "embedeval-results/tfidf/no_revision_available/STS12.json"), "utf8"),
    );
    expect(result.dataset_revision).toBe(sts12?.revision);
    expect(result.embedeval.task_type).toBe("STS");
    expect(result.scores.test[0].main_score).toBe(result.scores.test[0].cosine_spearman);
  });

  it("downloads a reranking task by name from its corpus/queries/default/top_ranked configs", async () => {
    // The push_to_hub layout (card configs, data/ for `default`); in JSON lines here, where core's
    // mteb-eng-v2-by-name.test.ts reads the same configs as parquet.
    const jsonLines = (rows: unknown[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;
    const configs = ["corpus", "queries", "default", "top_ranked"].flatMap((name) => [
      `- config_name: ${name}`,
      "  data_files:",
      "  - split: test",
      `    path: ${name === "default" ? "data" : name}/test-*`,
    ]);
    hub.addDataset("mteb/AskUbuntuDupQuestions", {
      commit: String(askUbuntu?.revision),
      files: {
        "README.md": ["---", "configs:", ...configs, "---", ""].join("\n"),
        "corpus/test-00000-of-00001.jsonl": jsonLines([
          { id: "d1", title: "", text: "reset my password" },
          { id: "d2", title: "", text: "download an invoice" },
          { id: "d3", title: "", text: "open a port" },
        ]),
        "queries/test-00000-of-00001.jsonl": jsonLines([
          { id: "q1", text: "change my password" },
          { id: "q2", text: "open port" },
        ]),
        "data/test-00000-of-00001.jsonl": jsonLines([
          { "query-id": "q1", "corpus-id": "d1", score: 1 },
          { "query-id": "q2", "corpus-id": "d3", score: 1 },
        ]),
        "top_ranked/test-00000-of-00001.jsonl": jsonLines([
          { "query-id": "q1", "corpus-ids": ["d1", "d2"] },
          { "query-id": "q2", "corpus-ids": ["d2", "d3"] },
        ]),
      },
    });
    await writeFile(
      join(workspace, "other.yml"),
      [
        "models:",
        "  - id: tfidf",
        "    provider: tfidf",
        "tasks:",
        "  - name: AskUbuntuDupQuestions",
        "",
      ].join("\n"),
    );
    const run = await runCliCaptured(["run", "--config", "other.yml"], workspace, {
      HF_ENDPOINT: hub.endpoint,
      HF_HOME: join(workspace, "hf-home"),
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(
      await readFile(
        join(workspace, "embedeval-results/tfidf/no_revision_available/AskUbuntuDupQuestions.json"),
        "utf8",
      ),
    );
    expect(result.dataset_revision).toBe(askUbuntu?.revision);
    expect(result.embedeval.task_type).toBe("Reranking");
    expect(result.embedeval.main_metric).toBe("map_at_1000");
    // Each query's own document shares its words: both are ranked first among their candidates.
    expect(result.scores.test[0].map_at_1000).toBe(1);
  });
});
