import { CancelledError, ProviderError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  captureError,
  testCorpus as corpus,
  createRuntimeTestContext,
  removeRuntimeTestContext,
  testRuntimeSettings as settings,
} from "../testing/runtime-test-context.js";
import {
  type ScriptedBehaviour,
  ScriptedEmbeddingProvider,
  scriptedVector,
} from "../testing/scripted-embedding-provider.js";
import type { VirtualClock } from "../testing/virtual-clock.js";
import { cacheNamespaceFor } from "./cache/cache-namespace.js";
import { EmbeddingCache } from "./cache/embedding-cache.js";
import { embedTexts } from "./embed-texts.js";

describe("embedTexts: retries, failures and cancellation", () => {
  let directory: string;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ directory, clock } = createRuntimeTestContext());
  });
  afterEach(() => removeRuntimeTestContext({ directory }));

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

  it("on abort starts no call, lets the calls in flight answer into the cache, and the rerun never sends a text twice", async () => {
    const controller = new AbortController();
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 2 },
      latency: () => 100,
    });
    const events: string[] = [];
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
        onEvent: (event) => events.push(event.kind),
        onProgress: (done) => {
          if (done >= 10) controller.abort();
        },
      }),
    );
    cache.close();
    expect(error).toBeInstanceOf(CancelledError);
    // Calls of two texts, four at a time: the abort lands after call 5 answered; calls 6-8 were in
    // flight, already paid for: they answer within the grace period and are cached too.
    expect((error as CancelledError).message).toBe(
      "Cancelled: 16 of 40 texts embedded and cached; rerun to resume.",
    );
    expect(events).toEqual(["draining"]);
    expect(provider.calls).toHaveLength(8);

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
    expect(usage.cacheHits).toBe(16);
    expect(embeddings).toEqual(corpus.map((text) => scriptedVector(text, "document", 4)));
    // Not one text paid for twice.
    expect(resumed.sentTexts().filter((text) => provider.sentTexts().includes(text))).toEqual([]);
    expect(resumed.sentTexts()).toHaveLength(24);
  });

  it("abandons calls still in flight when the grace period ends, and says how many", async () => {
    const controller = new AbortController();
    const provider = new ScriptedEmbeddingProvider({
      clock,
      capabilities: { maxInputsPerCall: 1 },
      script: (call) => (call === 1 ? { kind: "hang" } : undefined),
      latency: () => 100,
    });
    const error = await captureError(
      embedTexts({
        provider,
        texts: ["a", "b", "c", "d", "e", "f"],
        inputType: "document",
        settings: { ...settings, cancelGraceSeconds: 5, timeoutSeconds: 600 },
        clock,
        signal: controller.signal,
        onProgress: (done) => {
          if (done === 3) controller.abort();
        },
      }),
    );
    expect((error as CancelledError).message).toBe(
      "Cancelled: 5 of 6 texts embedded; nothing was cached (--no-cache). 1 call still in flight after the 5 s grace was abandoned.",
    );
    // "e" and "f" were sent as "a" and "c" answered, before the abort at the third answer: they finish.
    expect(provider.calls.map((call) => call.texts[0])).toEqual(["a", "b", "c", "d", "e", "f"]);
    expect(clock.now()).toBeLessThan(6000);
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
});

function cacheNamespaceOf(provider: ScriptedEmbeddingProvider) {
  return cacheNamespaceFor(provider, "document");
}
