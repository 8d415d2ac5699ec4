import { readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { FakeHuggingFaceHub } from "@embedeval/core/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured } from "../test/cli-harness.js";
import { localModelFiles } from "./prefetch-model-files.js";

const fixture = resolve(import.meta.dirname, "../../provider-local/test/fixtures/tiny-mean");
const commit = "5555555555555555555555555555555555555555";

async function folderFiles(folder: string): Promise<Record<string, Uint8Array>> {
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(folder, path).split("\\").join("/")] = new Uint8Array(await readFile(path));
  }
  return files;
}

let hub: FakeHuggingFaceHub;
let workspace: string | undefined;
beforeEach(async () => {
  workspace = undefined;
  hub = new FakeHuggingFaceHub();
  await hub.start();
});
afterEach(async () => {
  await hub.stop();
  if (workspace) await rm(workspace, { recursive: true, force: true });
});

describe("localModelFiles", () => {
  const paths = [
    "README.md",
    "config.json",
    "modules.json",
    "1_Pooling/config.json",
    "onnx/model.onnx",
    "onnx/model.onnx_data",
    "onnx/model_quantized.onnx",
    "pytorch_model.bin",
    "tokenizer.json",
  ];
  it("chooses the configuration, the weights of the dtype and their external data, nothing else", () => {
    expect(localModelFiles({})(paths)).toEqual([
      "config.json",
      "modules.json",
      "1_Pooling/config.json",
      "onnx/model.onnx",
      "onnx/model.onnx_data",
      "tokenizer.json",
    ]);
    expect(localModelFiles({ dtype: "q8" })(paths)).toContain("onnx/model_quantized.onnx");
    expect(localModelFiles({ dtype: "q8" })(paths)).not.toContain("onnx/model.onnx");
  });
});

describe("embedeval run with provider: local and a hub id", () => {
  it("downloads and verifies the model's files, records its commit, then runs offline with zero requests", async () => {
    hub.addModel("org/tiny-mean", {
      commit,
      files: { ...(await folderFiles(fixture)), "pytorch_model.bin": "not needed" },
    });
    workspace = await quickstartWorkspace("prefetch", [
      "models:",
      "  - id: tiny",
      "    provider: local",
      "    model: org/tiny-mean",
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
    ]);
    const home = join(workspace, "hf-home");
    const environment = { HF_ENDPOINT: hub.endpoint, HF_HOME: home };
    const first = await runCliCaptured(["run"], workspace, environment);
    expect(first.stderr).not.toMatch(/\n\s+at /);
    expect(first.code).toBe(0);
    const paths = hub.requests.filter((request) => request.origin === "hub").map((request) => request.path);
    expect(paths).toContain("/api/models/org/tiny-mean/revision/main");
    expect(paths).toContain(`/org/tiny-mean/resolve/${commit}/onnx/model.onnx`);
    expect(paths.some((path) => path.includes("pytorch_model.bin") || path.includes("quantized"))).toBe(
      false,
    );
    const snapshot = join(home, "hub", "models--org--tiny-mean", "snapshots", commit);
    expect(await readFile(join(snapshot, "onnx", "model.onnx"))).toEqual(
      await readFile(join(fixture, "onnx", "model.onnx")),
    );
    // The model's commit is its revision in the MTEB results layout.
    const results = join(workspace, "embedeval-results");
    const modelFolder = (await readdir(results)).find((name) => name.includes("tiny-mean")) as string;
    expect((await stat(join(results, modelFolder, commit, "quickstart.json"))).isFile()).toBe(true);

    const before = hub.requests.length;
    const second = await runCliCaptured(["run", "--no-cache"], workspace, {
      ...environment,
      HF_HUB_OFFLINE: "1",
    });
    expect(second.code).toBe(0);
    expect(hub.requests.length).toBe(before);
  });

  it("names a model the hub does not have, with no stack trace", async () => {
    workspace = await quickstartWorkspace("prefetch-missing", [
      "models:",
      "  - id: tiny",
      "    provider: local",
      "    model: org/absent",
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
    ]);
    const run = await runCliCaptured(["run"], workspace, {
      HF_ENDPOINT: hub.endpoint,
      HF_HOME: join(workspace, "hf-home"),
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr + run.stdout).toContain("no model org/absent");
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("hostile dataset input through the CLI", () => {
  async function run(configLines: string[]) {
    const folder = await quickstartWorkspace("hostile", configLines);
    workspace = folder;
    const result = await runCliCaptured(["run"], folder, {
      HF_ENDPOINT: hub.endpoint,
      HF_HOME: join(folder, "hf-home"),
    });
    return { ...result, folder };
  }
  const hubTask = (extra: string[]) => [
    "models:",
    "  - id: bm25",
    "    provider: bm25",
    "tasks:",
    "  - name: tiny",
    "    hub: org/tiny",
    ...extra,
  ];

  it("refuses a split that climbs out of the dataset folder: exit 2, no request, nothing written", async () => {
    hub.addDataset("org/tiny", { commit, files: { "corpus.jsonl": "{}\n" } });
    const result = await run(hubTask(["    splits: ['../../../../pwned']"]));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("split name");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(hub.requests).toEqual([]);
    expect(await readdir(result.folder)).not.toContain("hf-home");
  });

  it("refuses `revision: ..` and a revision with a leading slash: exit 2, no request", async () => {
    for (const revision of ["..", "/etc/passwd"]) {
      const result = await run(hubTask([`    revision: '${revision}'`]));
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("branch, tag or 40-character commit");
      expect(result.stderr).not.toMatch(/\n\s+at /);
      await rm(result.folder, { recursive: true, force: true });
    }
    expect(hub.requests).toEqual([]);
  });

  const localTask = [
    "models:",
    "  - id: bm25",
    "    provider: bm25",
    "tasks:",
    "  - name: local",
    "    path: ./data",
  ];

  it("names the file and line of invalid UTF-8 in a corpus, with no stack trace", async () => {
    workspace = await quickstartWorkspace("hostile-utf8", localTask);
    const corpus = join(workspace, "data", "corpus.jsonl");
    const text = await readFile(corpus);
    await writeFile(
      corpus,
      Buffer.concat([
        text,
        Buffer.from('{"_id":"bad'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('1","text":"x"}\n'),
      ]),
    );
    const lines = text.toString("utf8").split("\n").filter(Boolean).length;
    const result = await runCliCaptured(["run"], workspace);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("not valid UTF-8");
    expect(result.stderr).toContain(`corpus.jsonl:${lines + 1}`);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("stops a gzip bomb in a corpus with a named error, not a RangeError", async () => {
    workspace = await quickstartWorkspace("hostile-bomb", localTask);
    await rm(join(workspace, "data", "corpus.jsonl"));
    await writeFile(
      join(workspace, "data", "corpus.jsonl.gz"),
      gzipSync(Buffer.alloc(65 * 1024 * 1024, 0x30)),
    );
    const result = await runCliCaptured(["run"], workspace);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("longer than the limit of 64 MiB");
    expect(result.stderr).toContain("corpus.jsonl.gz:1");
    expect(result.stderr).not.toContain("RangeError");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
