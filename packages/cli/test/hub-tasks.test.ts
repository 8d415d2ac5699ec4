import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { findMtebTask } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "./cli-harness.js";

// `- name: SciFact` in embedeval.yml: the run downloads the dataset from the hub (here a local server in
// the hub's URL layout serving the quickstart data as mteb/scifact), evaluates it exactly like the same
// files given as a local folder, and a second run reads the cache without a single request.
const repositoryRoot = resolve(import.meta.dirname, "../../..");
const quickstartData = join(repositoryRoot, "examples/quickstart/data");
const scifact = findMtebTask("SciFact");

describe("MTEB tasks by name", () => {
  let workspace: string;
  let server: Server;
  let endpoint: string;
  const requests: string[] = [];

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-hub-tasks-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    const prefix = `/datasets/mteb/scifact/resolve/${scifact?.revision}/`;
    server = createServer(async (request, response) => {
      const path = request.url ?? "/";
      requests.push(path);
      // The hub redirects file downloads to its CDN; so does this stand-in, to a path of its own.
      if (path.startsWith(prefix)) {
        response.writeHead(302, { location: `/cdn/${path.slice(prefix.length)}` }).end();
        return;
      }
      const file = path.startsWith("/cdn/") ? path.slice("/cdn/".length) : undefined;
      if (file && ["corpus.jsonl", "queries.jsonl", "qrels/test.tsv"].includes(file)) {
        response.writeHead(200).end(await readFile(join(quickstartData, file)));
        return;
      }
      response.writeHead(404).end("Entry not found");
    });
    await new Promise<void>((ready) => server.listen(0, "127.0.0.1", ready));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: bm25",
        "    provider: bm25",
        "tasks:",
        "  - name: SciFact",
        "  - name: local-copy",
        "    path: ./data",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await new Promise<void>((closed) => server.close(() => closed()));
    await rm(workspace, { recursive: true, force: true });
  });

  it("downloads the dataset into the cache, scores it like the same local folder, then runs offline", async () => {
    const first = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, {
      HF_ENDPOINT: endpoint,
      HF_TOKEN: "hf_do_not_print",
    });
    expect(first.stderr).not.toContain("hf_do_not_print");
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toContain(`SciFact: downloading mteb/scifact@${scifact?.revision}: corpus.jsonl`);
    expect(requests.filter((path) => path.startsWith("/cdn/")).sort()).toEqual([
      "/cdn/corpus.jsonl",
      "/cdn/qrels/test.tsv",
      "/cdn/queries.jsonl",
    ]);

    const cached = join(workspace, ".embedeval/cache/datasets/mteb/scifact", String(scifact?.revision));
    expect((await readdir(cached)).sort()).toEqual(["corpus.jsonl", "qrels", "queries.jsonl"]);

    const results = join(workspace, "embedeval-results/bm25/no_revision_available");
    const hub = JSON.parse(await readFile(join(results, "SciFact.json"), "utf8"));
    const local = JSON.parse(await readFile(join(results, "local-copy.json"), "utf8"));
    // Same bytes, so the same content hash; MTEB's dataset_revision names the hub revision, as MTEB does.
    expect(hub.embedeval.dataset_content_hash).toBe(local.embedeval.dataset_content_hash);
    expect(hub.dataset_revision).toBe(findMtebTask("SciFact")?.revision);
    expect(local.dataset_revision).toBe(local.embedeval.dataset_content_hash);
    expect(hub.scores.test[0].ndcg_at_10).toBe(local.scores.test[0].ndcg_at_10);
    expect(hub.scores.test[0].ndcg_at_10).toBeGreaterThan(0);

    // Second run: no HF_ENDPOINT reachable would be fine too, since nothing is requested.
    const before = requests.length;
    const second = await runCliCaptured(["run", "--config", "embedeval.yml"], workspace, {
      HF_ENDPOINT: endpoint,
    });
    expect(second.code, second.stderr).toBe(0);
    expect(requests.length).toBe(before);
    expect(second.stderr).not.toContain("downloading");
  });

  it("fails before any model runs, naming the repository and how to fix it, when the hub lacks the split", async () => {
    await writeFile(
      join(workspace, "missing.yml"),
      ["models:", "  - id: bm25", "    provider: bm25", "tasks:", "  - name: NFCorpus", ""].join("\n"),
    );
    const run = await runCliCaptured(["run", "--config", "missing.yml"], workspace, {
      HF_ENDPOINT: endpoint,
    });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("mteb/nfcorpus");
    expect(run.stderr).toContain("HF_TOKEN");
    expect(run.stderr).not.toMatch(/\n\s+at .*\(/); // no stack trace
  });
});
