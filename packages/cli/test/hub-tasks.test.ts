import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findMtebBenchmark, findMtebTask, mtebBenchmarkTasks } from "@embedeval/core";
import { FakeHuggingFaceHub } from "@embedeval/core/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "./cli-harness.js";

// `- name: SciFact` and `- benchmark: NanoBEIR` in embedeval.yml: the run downloads the datasets from a
// local hub that answers as huggingface.co does (302 to a CDN on another origin with X-Linked-* headers),
// evaluates them like the same files given as a local folder, records the commit, and a later run reads
// huggingface_hub's cache without a single request.
const repositoryRoot = resolve(import.meta.dirname, "../../..");
const quickstartData = join(repositoryRoot, "examples/quickstart/data");
const scifact = findMtebTask("SciFact");
const nanobeir = mtebBenchmarkTasks(
  findMtebBenchmark("NanoBEIR") as NonNullable<ReturnType<typeof findMtebBenchmark>>,
);

describe("MTEB tasks by name", () => {
  let workspace: string;
  let hub: FakeHuggingFaceHub;
  let environment: Record<string, string>;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-hub-tasks-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    hub = new FakeHuggingFaceHub();
    await hub.start();
    const file = (path: string) => readFile(join(quickstartData, path), "utf8");
    hub.addDataset("mteb/scifact", {
      commit: String(scifact?.revision),
      files: {
        "corpus.jsonl": await file("corpus.jsonl"),
        "queries.jsonl": await file("queries.jsonl"),
        "qrels/test.tsv": await file("qrels/test.tsv"),
      },
    });
    // NanoBEIR's layout (corpus/, queries/, qrels/ folders, split train, no score column), here as JSON lines.
    for (const task of nanobeir) {
      hub.addDataset(task.repository, {
        commit: task.revision,
        files: {
          "corpus/train-00000-of-00001.jsonl": `${JSON.stringify({ _id: "d1", text: `${task.name} document` })}\n${JSON.stringify({ _id: "d2", text: "other" })}\n`,
          "queries/train-00000-of-00001.jsonl": `${JSON.stringify({ _id: "q1", text: `${task.name} document` })}\n`,
          "qrels/train-00000-of-00001.jsonl": `${JSON.stringify({ "query-id": "q1", "corpus-id": "d1" })}\n`,
        },
      });
    }
    environment = {
      HF_ENDPOINT: hub.endpoint,
      HF_HOME: join(workspace, "hf-home"),
      HF_TOKEN: "hf_do_not_print",
    };
    const config = (tasks: string[]) =>
      ["models:", "  - id: bm25", "    provider: bm25", "tasks:", ...tasks, ""].join("\n");
    await writeFile(
      join(workspace, "embedeval.yml"),
      config(["  - name: SciFact", "  - name: local-copy", "    path: ./data"]),
    );
    await writeFile(join(workspace, "nano.yml"), config(["  - benchmark: NanoBEIR"]));
    await writeFile(
      join(workspace, "missing.yml"),
      config(["  - name: SciFact", "    splits: [validation]"]),
    );
  });

  afterAll(async () => {
    await hub.stop();
    await rm(workspace, { recursive: true, force: true });
  });

  it("downloads into huggingface_hub's cache, scores like the same local folder, records the commit, then runs offline", async () => {
    const first = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, environment);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).not.toContain("hf_do_not_print");
    expect(first.stderr).toContain(`SciFact: downloading mteb/scifact@${scifact?.revision}: corpus.jsonl`);
    const cdn = hub.requests.filter((request) => request.origin === "cdn");
    expect(cdn).toHaveLength(3);
    expect(cdn.every((request) => request.authorization === undefined)).toBe(true);
    const snapshot = join(
      workspace,
      "hf-home/hub/datasets--mteb--scifact/snapshots",
      String(scifact?.revision),
    );
    expect(await readFile(join(snapshot, "qrels/test.tsv"), "utf8")).toBe(
      await readFile(join(quickstartData, "qrels/test.tsv"), "utf8"),
    );

    const results = join(workspace, "embedeval-results/bm25/no_revision_available");
    const fromHub = JSON.parse(await readFile(join(results, "SciFact.json"), "utf8"));
    const local = JSON.parse(await readFile(join(results, "local-copy.json"), "utf8"));
    // Same bytes, so the same content hash; MTEB's dataset_revision is the commit read, as MTEB records it.
    expect(fromHub.embedeval.dataset_content_hash).toBe(local.embedeval.dataset_content_hash);
    expect(fromHub.dataset_revision).toBe(scifact?.revision);
    expect(local.dataset_revision).toBe(local.embedeval.dataset_content_hash);
    expect(fromHub.scores.test[0].ndcg_at_10).toBe(local.scores.test[0].ndcg_at_10);

    // The revision is a pinned commit: nothing to ask the hub, online or offline.
    const before = hub.requests.length;
    const second = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, environment);
    expect(second.code, second.stderr).toBe(0);
    const offline = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, {
      ...environment,
      HF_HUB_OFFLINE: "1",
    });
    expect(offline.code, offline.stderr).toBe(0);
    expect(hub.requests.length).toBe(before);
  });

  it("runs every NanoBEIR task from `benchmark: NanoBEIR`, each at MTEB's revision and split train", async () => {
    const run = await runCliCaptured(["run", "--config", "nano.yml"], workspace, environment);
    expect(run.code, run.stderr).toBe(0);
    const results = join(workspace, "embedeval-results/bm25/no_revision_available");
    for (const task of nanobeir) {
      const result = JSON.parse(await readFile(join(results, `${task.name}.json`), "utf8"));
      expect(result.dataset_revision).toBe(task.revision);
      expect(result.scores.train[0].ndcg_at_10).toBe(1);
    }
  });

  it("names the splits that exist before downloading the corpus, without a stack trace", async () => {
    await rm(join(workspace, "hf-home"), { recursive: true, force: true });
    hub.requests.length = 0;
    const run = await runCliCaptured(["run", "--config", "missing.yml"], workspace, environment);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'Split "validation" not found in mteb/scifact@d56462d0e63a25450459c4f213e49ffdb866f7f9: qrels/.',
    );
    expect(run.stderr).toContain("Splits present: test.");
    expect(run.stderr).not.toMatch(/\n\s+at .*\(/);
    expect(hub.requests.filter((request) => request.origin === "cdn")).toEqual([]);
  });

  it("offline without the files, fails at once naming what is missing, with zero requests", async () => {
    await rm(join(workspace, "hf-home"), { recursive: true, force: true });
    hub.requests.length = 0;
    const run = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, {
      ...environment,
      HF_HUB_OFFLINE: "1",
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(
      `HF_HUB_OFFLINE is set and the cache holds no file of mteb/scifact@${scifact?.revision}.`,
    );
    expect(hub.requests).toEqual([]);
  });

  it("`embedeval tasks` lists every MTEB(eng, v2) retrieval task and the NanoBEIR set", async () => {
    const listed = await runCliCaptured(["tasks"], workspace, {});
    expect(listed.code).toBe(0);
    for (const name of [
      ...(findMtebBenchmark("MTEB(eng, v2)")?.tasks ?? []),
      ...nanobeir.map((task) => task.name),
    ]) {
      expect(listed.stdout).toMatch(new RegExp(`^${name.replace(/[.()]/g, "\\$&")}( |$)`, "m"));
    }
    const json = JSON.parse(
      (await runCliCaptured(["tasks", "--json", "--benchmark", "NanoBEIR"], workspace, {})).stdout,
    );
    expect(json.tasks.map((task: { name: string }) => task.name)).toEqual(nanobeir.map((task) => task.name));
    const unknown = await runCliCaptured(["tasks", "--benchmark", "BEIR"], workspace, {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("NanoBEIR");
  });
});
