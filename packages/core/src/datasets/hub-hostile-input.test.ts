import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHuggingFaceHub } from "./fake-hugging-face-hub.js";
import { downloadHubDataset } from "./hub-dataset-download.js";
import { downloadHubModelFiles } from "./hub-model-download.js";

// Names from a config or a hub become URLs and cache paths: each is checked by pattern before use, so
// nothing is requested from another path and nothing is written outside the cache.
const commit = "6666666666666666666666666666666666666666";
const beirFiles = {
  "corpus.jsonl": '{"_id":"d1","text":"a"}\n',
  "queries.jsonl": '{"_id":"q1","text":"a"}\n',
  "qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
};

let hub: FakeHuggingFaceHub;
let home: string;
beforeEach(async () => {
  hub = new FakeHuggingFaceHub();
  await hub.start();
  home = await mkdtemp(join(tmpdir(), "embedeval-hostile-"));
});
afterEach(async () => {
  await hub.stop();
  await rm(home, { recursive: true, force: true });
});

const environment = () => ({ HF_ENDPOINT: hub.endpoint, HF_HOME: join(home, "hf") });

async function failure(promise: Promise<unknown>): Promise<DatasetError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DatasetError) return error;
    throw error;
  }
  throw new Error("expected a DatasetError");
}

describe("hostile names and listings", () => {
  it("refuses a split that climbs out, before any request or write", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    for (const split of ["../../../../pwned", "..", "a/b", ""]) {
      const error = await failure(
        downloadHubDataset({
          repository: "org/tiny",
          revision: "main",
          splits: [split],
          environment: environment(),
        }),
      );
      expect(error.message).toContain("not a valid split name");
    }
    expect(hub.requests).toEqual([]);
    expect(await readdir(home)).toEqual([]);
  });

  it("refuses `..`, a leading `/` and empty parts in a revision, for datasets and models", async () => {
    for (const revision of ["..", "/main", "a/../b", "a//b", "main/"]) {
      const dataset = await failure(
        downloadHubDataset({
          repository: "org/tiny",
          revision,
          splits: ["test"],
          environment: environment(),
        }),
      );
      expect(dataset.message).toContain("not a valid revision");
      const model = await failure(
        downloadHubModelFiles({
          repository: "org/model",
          revision,
          select: () => [],
          environment: environment(),
        }),
      );
      expect(model.message).toContain("not a valid revision");
    }
    expect(hub.requests).toEqual([]);
  });

  it("accepts the hub's own branch names: refs/convert/parquet, v1.0", async () => {
    hub.addDataset("org/tiny", {
      commit,
      files: beirFiles,
      refs: { "refs/convert/parquet": commit, "v1.0": commit },
    });
    for (const revision of ["refs/convert/parquet", "v1.0"]) {
      const dataset = await downloadHubDataset({
        repository: "org/tiny",
        revision,
        splits: ["test"],
        environment: environment(),
        retryDelayMilliseconds: 1,
      });
      expect(dataset.commit).toBe(commit);
    }
  });

  it("refuses a listing that names a path outside the snapshot, writing nothing", async () => {
    hub.addDataset("org/tiny", { commit, files: { ...beirFiles, "../../../../pwned.jsonl": "x" } });
    const error = await failure(
      downloadHubDataset({
        repository: "org/tiny",
        revision: "main",
        splits: ["test"],
        environment: environment(),
        retryDelayMilliseconds: 1,
      }),
    );
    expect(error.message).toContain("unsafe path");
    expect(hub.requests.some((request) => request.path.includes("resolve"))).toBe(false);
    expect(await readdir(home)).toEqual(["hf"]);
    expect(await readdir(join(home, "hf", "hub"))).toEqual(["datasets--org--tiny"]);
  });
});
