import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FakeHuggingFaceHub } from "./fake-hugging-face-hub.js";
import { downloadHubDataset } from "./hub-dataset-download.js";
import { hubFileUrl } from "./hub-file-download.js";

// How files travel: the hub's 302 and its X-Linked-* headers, the CDN's foreign ETag, integrity, resume,
// errors and tokens. Layouts and the cache are in hub-dataset-download.test.ts.
const commit = "1111111111111111111111111111111111111111";
const corpus = `${JSON.stringify({ _id: "d1", title: "Cats", text: "Cats purr." })}\n${JSON.stringify({ _id: "d2", text: "Dogs bark." })}\n`;
const queries = `${JSON.stringify({ _id: "q1", text: "which animal purrs" })}\n`;
const qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\n";

let hub: FakeHuggingFaceHub;
let home: string;

beforeEach(async () => {
  hub = new FakeHuggingFaceHub();
  await hub.start();
  home = await mkdtemp(join(tmpdir(), "embedeval-hub-"));
  hub.addDataset("mteb/tiny", {
    commit,
    files: { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrels },
  });
});

afterEach(async () => {
  await hub.stop();
  await rm(home, { recursive: true, force: true });
});

function download(environment: Record<string, string> = {}, repository = "mteb/tiny") {
  return downloadHubDataset({
    repository,
    revision: "main",
    splits: ["test"],
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

const repositoryFolder = () => join(home, "hub", "datasets--mteb--tiny");
const cdnRequests = () => hub.requests.filter((request) => request.origin === "cdn");

describe("hubFileUrl", () => {
  it("builds the hub's resolve URL, encoding the revision as one segment", () => {
    expect(hubFileUrl("https://huggingface.co/", "mteb/scifact", "main", "qrels/test.tsv")).toBe(
      "https://huggingface.co/datasets/mteb/scifact/resolve/main/qrels/test.tsv",
    );
    expect(hubFileUrl("https://hf.example", "org/set", "refs/pr/1", "corpus.jsonl")).toBe(
      "https://hf.example/datasets/org/set/resolve/refs%2Fpr%2F1/corpus.jsonl",
    );
  });
});

describe("downloads through the hub's 302", () => {
  it("checks the sha256 of X-Linked-Etag, not the CDN's Xet ETag, and sends the token to the hub only", async () => {
    hub.cdnEtag = "xet";
    const dataset = await download({ HF_TOKEN: "hf_secret" });
    expect(dataset.commit).toBe(commit);
    expect(dataset.downloaded.sort()).toEqual(["corpus.jsonl", "qrels/test.tsv", "queries.jsonl"]);
    expect(cdnRequests()).toHaveLength(3);
    expect(cdnRequests().every((request) => request.authorization === undefined)).toBe(true);
    const hubRequests = hub.requests.filter((request) => request.origin === "hub");
    expect(hubRequests.every((request) => request.authorization === "Bearer hf_secret")).toBe(true);
    const blobs = await readdir(join(repositoryFolder(), "blobs"));
    expect(blobs.sort()).toEqual(
      [corpus, queries, qrels].map((content) => FakeHuggingFaceHub.sha256(content)).sort(),
    );
  });

  it("works with an S3-style md5 ETag on the CDN", async () => {
    hub.cdnEtag = "md5";
    const dataset = await download();
    expect(dataset.downloaded).toHaveLength(3);
  });

  it("fetches a corrupted file once more from scratch, and caches only the good bytes", async () => {
    hub.cdnFaults.push("corrupt");
    const lines: string[] = [];
    const dataset = await downloadHubDataset({
      repository: "mteb/tiny",
      revision: "main",
      splits: ["test"],
      environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home },
      retryDelayMilliseconds: 1,
      onProgress: (line) => lines.push(line),
    });
    expect(dataset.downloaded).toHaveLength(3);
    expect(cdnRequests()).toHaveLength(4);
    expect(
      lines.some((line) =>
        /sha256 [0-9a-f]{64}, the hub states [0-9a-f]{64}; downloading it again/.test(line),
      ),
    ).toBe(true);
  });

  it("fails with an integrity error after two bad copies, leaving nothing in the cache", async () => {
    hub.cdnFaults.push("corrupt", "corrupt");
    const error = await failure(download());
    expect(error.message).toMatch(
      /^Integrity check failed for mteb\/tiny@1111111: qrels\/test\.tsv: sha256 /,
    );
    expect(error.message).toContain("twice in a row");
    expect(error.hint).toContain("Nothing was cached");
    expect(await readdir(join(repositoryFolder(), "blobs")).catch(() => [])).toEqual([]);
    expect(await readdir(join(repositoryFolder(), "snapshots", commit)).catch(() => [])).toEqual([]);
  });

  it("refuses a body shorter than X-Linked-Size, then succeeds on the second copy", async () => {
    hub.cdnFaults.push("truncate");
    const dataset = await download();
    expect(dataset.downloaded).toHaveLength(3);
    expect(cdnRequests()).toHaveLength(4);
  });

  it("resumes a broken transfer with Range from the bytes received", async () => {
    hub.cdnFaults.push("cut-connection");
    const lines: string[] = [];
    const dataset = await downloadHubDataset({
      repository: "mteb/tiny",
      revision: "main",
      splits: ["test"],
      environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home },
      retryDelayMilliseconds: 1,
      onProgress: (line) => lines.push(line),
    });
    expect(
      lines.some((line) =>
        /^mteb\/tiny@1111111: qrels\/test\.tsv: transfer broke off \(.+\) at 16 B; resuming$/.test(line),
      ),
    ).toBe(true);
    expect(dataset.downloaded).toHaveLength(3);
    const ranged = cdnRequests().filter((request) => request.range !== undefined);
    expect(ranged).toHaveLength(1);
    expect(ranged[0]?.range).toBe(`bytes=${Math.floor(Buffer.byteLength(qrels) / 2)}-`);
  });

  it("waits out 429 (Retry-After) and 503 from the hub and the CDN", async () => {
    hub.hubFaults.push({ status: 429, retryAfter: "0" }, { status: 503 });
    hub.cdnFaults.push({ status: 503 }, { status: 429, retryAfter: "0" });
    const dataset = await download();
    expect(dataset.downloaded).toHaveLength(3);
  });

  it("gives up on a hub that keeps answering 503, saying so", async () => {
    for (let index = 0; index < 4; index++) hub.hubFaults.push({ status: 503 });
    const error = await failure(download());
    expect(error.message).toBe("The hub kept failing for mteb/tiny@main: HTTP 503 after 4 attempts.");
  });
});

describe("hub errors", () => {
  it("names a missing dataset and a missing revision from X-Error-Code", async () => {
    let error = await failure(download({}, "mteb/absent"));
    expect(error.message).toMatch(/^The hub has no dataset mteb\/absent \(or it is private\)/);
    error = await failure(
      downloadHubDataset({
        repository: "mteb/tiny",
        revision: "v9",
        splits: ["test"],
        environment: { HF_ENDPOINT: hub.endpoint, HF_HOME: home },
      }),
    );
    expect(error.message).toBe(
      "The hub has no such revision for mteb/tiny@v9. The hub says: Invalid rev id: v9",
    );
  });

  it("names a file the hub does not serve (EntryNotFound), and a 302 whose sha256 contradicts the listing", async () => {
    hub.addDataset("org/broken", {
      commit,
      files: {
        "corpus.jsonl": corpus,
        "queries.jsonl": queries,
        "qrels/test.tsv": { content: qrels, unresolvable: true },
      },
    });
    let error = await failure(download({}, "org/broken"));
    expect(error.message).toBe(
      'The hub has no such file: org/broken@1111111: qrels/test.tsv. The hub says: qrels/test.tsv does not exist on "1111111111111111111111111111111111111111"',
    );
    hub.addDataset("org/broken", {
      commit,
      files: {
        "corpus.jsonl": corpus,
        "queries.jsonl": queries,
        "qrels/test.tsv": { content: qrels, linkedEtag: "f".repeat(64) },
      },
    });
    error = await failure(download({ HF_HOME: join(home, "second") }, "org/broken"));
    expect(error.message).toBe(
      `The hub states two sha256 for org/broken@1111111: qrels/test.tsv: ${"f".repeat(64)} (X-Linked-Etag) and ${FakeHuggingFaceHub.sha256(qrels)} (file list).`,
    );
  });

  it("asks for a token for a gated dataset, and for access when the token is refused", async () => {
    hub.addDataset("org/gated", { commit, requiredToken: "hf_good", files: { "corpus.jsonl": corpus } });
    let error = await failure(download({}, "org/gated"));
    expect(error.message).toMatch(/HTTP 401, GatedRepo\): the dataset is gated or private/);
    expect(error.hint).toMatch(/^Set HF_TOKEN/);
    error = await failure(download({ HF_TOKEN: "hf_other" }, "org/gated"));
    expect(error.message).toMatch(/HTTP 403, GatedRepo/);
    expect(error.hint).toMatch(/^The token from HF_TOKEN has no access/);
    expect(error.message + error.hint).not.toContain("hf_other");
  });

  it("reads the token from HF_TOKEN_PATH, else from $HF_HOME/token", async () => {
    hub.addDataset("org/gated", {
      commit,
      requiredToken: "hf_good",
      files: { "corpus.jsonl": corpus, "queries.jsonl": queries, "qrels/test.tsv": qrels },
    });
    await mkdir(home, { recursive: true });
    await writeFile(join(home, "token"), "hf_good\n");
    expect((await download({}, "org/gated")).commit).toBe(commit);
    const elsewhere = join(home, "elsewhere-token");
    await writeFile(elsewhere, "hf_wrong");
    const error = await failure(
      download({ HF_TOKEN_PATH: elsewhere, HF_HUB_CACHE: join(home, "other") }, "org/gated"),
    );
    expect(error.hint).toContain(`The token from ${elsewhere} has no access`);
  });
});
