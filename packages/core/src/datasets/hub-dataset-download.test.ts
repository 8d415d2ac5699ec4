import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadBeirFolder } from "./beir-folder-loader.js";
import { FakeHuggingFaceHub } from "./fake-hugging-face-hub.js";
import { downloadHubDataset, loadHubDataset } from "./hub-dataset-download.js";

// Layouts, revisions, the huggingface_hub cache and offline runs. Transport (302, integrity, resume,
// errors, tokens) is in hub-file-download.test.ts.
const commit = "2222222222222222222222222222222222222222";
const newerCommit = "3333333333333333333333333333333333333333";
const documents = [
  { _id: "d1", title: "Cats", text: "Cats purr." },
  { _id: "d2", title: "", text: "Dogs bark." },
  { _id: "d3", title: "Birds", text: "Birds sing." },
];
const questions = [
  { _id: "q1", text: "which animal purrs" },
  { _id: "q2", text: "which animal barks" },
];
const jsonLines = (rows: object[]) => rows.map((row) => `${JSON.stringify(row)}\n`).join("");
const corpus = jsonLines(documents);
const queries = jsonLines(questions);
const qrelsTsv = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\n";
const beirFiles = { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrelsTsv };

function parquet(columns: Record<string, (string | number)[]>, rowGroupSize = 2): Uint8Array {
  const columnData = Object.entries(columns).map(([name, data]) => ({
    name,
    data,
    type: typeof data[0] === "number" ? ("INT32" as const) : ("STRING" as const),
  }));
  return new Uint8Array(parquetWriteBuffer({ columnData, rowGroupSize }));
}

let hub: FakeHuggingFaceHub;
let home: string;
beforeEach(async () => {
  hub = new FakeHuggingFaceHub();
  await hub.start();
  home = await mkdtemp(join(tmpdir(), "embedeval-hub-"));
});
afterEach(async () => {
  await hub.stop();
  await rm(home, { recursive: true, force: true });
});

function download(
  options: { revision?: string; splits?: string[]; environment?: Record<string, string> } = {},
) {
  return downloadHubDataset({
    repository: "org/tiny",
    revision: options.revision ?? "main",
    splits: options.splits ?? ["test"],
    environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home, ...options.environment },
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

const repositoryFolder = () => join(home, "hub", "datasets--org--tiny");

/** The split as the BEIR folder loader reads the same data, to compare with. */
async function reference(split = "test") {
  const folder = join(home, "reference");
  await mkdir(join(folder, "qrels"), { recursive: true });
  await writeFile(join(folder, "corpus.jsonl"), corpus);
  await writeFile(join(folder, "queries.jsonl"), queries);
  await writeFile(join(folder, "qrels", `${split}.tsv`), qrelsTsv);
  return loadBeirFolder({ folder, split, name: "tiny" });
}

function content(dataset: Awaited<ReturnType<typeof loadHubDataset>>) {
  return { corpus: dataset.corpus, queries: dataset.queries, qrels: dataset.qrels };
}

describe("layouts", () => {
  it("reads BEIR files into huggingface_hub's cache layout and records the commit", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    const downloaded = await download();
    const dataset = await loadHubDataset({ dataset: downloaded, split: "test", name: "tiny" });
    const expected = await reference();
    expect(content(dataset)).toEqual(content(expected));
    expect(dataset.contentHash).toBe(expected.contentHash);
    expect(dataset.hubRevision).toBe(commit);
    expect(await readFile(join(repositoryFolder(), "refs", "main"), "utf8")).toBe(commit);
    expect(await readlink(join(repositoryFolder(), "snapshots", commit, "qrels", "test.tsv"))).toBe(
      join("..", "..", "..", "blobs", FakeHuggingFaceHub.sha256(qrelsTsv)),
    );
  });

  it("reads gzipped JSON lines and JSON-lines qrels named by the card's configs (MTEB's uploads)", async () => {
    const card = [
      "---",
      "configs:",
      "- config_name: default",
      "  data_files:",
      "  - split: test",
      "    path: qrels/test.jsonl",
      "- config_name: corpus",
      "  data_files:",
      "  - split: corpus",
      "    path: corpus.jsonl.gz",
      "- config_name: queries",
      "  data_files:",
      "  - split: queries",
      "    path: queries.jsonl",
      "---",
      "# tiny",
    ].join("\n");
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "README.md": card,
        "corpus.jsonl.gz": gzipSync(corpus),
        "queries.jsonl": queries,
        "qrels/test.jsonl": jsonLines([
          { "query-id": "q1", "corpus-id": "d1", score: 1 },
          { "query-id": "q2", "corpus-id": "d2", score: 2 },
        ]),
        "unrelated.jsonl": "not read\n",
      },
    });
    const dataset = await loadHubDataset({ dataset: await download(), split: "test", name: "tiny" });
    expect(content(dataset)).toEqual(content(await reference()));
    expect(hub.requests.some((request) => request.path.includes("unrelated"))).toBe(false);
  });

  it("reads NanoBEIR's parquet folders: split train, no score column, row group by row group", async () => {
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "corpus/train-00000-of-00001.parquet": parquet({
          _id: documents.map((row) => row._id),
          title: documents.map((row) => row.title),
          text: documents.map((row) => row.text),
        }),
        "queries/train-00000-of-00001.parquet": parquet({
          _id: ["q1", "q2"],
          text: questions.map((row) => row.text),
        }),
        "qrels/train-00000-of-00001.parquet": parquet({
          "query-id": ["q1", "q2"],
          "corpus-id": ["d1", "d2"],
        }),
      },
    });
    const dataset = await loadHubDataset({
      dataset: await download({ splits: ["train"] }),
      split: "train",
      name: "tiny",
    });
    expect(dataset.corpus).toEqual(
      documents.map((row) => ({ id: row._id, title: row.title, text: row.text })),
    );
    expect(dataset.qrels).toEqual(
      new Map([
        ["q1", new Map([["d1", 1]])],
        ["q2", new Map([["d2", 1]])],
      ]),
    );
  });

  it("reads MTEB 2's parquet uploads: `id` instead of `_id`, sharded corpus, integer scores", async () => {
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "corpus/test-00000-of-00002.parquet": parquet({
          id: ["d1", "d2"],
          title: ["Cats", ""],
          text: ["Cats purr.", "Dogs bark."],
        }),
        "corpus/test-00001-of-00002.parquet": parquet({
          id: ["d3"],
          title: ["Birds"],
          text: ["Birds sing."],
        }),
        "queries/test-00000-of-00001.parquet": parquet({
          id: ["q1", "q2"],
          text: questions.map((row) => row.text),
        }),
        "qrels/test-00000-of-00001.parquet": parquet({
          "query-id": ["q1", "q2"],
          "corpus-id": ["d1", "d2"],
          score: [1, 2],
        }),
      },
    });
    const dataset = await loadHubDataset({ dataset: await download(), split: "test", name: "tiny" });
    expect(content(dataset)).toEqual(content(await reference()));
  });

  it("reads the refs/convert/parquet branch layout (<config>/<split>/0000.parquet)", async () => {
    hub.addDataset("org/tiny", {
      commit,
      refs: { "refs/convert/parquet": commit },
      files: {
        "corpus/corpus/0000.parquet": parquet({
          _id: ["d1", "d2", "d3"],
          title: ["Cats", "", "Birds"],
          text: ["Cats purr.", "Dogs bark.", "Birds sing."],
        }),
        "queries/queries/0000.parquet": parquet({
          _id: ["q1", "q2"],
          text: questions.map((row) => row.text),
        }),
        "default/test/0000.parquet": parquet({
          "query-id": ["q1", "q2"],
          "corpus-id": ["d1", "d2"],
          score: [1, 2],
        }),
        "default/train/0000.parquet": parquet({ "query-id": ["q1"], "corpus-id": ["d3"], score: [1] }),
      },
    });
    const dataset = await loadHubDataset({
      dataset: await download({ revision: "refs/convert/parquet" }),
      split: "test",
      name: "tiny",
    });
    expect(content(dataset)).toEqual(content(await reference()));
    expect(await readFile(join(repositoryFolder(), "refs", "refs", "convert", "parquet"), "utf8")).toBe(
      commit,
    );
  });

  it("names the splits that exist before downloading anything large", async () => {
    hub.addDataset("org/tiny", { commit, files: { ...beirFiles, "qrels/dev.tsv": qrelsTsv } });
    const error = await failure(download({ splits: ["validation"] }));
    expect(error.message).toBe('Split "validation" not found in org/tiny@main: qrels/.');
    expect(error.hint).toBe("Splits present: dev, test. Set the task's `splits:` to one of them.");
    expect(hub.requests.filter((request) => request.origin === "cdn")).toEqual([]);
  });

  it("names a missing parquet column and the columns present", async () => {
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "corpus/test-0.parquet": parquet({ docid: ["d1"], text: ["x"] }),
        "queries/test-0.parquet": parquet({ _id: ["q1"], text: ["y"] }),
        "qrels/test-0.parquet": parquet({ "query-id": ["q1"], "corpus-id": ["d1"] }),
      },
    });
    const error = await failure(loadHubDataset({ dataset: await download(), split: "test", name: "tiny" }));
    expect(error.message).toMatch(
      /corpus\/test-0\.parquet has no column "_id" or "id"; its columns: docid, text\.$/,
    );
  });

  it("lists what the repository holds when no layout fits", async () => {
    hub.addDataset("org/tiny", { commit, files: { "data.csv": "a,b\n" } });
    const error = await failure(download());
    expect(error.message).toBe("org/tiny@main holds no retrieval dataset this tool can read.");
    expect(error.hint).toMatch(/Files present: data\.csv\.$/);
  });

  it("follows the tree listing's Link pages", async () => {
    hub.treePageSize = 1;
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    expect((await download()).downloaded.sort()).toEqual(["corpus.jsonl", "qrels/test.tsv", "queries.jsonl"]);
    expect(hub.requests.filter((request) => request.path.includes("/tree/")).length).toBeGreaterThan(3);
  });
});

describe("revisions and the cache", () => {
  it("makes no request at all for a pinned commit already in the cache", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    await download({ revision: commit });
    hub.requests.length = 0;
    const again = await download({ revision: commit });
    expect(again.downloaded).toEqual([]);
    expect(hub.requests).toEqual([]);
  });

  it("refreshes a branch: asks where it points, and downloads only when it moved", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    await download();
    hub.requests.length = 0;
    expect((await download()).downloaded).toEqual([]);
    expect(hub.requests.map((request) => request.path)).toEqual(["/api/datasets/org/tiny/revision/main"]);
    hub.addDataset("org/tiny", {
      commit: newerCommit,
      files: { ...beirFiles, "qrels/test.tsv": "q1\td3\t1\n" },
    });
    const moved = await download();
    expect(moved.commit).toBe(newerCommit);
    expect(moved.downloaded).toEqual(["qrels/test.tsv"]);
    expect(await readFile(join(repositoryFolder(), "refs", "main"), "utf8")).toBe(newerCommit);
  });

  it("offline, reads the cache with zero requests; without the files, fails at once naming them", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    await download();
    hub.requests.length = 0;
    const offline = await download({
      environment: { HF_HUB_OFFLINE: "1", HF_ENDPOINT: "http://127.0.0.1:9" },
    });
    expect(offline.commit).toBe(commit);
    expect((await loadHubDataset({ dataset: offline, split: "test", name: "tiny" })).hubRevision).toBe(
      commit,
    );
    let error = await failure(download({ splits: ["dev"], environment: { HF_HUB_OFFLINE: "1" } }));
    expect(error.message).toBe(
      'HF_HUB_OFFLINE is set and the cache lacks files: Split "dev" not found in org/tiny@main in the cache (' +
        join(repositoryFolder(), "snapshots", commit) +
        "): qrels/.",
    );
    error = await failure(download({ revision: "v2", environment: { HF_HUB_OFFLINE: "yes" } }));
    expect(error.message).toContain(
      `HF_HUB_OFFLINE is set and the cache has no org/tiny@v2: ${join(repositoryFolder(), "refs", "v2")} is missing.`,
    );
    expect(hub.requests).toEqual([]);
  });

  it("offline, notices a corpus shard missing from a snapshot whose download broke off", async () => {
    const shard = (ids: string[]) => parquet({ _id: ids, text: ids });
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "corpus/test-0.parquet": shard(["d1"]),
        "corpus/test-1.parquet": shard(["d2"]),
        "queries/test-0.parquet": parquet({ _id: ["q1"], text: ["y"] }),
        "qrels/test-0.parquet": parquet({ "query-id": ["q1"], "corpus-id": ["d1"] }),
      },
    });
    await download();
    await rm(join(repositoryFolder(), "snapshots", commit, "corpus", "test-1.parquet"));
    const error = await failure(download({ environment: { HF_HUB_OFFLINE: "1" } }));
    expect(error.message).toBe(
      "HF_HUB_OFFLINE is set and the cache lacks corpus/test-1.parquet of org/tiny@main.",
    );
  });

  it("reuses a cache filled by huggingface_hub (blobs, refs, relative links), offline", async () => {
    const folder = repositoryFolder();
    const snapshot = join(folder, "snapshots", commit);
    await mkdir(join(snapshot, "qrels"), { recursive: true });
    await mkdir(join(folder, "blobs"), { recursive: true });
    await mkdir(join(folder, "refs"), { recursive: true });
    await writeFile(join(folder, "refs", "main"), commit);
    for (const [path, text] of Object.entries(beirFiles)) {
      const blob = FakeHuggingFaceHub.sha256(text);
      await writeFile(join(folder, "blobs", blob), text);
      const depth = path.split("/").length - 1;
      await symlink(join(...Array(depth + 2).fill(".."), "blobs", blob), join(snapshot, path));
    }
    const dataset = await loadHubDataset({
      dataset: await download({ environment: { HF_HUB_OFFLINE: "1" } }),
      split: "test",
      name: "tiny",
    });
    expect(content(dataset)).toEqual(content(await reference()));
    expect(dataset.hubRevision).toBe(commit);
    expect(hub.requests).toEqual([]);
    expect(await readdir(join(folder, "blobs"))).toHaveLength(3);
  });
});

describe("a corpus without the columns needed", () => {
  it("is refused from its parquet footer or first JSON line, before the corpus is downloaded", async () => {
    // Random text, so compression cannot bring the file under the size worth previewing.
    const text = Array.from({ length: 3000 }, () => randomBytes(200).toString("hex"));
    const large = parquet({ docid: text.map((_, index) => `d${index}`), text }, 1000);
    expect(large.length).toBeGreaterThan(1024 * 1024);
    hub.addDataset("org/tiny", {
      commit,
      files: {
        "corpus/test-0.parquet": large,
        "queries/test-0.parquet": parquet({ _id: ["q1"], text: ["y"] }),
        "qrels/test-0.parquet": parquet({ "query-id": ["q1"], "corpus-id": ["d1"] }),
      },
    });
    const error = await failure(download());
    expect(error.message).toBe(
      'org/tiny@2222222: corpus/test-0.parquet has no column "_id" or "id"; its columns: docid, text.',
    );
    const corpusRequests = hub.requests.filter(
      (request) => request.origin === "cdn" && request.path.includes(FakeHuggingFaceHub.sha256(large)),
    );
    expect(corpusRequests.length).toBeGreaterThan(0);
    expect(corpusRequests.every((request) => /^bytes=\d+-\d+$/.test(request.range ?? ""))).toBe(true);
    expect(await readdir(join(repositoryFolder(), "blobs")).catch(() => [])).toEqual([]);

    const lines = `${JSON.stringify({ docid: "d1", body: "x".repeat(200) })}\n`.repeat(6000);
    hub.addDataset("org/tiny", {
      commit: newerCommit,
      files: { "corpus.jsonl": lines, "queries.jsonl": queries, "qrels/test.tsv": qrelsTsv },
    });
    const jsonError = await failure(download());
    expect(jsonError.message).toBe(
      'org/tiny@3333333: corpus.jsonl has no column "_id" or "id"; its columns: docid, body.',
    );
  });
});

describe("a hub that cannot be reached", () => {
  it("does not stop a run whose files are cached: the branch's last known commit is read", async () => {
    hub.addDataset("org/tiny", { commit, files: beirFiles });
    await download();
    const lines: string[] = [];
    const dataset = await downloadHubDataset({
      repository: "org/tiny",
      revision: "main",
      splits: ["test"],
      environment: { HF_ENDPOINT: "http://127.0.0.1:9", HF_HOME: home },
      attempts: 1,
      onProgress: (line) => lines.push(line),
    });
    expect(dataset.commit).toBe(commit);
    expect(lines).toEqual([
      expect.stringMatching(
        /^Cannot reach http:\/\/127\.0\.0\.1:9 for org\/tiny@main \(.+\); using the cached files of org\/tiny@main \(commit 2{40}\)$/,
      ),
    ]);
    const missing = await failure(
      downloadHubDataset({
        repository: "org/tiny",
        revision: "v2",
        splits: ["test"],
        environment: { HF_ENDPOINT: "http://127.0.0.1:9", HF_HOME: home },
        attempts: 1,
      }),
    );
    expect(missing.message).toMatch(/^Cannot reach http:\/\/127\.0\.0\.1:9 for org\/tiny@v2/);
  });
});
