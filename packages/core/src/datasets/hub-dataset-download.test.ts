import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { EmbedEvalError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadBeirFolder } from "./beir-folder-loader.js";
import { downloadHubDataset, hubDatasetFolder, hubFileUrl } from "./hub-dataset-download.js";

const corpus = `${[
  { _id: "d1", title: "Cats", text: "Cats purr." },
  { _id: "d2", title: "Dogs", text: "Dogs bark." },
]
  .map((record) => JSON.stringify(record))
  .join("\n")}\n`;
const queries = `${[
  { _id: "q1", text: "which animal purrs" },
  { _id: "q2", text: "which animal barks" },
]
  .map((record) => JSON.stringify(record))
  .join("\n")}\n`;
const qrels = "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

/** A hub stand-in: routes by exact path; records every request (path and authorization header). */
class LocalHub {
  readonly routes = new Map<string, Handler>();
  readonly requests: { path: string; authorization: string | undefined }[] = [];
  private server: Server | undefined;
  endpoint = "";

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const path = request.url ?? "/";
      this.requests.push({ path, authorization: request.headers.authorization });
      const handler = this.routes.get(path);
      if (handler) handler(request, response);
      else response.writeHead(404, { "content-type": "text/plain" }).end("Entry not found");
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  /** Serves a file at the hub's resolve URL of `mteb/tiny` at `revision`. */
  file(path: string, body: string | Buffer, revision = "main"): void {
    this.routes.set(resolvePath(path, revision), (_request, response) => {
      response.writeHead(200, { "content-length": Buffer.byteLength(body) }).end(body);
    });
  }
}

function resolvePath(path: string, revision = "main"): string {
  return new URL(hubFileUrl("http://x", "mteb/tiny", revision, path)).pathname;
}

let hub: LocalHub;
let cacheDirectory: string;

beforeEach(async () => {
  hub = new LocalHub();
  await hub.start();
  cacheDirectory = await mkdtemp(join(tmpdir(), "embedeval-hub-"));
});

afterEach(async () => {
  await hub.stop();
  await rm(cacheDirectory, { recursive: true, force: true });
});

function download(overrides: Partial<Parameters<typeof downloadHubDataset>[0]> = {}) {
  return downloadHubDataset({
    repository: "mteb/tiny",
    revision: "main",
    splits: ["test"],
    cacheDirectory,
    environment: { HF_ENDPOINT: hub.endpoint },
    retryDelayMilliseconds: 1,
    ...overrides,
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

describe("hubFileUrl", () => {
  it("builds the hub's resolve URL, encoding the revision as one segment", () => {
    expect(hubFileUrl("https://huggingface.co/", "mteb/scifact", "main", "qrels/test.tsv")).toBe(
      "https://huggingface.co/datasets/mteb/scifact/resolve/main/qrels/test.tsv",
    );
    expect(hubFileUrl("https://hf.example", "org/set", "refs/pr/1", "corpus.jsonl")).toBe(
      "https://hf.example/datasets/org/set/resolve/refs%2Fpr%2F1/corpus.jsonl",
    );
  });

  it("rejects ids that are not owner/name or would leave the cache folder", () => {
    expect(() => hubDatasetFolder(cacheDirectory, "../etc", "main")).toThrow(/not a hub dataset id/);
    expect(() => hubDatasetFolder(cacheDirectory, "scifact", "main")).toThrow(/not a hub dataset id/);
    expect(hubDatasetFolder(cacheDirectory, "mteb/scifact", "refs/pr/1")).toBe(
      join(cacheDirectory, "mteb", "scifact", "refs%2Fpr%2F1"),
    );
  });
});

describe("downloadHubDataset", () => {
  it("follows a redirect, falls back to a gzipped file, retries a 500, then serves later runs from the cache", async () => {
    // corpus.jsonl: the hub answers 302 to its CDN, here another path of the same server.
    hub.routes.set(resolvePath("corpus.jsonl"), (_request, response) => {
      response.writeHead(302, { location: "/cdn/blobs/corpus" }).end();
    });
    hub.routes.set("/cdn/blobs/corpus", (_request, response) => {
      response.writeHead(200, { "content-length": Buffer.byteLength(corpus) }).end(corpus);
    });
    // queries.jsonl is absent (404); queries.jsonl.gz exists.
    hub.file("queries.jsonl.gz", gzipSync(queries));
    // qrels/test.tsv fails once with 500, then succeeds.
    let qrelsCalls = 0;
    hub.routes.set(resolvePath("qrels/test.tsv"), (_request, response) => {
      qrelsCalls++;
      if (qrelsCalls === 1) response.writeHead(500).end("oops");
      else response.writeHead(200).end(qrels);
    });

    const lines: string[] = [];
    const first = await download({
      environment: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: "hf_secret" },
      onProgress: (line) => lines.push(line),
    });
    expect(first.folder).toBe(join(cacheDirectory, "mteb", "tiny", "main"));
    expect(first.downloaded).toEqual(["corpus.jsonl", "queries.jsonl.gz", "qrels/test.tsv"]);
    expect(qrelsCalls).toBe(2);
    expect(hub.requests.map((request) => request.path)).toEqual([
      resolvePath("corpus.jsonl"),
      "/cdn/blobs/corpus",
      resolvePath("queries.jsonl"),
      resolvePath("queries.jsonl.gz"),
      resolvePath("qrels/test.tsv"),
      resolvePath("qrels/test.tsv"),
    ]);
    expect(hub.requests[0]?.authorization).toBe("Bearer hf_secret");
    expect(lines.join("\n")).not.toContain("hf_secret");
    // One line before and one after each file actually fetched; none for names the hub does not hold.
    expect(lines.filter((line) => line.startsWith("downloading"))).toEqual([
      "downloading mteb/tiny@main: corpus.jsonl",
      "downloading mteb/tiny@main: queries.jsonl.gz",
      "downloading mteb/tiny@main: qrels/test.tsv",
    ]);

    // The bytes on disk are the served bytes, and nothing temporary is left behind.
    expect(await readFile(join(first.folder, "corpus.jsonl"), "utf8")).toBe(corpus);
    expect((await readdir(first.folder)).sort()).toEqual(["corpus.jsonl", "qrels", "queries.jsonl.gz"]);
    const dataset = await loadBeirFolder({ folder: first.folder, split: "test", name: "tiny" });
    expect(dataset.corpus.map((document) => document.id)).toEqual(["d1", "d2"]);
    expect(dataset.queries.map((query) => query.text)).toEqual(["which animal purrs", "which animal barks"]);

    const before = hub.requests.length;
    const second = await download();
    expect(second).toEqual({ folder: first.folder, downloaded: [] });
    expect(hub.requests.length).toBe(before);
  });

  it("names the repository, revision and files, and how to fix it, when a file is not on the hub", async () => {
    hub.file("corpus.jsonl", corpus, "v1");
    hub.file("queries.jsonl", queries, "v1");
    const error = await failure(download({ revision: "v1", splits: ["dev"] }));
    expect(error.code).toBe("dataset");
    expect(error.message).toContain("mteb/tiny");
    expect(error.message).toContain('revision "v1"');
    expect(error.message).toContain("qrels/dev.tsv, qrels/dev.tsv.gz, qrels/dev.jsonl");
    expect(error.hint).toContain("HF_TOKEN");
    expect(error.hint).toContain("https://huggingface.co/datasets/mteb/tiny");
  });

  it("stops at once when the hub says the repository or the revision does not exist", async () => {
    hub.routes.set(resolvePath("corpus.jsonl", "nope"), (_request, response) => {
      response.writeHead(404, { "x-error-code": "RevisionNotFound" }).end("Invalid rev id: nope");
    });
    const error = await failure(download({ revision: "nope" }));
    expect(error.message).toBe('The hub has no revision "nope" of mteb/tiny.');
    expect(error.hint).toContain("https://huggingface.co/datasets/mteb/tiny");
    expect(hub.requests).toHaveLength(1);
  });

  it("asks for HF_TOKEN on 401 and never repeats the token", async () => {
    hub.routes.set(resolvePath("corpus.jsonl"), (_request, response) => response.writeHead(401).end());
    const anonymous = await failure(download());
    expect(anonymous.message).toContain("HTTP 401");
    expect(anonymous.hint).toContain("set HF_TOKEN");
    const withToken = await failure(
      download({ environment: { HF_ENDPOINT: hub.endpoint, HF_TOKEN: "hf_secret" } }),
    );
    expect(withToken.hint).toContain("HF_TOKEN is set but has no access");
    expect(`${withToken.message} ${withToken.hint}`).not.toContain("hf_secret");
  });

  it("gives up after the configured attempts on a persistent 5xx or 429", async () => {
    let calls = 0;
    hub.routes.set(resolvePath("corpus.jsonl"), (_request, response) => {
      calls++;
      response.writeHead(calls % 2 === 0 ? 429 : 503).end();
    });
    const error = await failure(download({ attempts: 3 }));
    expect(calls).toBe(3);
    expect(error.message).toContain("after 3 attempts");
  });

  it("says the first run needs network when the hub cannot be reached", async () => {
    await hub.stop();
    const error = await failure(download({ attempts: 2 }));
    expect(error.message).toContain("Cannot reach");
    expect(error.hint).toContain("needs network access");
    expect(error.hint).toContain(join(cacheDirectory, "mteb", "tiny", "main"));
    await hub.start(); // afterEach stops it again
  });

  it("converts qrels published as JSON lines to the TSV the loader reads", async () => {
    hub.file("corpus.jsonl", corpus);
    hub.file("queries.jsonl", queries);
    hub.file(
      "qrels/test.jsonl",
      '{"query-id": "q1", "corpus-id": "d1", "score": 1}\n{"query-id": "q2", "corpus-id": "d2", "score": 2}\n',
    );
    const { folder, downloaded } = await download();
    expect(downloaded).toContain("qrels/test.jsonl");
    expect(await readFile(join(folder, "qrels", "test.tsv"), "utf8")).toBe(
      "query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t2\n",
    );
    expect(await readdir(join(folder, "qrels"))).toEqual(["test.tsv"]);
    const before = hub.requests.length;
    await download();
    expect(hub.requests.length).toBe(before);
  });

  it("rejects a file whose sha256 differs from the one the hub states, keeping nothing", async () => {
    const wrong = createHash("sha256").update("something else").digest("hex");
    hub.routes.set(resolvePath("corpus.jsonl"), (_request, response) => {
      response.writeHead(200, { "x-linked-etag": `"${wrong}"` }).end(corpus);
    });
    const error = await failure(download());
    expect(error.message).toContain("Checksum mismatch");
    expect(await readdir(join(cacheDirectory, "mteb", "tiny", "main"))).toEqual([]);
  });

  it("accepts a file whose stated sha256 matches", async () => {
    const right = createHash("sha256").update(corpus).digest("hex");
    hub.routes.set(resolvePath("corpus.jsonl"), (_request, response) => {
      response.writeHead(200, { "x-linked-etag": `"${right}"` }).end(corpus);
    });
    hub.file("queries.jsonl", queries);
    hub.file("qrels/test.tsv", qrels);
    const { downloaded } = await download();
    expect(downloaded).toEqual(["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"]);
  });
});
