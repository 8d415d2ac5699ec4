import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  testCorpus as corpus,
  createRuntimeTestContext,
  removeRuntimeTestContext,
  testRuntimeSettings as settings,
} from "../testing/runtime-test-context.js";
import { ScriptedEmbeddingProvider, scriptedVector } from "../testing/scripted-embedding-provider.js";
import type { VirtualClock } from "../testing/virtual-clock.js";
import { cacheNamespaceFor } from "./cache/cache-namespace.js";
import { EmbeddingCache } from "./cache/embedding-cache.js";
import { embedTexts } from "./embed-texts.js";

describe("embedTexts: order, cache and batches", () => {
  let directory: string;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ directory, clock } = createRuntimeTestContext());
  });
  afterEach(() => removeRuntimeTestContext({ directory }));

  it("returns vectors in input order while calls finish out of order, and embeds repeated texts once", async () => {
    // Longer texts answer faster, so later batches overtake earlier ones.
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 3 },
      latency: (texts) => 1000 - texts.join("").length,
    });
    const texts = [...corpus.slice(0, 20), "document number 3", "x".repeat(500), "document number 7"];
    const { embeddings } = await embedTexts({ provider, texts, inputType: "document", settings, clock });
    expect(embeddings).toEqual(texts.map((text) => scriptedVector(text, "document", 4)));
    expect(provider.sentTexts().sort()).toEqual([...new Set(texts)].sort());
    expect(provider.maxInFlight).toBe(4);
    const finishOrder = [...provider.calls].sort((left, right) => left.number - right.number);
    expect(finishOrder.map((call) => call.texts.length)).toEqual([3, 3, 3, 3, 3, 3, 3]);
  });

  it("passes the provider's warnings on once each, with how many calls raised them", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 10 } });
    const embed = provider.embed.bind(provider);
    provider.embed = async (request) => ({
      ...(await embed(request)),
      warnings: request.texts.includes("document number 0")
        ? ["cut 1 text to 2,048 characters", "padded pooling"]
        : ["padded pooling"],
    });
    const result = await embedTexts({ provider, texts: corpus, inputType: "document", settings, clock });
    expect(result.warnings).toEqual(["cut 1 text to 2,048 characters", "padded pooling (4 calls)"]);
  });

  it("goes on without caching, and says so once, when the cache cannot be written", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 10 } });
    const cache = await EmbeddingCache.open(directory);
    cache.put = () => {
      throw new Error("ENOSPC: no space left on device");
    };
    const result = await embedTexts({
      provider,
      texts: corpus,
      inputType: "document",
      settings,
      cache,
      clock,
    });
    expect(result.embeddings).toEqual(corpus.map((text) => scriptedVector(text, "document", 4)));
    expect(provider.calls).toHaveLength(4);
    expect(result.warnings).toEqual([
      "the embedding cache could not be written, so this run caches nothing more: ENOSPC: no space left on device",
    ]);
    cache.close();
  });

  it("with keepVectors: false leaves the vectors in the cache, pays for each text once, and returns what the cache could not take", async () => {
    const texts = [...corpus.slice(0, 30), "document number 3"];
    // Ten texts cached by an earlier run.
    let cache = await EmbeddingCache.open(directory);
    await embedTexts({
      provider: new ScriptedEmbeddingProvider({ clock }),
      texts: corpus.slice(0, 10),
      inputType: "document",
      settings,
      cache,
      clock,
    });
    cache.close();

    cache = await EmbeddingCache.open(directory);
    const provider = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 7 } });
    const result = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings,
      cache,
      clock,
      keepVectors: false,
    });
    expect(result.embeddings).toEqual([]);
    expect(provider.sentTexts().sort()).toEqual(corpus.slice(10, 30).sort());
    expect(result.usage).toMatchObject({ cacheHits: 10, textsEmbedded: 20 });
    expect(cache.stats()).toMatchObject({ hits: 10, misses: 20 });
    const namespace = cacheNamespaceFor(provider, "document");
    expect(result.cached?.namespace.id).toBe(namespace.id);
    expect(result.cached?.dimension).toBe(4);
    expect(result.cached?.notCached.size).toBe(0);
    // Everything is in the cache, as the search will read it.
    expect(cache.read(namespace, texts)).toEqual(texts.map((text) => scriptedVector(text, "document", 4)));
    cache.close();

    // A cache that stops taking writes: the vectors it could not take come back by text.
    cache = await EmbeddingCache.open(directory);
    cache.put = () => {
      throw new Error("ENOSPC: no space left on device");
    };
    const more = [...corpus.slice(25), "a text never seen"];
    const broken = await embedTexts({
      provider: new ScriptedEmbeddingProvider({ clock }),
      texts: more,
      inputType: "document",
      settings,
      cache,
      clock,
      keepVectors: false,
    });
    expect([...(broken.cached?.notCached.keys() ?? [])].sort()).toEqual(
      [...corpus.slice(30), "a text never seen"].sort(),
    );
    expect(broken.cached?.notCached.get("a text never seen")).toEqual(
      scriptedVector("a text never seen", "document", 4),
    );
    cache.close();
    await expect(
      embedTexts({ provider, texts, inputType: "document", settings, clock, keepVectors: false }),
    ).rejects.toThrow(/needs a cache/);
  });

  it("counts a cached vector of another dimension than the provider declares as a miss, and embeds it again", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock, capabilities: { dimensions: 4 } });
    const namespace = cacheNamespaceFor(provider, "document");
    for (const keepVectors of [true, false]) {
      const folder = mkdtempSync(join(tmpdir(), "embedeval-dimension-"));
      const cache = await EmbeddingCache.open(folder);
      cache.put(namespace, ["a", "b"], [new Float32Array(8), new Float32Array(8)]);
      const result = await embedTexts({
        provider,
        texts: ["a", "b"],
        inputType: "document",
        settings,
        cache,
        clock,
        keepVectors,
      });
      // The action saves the cache only when something was missed: these two were re-embedded.
      expect(cache.stats(), `keepVectors ${keepVectors}`).toMatchObject({ hits: 0, misses: 2 });
      expect(result.usage).toMatchObject({ cacheHits: 0, textsEmbedded: 2 });
      cache.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it("respects batchSize, maxInputsPerCall, maxRequestBytes and a provider without parallel calls", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      latency: () => 10,
      capabilities: { maxInputsPerCall: 5, maxRequestBytes: 1024 + 3 * 120, supportsParallelCalls: false },
    });
    const texts = Array.from({ length: 12 }, (_, index) => `${index}`.padEnd(100, "."));
    await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings: { ...settings, batchSize: 50 },
      clock,
    });
    // 100 bytes of text estimate to 116 bytes of JSON: three fit in the budget, four do not.
    expect(provider.calls.map((call) => call.texts.length)).toEqual([3, 3, 3, 3]);
    expect(provider.maxInFlight).toBe(1);

    const small = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 5 } });
    await embedTexts({
      provider: small,
      texts: corpus.slice(0, 7),
      inputType: "document",
      settings: { ...settings, batchSize: 2 },
      clock,
    });
    expect(small.calls.map((call) => call.texts.length)).toEqual([2, 2, 2, 1]);
  });

  it("makes zero calls on a rerun, and embeds only the ten new texts when ten are added", async () => {
    const first = new ScriptedEmbeddingProvider({ clock });
    let cache = await EmbeddingCache.open(directory);
    await embedTexts({
      provider: first,
      texts: corpus.slice(0, 30),
      inputType: "document",
      settings,
      cache,
      clock,
    });
    cache.close();
    expect(first.sentTexts()).toHaveLength(30);

    const rerun = new ScriptedEmbeddingProvider({ clock });
    cache = await EmbeddingCache.open(directory);
    const again = await embedTexts({
      provider: rerun,
      texts: corpus.slice(0, 30),
      inputType: "document",
      settings,
      cache,
      clock,
    });
    expect(rerun.calls).toHaveLength(0);
    expect(again.usage).toMatchObject({ calls: 0, cacheHits: 30, textsEmbedded: 0, tokensSource: "none" });
    expect(again.embeddings).toEqual(corpus.slice(0, 30).map((text) => scriptedVector(text, "document", 4)));
    expect(cache.stats()).toMatchObject({ hits: 30, misses: 0 });
    cache.close();

    const grown = new ScriptedEmbeddingProvider({ clock });
    cache = await EmbeddingCache.open(directory);
    const added = await embedTexts({
      provider: grown,
      texts: corpus,
      inputType: "document",
      settings,
      cache,
      clock,
    });
    expect(grown.sentTexts().sort()).toEqual(corpus.slice(30).sort());
    expect(added.usage).toMatchObject({ cacheHits: 30, textsEmbedded: 10 });
    expect(cache.stats()).toMatchObject({ hits: 30, misses: 10 });
    cache.close();
  });

  it("does not serve a document's cached vector for the same text embedded as a query (MTEB #5383)", async () => {
    const cache = await EmbeddingCache.open(directory);
    const provider = new ScriptedEmbeddingProvider({ clock });
    const asDocument = await embedTexts({
      provider,
      texts: ["scifact claim"],
      inputType: "document",
      settings,
      cache,
      clock,
    });
    const asQuery = await embedTexts({
      provider,
      texts: ["scifact claim"],
      inputType: "query",
      settings,
      cache,
      clock,
    });
    expect(provider.calls.map((call) => call.inputType)).toEqual(["document", "query"]);
    expect(asQuery.embeddings[0]).toEqual(scriptedVector("scifact claim", "query", 4));
    expect(asQuery.embeddings[0]).not.toEqual(asDocument.embeddings[0]);
    cache.close();
  });
});
