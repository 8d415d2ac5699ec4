import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ScriptedEmbeddingProvider, scriptedVector } from "../../testing/scripted-embedding-provider.js";
import { embedTexts } from "../embed-texts.js";
import { cacheNamespaceFor } from "./cache-namespace.js";
import { EmbeddingCache } from "./embedding-cache.js";

describe("EmbeddingCache with things that are not segments in its folder", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-hostile-cache-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("skips a FIFO and a folder named like segments, without blocking, and counts them", async () => {
    const namespace = cacheNamespaceFor(new ScriptedEmbeddingProvider(), "document");
    const writer = await EmbeddingCache.open(directory);
    writer.put(namespace, ["kept"], [scriptedVector("kept", "document", 4)]);
    writer.close();
    const folder = join(directory, "embeddings-v1", namespace.id);
    // A synchronous open of a FIFO blocks until a writer comes: it would hang the run, Ctrl-C included.
    execFileSync("mkfifo", [join(folder, "00000000000000-1-fifo.segment")]);
    mkdirSync(join(folder, "00000000000000-2-folder.segment"));

    const cache = await EmbeddingCache.open(directory);
    expect(cache.get(namespace, ["kept", "missing"])).toEqual([
      scriptedVector("kept", "document", 4),
      undefined,
    ]);
    expect(cache.stats()).toMatchObject({ ignoredFiles: 2, hits: 1, misses: 1 });
    cache.close();
  });
});

describe("EmbeddingCache and what a rerun reports", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-cache-report-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("keeps the provider's warnings with the texts, so a cached rerun reports the same ones", async () => {
    const texts = ["short", "a very long text", "another very long text", "tiny"];
    const options = {
      capabilities: { maxInputsPerCall: 1 },
      warnings: (batch: readonly string[]) =>
        batch[0]?.includes("long") ? ["1 text cut to 8 tokens (truncate: END)"] : [],
    };
    const first = await embedTexts({
      provider: new ScriptedEmbeddingProvider(options),
      texts,
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 30 },
      cache: await EmbeddingCache.open(directory),
    });
    expect(first.warnings).toEqual(["1 text cut to 8 tokens (truncate: END) (2 calls)"]);

    const cache = await EmbeddingCache.open(directory);
    const provider = new ScriptedEmbeddingProvider(options);
    const rerun = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 30 },
      cache,
    });
    cache.close();
    expect(provider.calls).toHaveLength(0);
    expect(rerun.warnings).toEqual(first.warnings);
  });

  it("counts the damaged records it skipped (and embedded again) in the usage", async () => {
    const provider = new ScriptedEmbeddingProvider();
    const namespace = cacheNamespaceFor(provider, "document");
    const writer = await EmbeddingCache.open(directory);
    writer.put(
      namespace,
      ["a", "b"],
      [scriptedVector("a", "document", 4), scriptedVector("b", "document", 4)],
    );
    writer.close();
    const folder = join(directory, "embeddings-v1", namespace.id);
    const segment = readdirSync(folder).find((name) => name.endsWith(".segment")) as string;
    // Flip a byte inside the first record's vector: its checksum no longer matches.
    const bytes = readFileSync(join(folder, segment));
    bytes[48 + 12 + 32 + 1] = (bytes[48 + 12 + 32 + 1] as number) ^ 0xff;
    writeFileSync(join(folder, segment), bytes);

    const cache = await EmbeddingCache.open(directory);
    const { usage } = await embedTexts({
      provider,
      texts: ["a", "b"],
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 30 },
      cache,
    });
    cache.close();
    expect(provider.sentTexts()).toEqual(["a"]);
    expect(usage.cacheRepairs).toBe(1);
  });
});

describe("EmbeddingCache holding a NaN vector", () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-cache-nan-"));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it("embeds the text again instead of scoring with it, and counts the repair", async () => {
    const provider = new ScriptedEmbeddingProvider();
    const namespace = cacheNamespaceFor(provider, "document");
    const writer = await EmbeddingCache.open(directory);
    // Checksummed and well formed, but not a vector any search can use.
    writer.put(namespace, ["poisoned"], [Float32Array.from([0.1, Number.NaN, 0.3, 0.4])]);
    writer.close();

    const cache = await EmbeddingCache.open(directory);
    const { embeddings, usage } = await embedTexts({
      provider,
      texts: ["poisoned"],
      inputType: "document",
      settings: { maxConcurrency: 1, timeoutSeconds: 30 },
      cache,
    });
    cache.close();
    expect(embeddings[0]).toEqual(scriptedVector("poisoned", "document", 4));
    expect(provider.sentTexts()).toEqual(["poisoned"]);
    expect(usage.cacheRepairs).toBe(1);
  });
});
