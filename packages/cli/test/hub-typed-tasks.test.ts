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

  it("refuses by name a registered task that needs a preparation not ported yet", async () => {
    await writeFile(
      join(workspace, "other.yml"),
      ["models:", "  - id: tfidf", "    provider: tfidf", "tasks:", "  - name: MindSmallReranking", ""].join(
        "\n",
      ),
    );
    const run = await runCliCaptured(["run", "--config", "other.yml"], workspace, {
      HF_ENDPOINT: hub.endpoint,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("does not load from the hub by name yet");
  });
});
