import { lstat, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHuggingFaceHub } from "./fake-hugging-face-hub.js";
import { downloadHubModelFiles } from "./hub-model-download.js";

const commit = "4444444444444444444444444444444444444444";
const weights = new Uint8Array(Array.from({ length: 3000 }, (_, index) => (index * 7) % 256));
const files = {
  "config.json": '{"hidden_size": 8}',
  "modules.json": "[]",
  "onnx/model.onnx": weights,
  "onnx/model_quantized.onnx": new Uint8Array([1, 2, 3]),
  "README.md": "# tiny",
};

let hub: FakeHuggingFaceHub;
let home: string;
beforeEach(async () => {
  hub = new FakeHuggingFaceHub();
  await hub.start();
  hub.addModel("org/tiny-model", { commit, files });
  home = await mkdtemp(join(tmpdir(), "embedeval-hub-model-"));
});
afterEach(async () => {
  await hub.stop();
  await rm(home, { recursive: true, force: true });
});

const wanted = ["config.json", "modules.json", "onnx/model.onnx", "tokenizer.json"];
function download(environment: Record<string, string> = {}) {
  return downloadHubModelFiles({
    repository: "org/tiny-model",
    select: (paths) => wanted.filter((path) => paths.includes(path)),
    environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home, ...environment },
    retryDelayMilliseconds: 1,
  });
}

async function failure(promise: Promise<unknown>): Promise<EmbedEvalError> {
  try {
    await promise;
  } catch (error) {
    if (EmbedEvalError.is(error)) return error;
    throw error;
  }
  throw new Error("expected a failure");
}

describe("downloadHubModelFiles", () => {
  it("fetches the chosen files of a model repository into models--org--name, at the model URLs", async () => {
    const model = await download();
    expect(model.commit).toBe(commit);
    expect(model.folder).toBe(join(home, "hub", "models--org--tiny-model", "snapshots", commit));
    expect(model.downloaded.sort()).toEqual(["config.json", "modules.json", "onnx/model.onnx"]);
    expect(new Uint8Array(await readFile(join(model.folder, "onnx", "model.onnx")))).toEqual(weights);
    expect((await lstat(join(model.folder, "onnx", "model.onnx"))).isSymbolicLink()).toBe(true);
    expect(await readFile(join(home, "hub", "models--org--tiny-model", "refs", "main"), "utf8")).toBe(commit);
    const paths = hub.requests.filter((request) => request.origin === "hub").map((request) => request.path);
    expect(paths).toContain("/api/models/org/tiny-model/revision/main");
    expect(paths).toContain(`/org/tiny-model/resolve/${commit}/onnx/model.onnx`);
    expect(paths.some((path) => path.includes("/datasets/"))).toBe(false);
    // The weights not chosen are never fetched.
    expect(paths.some((path) => path.includes("model_quantized"))).toBe(false);
  });

  it("refetches a corrupted transfer and keeps only verified bytes", async () => {
    hub.cdnFaults.push("corrupt");
    const model = await download();
    expect(new Uint8Array(await readFile(join(model.folder, "onnx", "model.onnx")))).toEqual(weights);
  });

  it("offline, reads the cache with zero requests; a missing file is named", async () => {
    await download();
    const before = hub.requests.length;
    const model = await download({ HF_HUB_OFFLINE: "1" });
    expect(model.commit).toBe(commit);
    expect(model.downloaded).toEqual([]);
    expect(hub.requests.length).toBe(before);
    await rm(join(model.folder, "modules.json"));
    const error = await failure(download({ HF_HUB_OFFLINE: "1" }));
    expect(error.message).toContain("modules.json");
    expect(hub.requests.length).toBe(before);
  });

  it("offline with nothing cached says how to fill the cache, with zero requests", async () => {
    const error = await failure(download({ HF_HUB_OFFLINE: "1" }));
    expect(error.message).toContain("org/tiny-model@main");
    expect(error.hint).toContain("hf download org/tiny-model");
    expect(hub.requests).toEqual([]);
  });

  it("names a model the hub does not have as a model", async () => {
    const error = await failure(
      downloadHubModelFiles({
        repository: "org/missing",
        select: () => [],
        environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home },
        retryDelayMilliseconds: 1,
      }),
    );
    expect(error.message).toContain("no model org/missing");
  });
});
