import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CancelledError, EmbedEvalError, ProviderError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type ScriptedBehaviour,
  ScriptedEmbeddingProvider,
  scriptedVector,
} from "../testing/scripted-embedding-provider.js";
import { VirtualClock } from "../testing/virtual-clock.js";
import { cacheNamespaceFor } from "./cache/cache-namespace.js";
import { EmbeddingCache } from "./cache/embedding-cache.js";
import { embedTexts } from "./embed-texts.js";
import type { RuntimeSettings } from "./runtime-settings.js";
import { UsageRecorder } from "./usage-recorder.js";

const settings: RuntimeSettings = { maxConcurrency: 4, timeoutSeconds: 30, maxRetries: 3 };
const corpus = Array.from({ length: 40 }, (_, index) => `document number ${index}`);

async function captureError(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

describe("embedTexts", () => {
  let directory: string;
  let clock: VirtualClock;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "embedeval-runtime-"));
    clock = new VirtualClock();
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

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

  it("retries throttles and server errors with full-jitter backoff, honouring retry-after", async () => {
    const script = (call: number): ScriptedBehaviour | undefined =>
      call === 0
        ? { kind: "throttle", retryAfterMs: 5000 }
        : call === 1
          ? { kind: "server-error", status: 503 }
          : undefined;
    const provider = new ScriptedEmbeddingProvider({ clock, script });
    const { embeddings, usage } = await embedTexts({
      provider,
      texts: ["a", "b"],
      inputType: "query",
      settings: { ...settings, maxRetries: 2 },
      clock,
      random: () => 0.5,
      backoff: { baseDelayMilliseconds: 100, maxDelayMilliseconds: 10_000 },
    });
    expect(embeddings).toEqual([scriptedVector("a", "query", 4), scriptedVector("b", "query", 4)]);
    expect(provider.calls.map((call) => call.behaviour)).toEqual(["throttle", "server-error", "answer"]);
    // Retry 1: jitter 0.5 * 100 = 50 ms, but the provider asked for 5 s. Retry 2: 0.5 * 200 = 100 ms.
    expect(clock.sleeps).toEqual([5000, 100]);
    expect(provider.calls[1]?.startedAt).toBe(5000);
    expect(usage).toMatchObject({ calls: 1, retries: 2, throttles: 1, textsEmbedded: 2 });
  });

  it("surfaces a non-retryable error at once, in the provider's words", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      script: () => ({ kind: "client-error", message: "Malformed input request: expected maxLength: 50000" }),
    });
    const error = await captureError(
      embedTexts({ provider, texts: corpus.slice(0, 3), inputType: "document", settings, clock }),
    );
    expect(ProviderError.isProviderError(error)).toBe(true);
    expect((error as ProviderError).message).toBe("Malformed input request: expected maxLength: 50000");
    expect((error as ProviderError).status).toBe(400);
    expect(provider.calls).toHaveLength(1);
  });

  it("surfaces a failure at once even while another batch waits out a long retry-after", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 1 },
      script: (_call, texts) =>
        texts[0] === "slow down"
          ? { kind: "throttle", retryAfterMs: 60_000 }
          : texts[0] === "broken"
            ? { kind: "client-error", message: "Input is too long" }
            : undefined,
    });
    const error = await captureError(
      embedTexts({ provider, texts: ["slow down", "broken"], inputType: "document", settings, clock }),
    );
    expect((error as ProviderError).message).toBe("Input is too long");
    expect(clock.now()).toBeLessThan(1000);
  });

  it("surfaces an error thrown by the progress callback as is, not as the provider's", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 1 } });
    const error = await captureError(
      embedTexts({
        provider,
        texts: ["a", "b", "c"],
        inputType: "document",
        settings,
        clock,
        onProgress: (done) => {
          if (done === 2) throw new RangeError("progress bar broke");
        },
      }),
    );
    expect(error).toBeInstanceOf(RangeError);
  });

  it("returns the complete result when the cancel arrives after the last answer", async () => {
    const controller = new AbortController();
    const provider = new ScriptedEmbeddingProvider({ clock });
    const { embeddings } = await embedTexts({
      provider,
      texts: ["a", "b"],
      inputType: "document",
      settings,
      clock,
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done === total) controller.abort();
      },
    });
    expect(embeddings).toHaveLength(2);
  });

  it("gives up after maxRetries, saying so, and keeps the vectors that did arrive", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 1, supportsParallelCalls: false },
      script: (_call, texts) => (texts[0] === "doomed" ? { kind: "throttle" } : undefined),
    });
    const cache = await EmbeddingCache.open(directory);
    const error = await captureError(
      embedTexts({
        provider,
        texts: ["fine", "doomed", "later"],
        inputType: "document",
        settings: { ...settings, maxRetries: 2 },
        cache,
        clock,
      }),
    );
    expect((error as ProviderError).message).toBe(
      "Too many requests, please wait before trying again. (gave up after 2 retries)",
    );
    expect((error as ProviderError).hint).toMatch(/runtime.maxConcurrency/);
    // While "doomed" waits to retry it holds no slot, so "later" goes ahead of it.
    expect(provider.calls.map((call) => call.texts[0])).toEqual([
      "fine",
      "doomed",
      "later",
      "doomed",
      "doomed",
    ]);
    expect(cache.get(cacheNamespaceOf(provider), ["fine", "later"])).toEqual([
      scriptedVector("fine", "document", 4),
      scriptedVector("later", "document", 4),
    ]);
    cache.close();
  });

  it("times out a call that never answers (even one ignoring its signal) and retries it", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      script: (call) => (call === 0 ? { kind: "hang" } : undefined),
    });
    const { embeddings, usage } = await embedTexts({
      provider,
      texts: ["slow"],
      inputType: "document",
      settings: { ...settings, timeoutSeconds: 2 },
      clock,
      random: () => 0,
    });
    expect(embeddings[0]).toEqual(scriptedVector("slow", "document", 4));
    expect(provider.calls[1]?.startedAt).toBe(2000);
    expect(usage.retries).toBe(1);

    const alwaysHangs = new ScriptedEmbeddingProvider({ clock, script: () => ({ kind: "hang" }) });
    const error = await captureError(
      embedTexts({
        provider: alwaysHangs,
        texts: ["slow"],
        inputType: "document",
        settings: { ...settings, timeoutSeconds: 2, maxRetries: 1 },
        clock,
      }),
    );
    expect((error as ProviderError).message).toBe(
      "scripted scripted-model: no answer within 2 s (gave up after 1 retry)",
    );
    expect((error as ProviderError).hint).toMatch(/timeoutSeconds/);
  });

  it.each([
    ["wrong-count", "scripted scripted-model: returned 1 vectors for 2 texts"],
    ["not-a-number", "scripted scripted-model: vector 0 of the call holds NaN at position 1"],
    ["wrong-dimension", "scripted scripted-model: vector 0 of the call has 5 dimensions, expected 4"],
  ] as const)("rejects a %s answer without retrying and without caching it", async (kind, message) => {
    const provider = new ScriptedEmbeddingProvider({ clock, script: () => ({ kind }) });
    const cache = await EmbeddingCache.open(directory);
    const error = await captureError(
      embedTexts({ provider, texts: ["p", "q"], inputType: "document", settings, cache, clock }),
    );
    expect((error as ProviderError).message).toBe(message);
    expect((error as ProviderError).retryable).toBe(false);
    expect(provider.calls).toHaveLength(1);
    expect(cache.get(cacheNamespaceOf(provider), ["p", "q"])).toEqual([undefined, undefined]);
    cache.close();
  });

  it("on abort keeps every received vector in the cache, and the rerun never sends a text twice", async () => {
    const controller = new AbortController();
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 2 },
      latency: () => 100,
    });
    let cache = await EmbeddingCache.open(directory);
    const error = await captureError(
      embedTexts({
        provider,
        texts: corpus,
        inputType: "document",
        settings,
        cache,
        clock,
        signal: controller.signal,
        onProgress: (done) => {
          if (done >= 10) controller.abort();
        },
      }),
    );
    cache.close();
    expect(error).toBeInstanceOf(CancelledError);
    // Calls of two texts, four at a time: the abort lands after call 5 answered; calls 6-8 were in flight.
    expect((error as CancelledError).message).toBe(
      "Cancelled: 10 of 40 texts embedded and cached; rerun to resume.",
    );
    const answeredBeforeAbort = 10;

    const resumed = new ScriptedEmbeddingProvider({ clock, capabilities: { maxInputsPerCall: 2 } });
    cache = await EmbeddingCache.open(directory);
    const { embeddings, usage } = await embedTexts({
      provider: resumed,
      texts: corpus,
      inputType: "document",
      settings,
      cache,
      clock,
    });
    cache.close();
    expect(usage.cacheHits).toBe(answeredBeforeAbort);
    expect(embeddings).toEqual(corpus.map((text) => scriptedVector(text, "document", 4)));
    const answered = provider.calls.slice(0, 5).flatMap((call) => call.texts);
    expect(resumed.sentTexts().filter((text) => answered.includes(text))).toEqual([]);
    expect(resumed.sentTexts()).toHaveLength(30);
  });

  it("reports cancellation before any call, without calling the provider", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock });
    const error = await captureError(
      embedTexts({
        provider,
        texts: ["a"],
        inputType: "query",
        settings,
        clock,
        signal: AbortSignal.abort(),
      }),
    );
    expect((error as CancelledError).message).toBe(
      "Cancelled: 0 of 1 texts embedded; nothing was cached (--no-cache).",
    );
    expect(provider.calls).toHaveLength(0);
  });

  it("accounts tokens, calls, latency, throughput and cost", async () => {
    const provider = new ScriptedEmbeddingProvider({
      clock,
      tokensPerText: 7,
      capabilities: { maxInputsPerCall: 2, supportsParallelCalls: false },
      latency: (texts) => (texts[0] === "t0" ? 400 : 100),
    });
    const texts = ["t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"];
    const total = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    const { usage, latencyPerTextMs } = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings,
      clock,
      pricePerMillionTokens: 0.02,
      usage: total,
    });
    expect(usage.latencyMs?.p95).toBeCloseTo(340, 9);
    expect(latencyPerTextMs?.p95).toBeCloseTo(170, 9);
    expect({ ...usage, latencyMs: { ...usage.latencyMs, p95: 340 } }).toEqual({
      textsEmbedded: 10,
      cacheHits: 0,
      calls: 5,
      retries: 0,
      throttles: 0,
      tokens: 70,
      tokensSource: "provider",
      costUsd: (70 / 1e6) * 0.02,
      pricePerMillionTokens: 0.02,
      // Latencies 400, 100, 100, 100, 100: p95 interpolates 0.8 of the way from 100 to 400.
      latencyMs: { p50: 100, p95: 340, mean: 160 },
      latencyPerTextMs: expect.anything(),
      throughput: 10 / 0.8,
    });
    expect(latencyPerTextMs).toMatchObject({ p50: 50, mean: 80 });
    expect(total.summary()).toEqual(usage);
  });

  it("labels estimated tokens and looks up the list price by model id", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock });
    const { usage } = await embedTexts({
      provider,
      texts: ["a", "b"],
      inputType: "document",
      settings,
      clock,
    });
    expect(usage.tokensSource).toBe("estimated");
    expect(usage.pricePerMillionTokens).toBeNull();
    expect(usage.costUsd).toBeNull();
  });

  it("paces calls to requestsPerMinute and halves the pace when one batch is throttled four times running", async () => {
    let throttled = 0;
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 1, supportsParallelCalls: false },
      script: (_call, texts) => {
        if (texts[0] !== "document number 3" || throttled === 4) return undefined;
        throttled += 1;
        return { kind: "throttle" };
      },
    });
    await embedTexts({
      provider,
      texts: corpus.slice(0, 6),
      inputType: "document",
      settings: { ...settings, requestsPerMinute: 600, maxRetries: 5 },
      clock,
      random: () => 0,
    });
    // 600 a minute: one call every 100 ms. Text 3's throttles at 300, 500 and 700 ms (other texts go
    // in between) leave the pace alone. The fourth in a row, at 800 ms, halves the rate of successful
    // calls so far (5 in 800 ms: 375 a minute) to 187.5 a minute, so the next call waits 320 ms.
    expect(provider.calls.map((call) => [call.texts[0]?.slice(-1), call.behaviour, call.startedAt])).toEqual([
      ["0", "answer", 0],
      ["1", "answer", 100],
      ["2", "answer", 200],
      ["3", "throttle", 300],
      ["4", "answer", 400],
      ["3", "throttle", 500],
      ["5", "answer", 600],
      ["3", "throttle", 700],
      ["3", "throttle", 800],
      ["3", "answer", 1120],
    ]);
  });

  it("refuses impossible runtime settings with the config key to fix", async () => {
    const provider = new ScriptedEmbeddingProvider({ clock });
    const error = await captureError(
      embedTexts({
        provider,
        texts: ["a"],
        inputType: "document",
        settings: { ...settings, maxConcurrency: 0 },
        clock,
      }),
    );
    expect(EmbedEvalError.is(error) && error.code).toBe("config");
    expect((error as Error).message).toBe(
      "runtime.maxConcurrency must be a whole number of at least 1, got 0",
    );
  });
});

function cacheNamespaceOf(provider: ScriptedEmbeddingProvider) {
  return cacheNamespaceFor(provider, "document");
}
