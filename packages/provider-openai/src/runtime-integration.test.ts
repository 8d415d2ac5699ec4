/**
 * The runtime (packages/core/src/runtime), the real plugin with Node's fetch, and the local OpenAI
 * server injecting faults: the reliability bar end to end. Nothing is mocked. "Paid" means what the
 * server's ledger billed: tokens of the 200 answers it delivered in full.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddingCache, embedTexts } from "@embedeval/core";
import type { ProviderSettings } from "@embedeval/provider-contract";
import { type Fault, fakeEmbedding, fakeTokenCount } from "@embedeval/provider-testkit";
import { afterEach, describe, expect, it } from "vitest";
import { createOpenAIProvider } from "./openai-plugin.js";
import { type OpenAIServer, type OpenAIServerOptions, startOpenAIServer } from "./testing/index.js";

const fastBackoff = { baseDelayMilliseconds: 5, maxDelayMilliseconds: 20 };
const apiKey = "sk-test-runtimeIntegrationKey0123456789";

function corpus(count: number, label: string): string[] {
  return Array.from(
    { length: count },
    (_, index) => `${label} ${index}: cells proteins gene ${index % 7} sleep ${index % 5} heart ${index % 3}`,
  );
}

function float32(values: readonly number[]): number[] {
  return Array.from(Float32Array.from(values));
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function server(options: OpenAIServerOptions = {}): Promise<OpenAIServer> {
  const started = await startOpenAIServer({ apiKey, azureApiKey: apiKey, ...options });
  cleanups.push(() => started.close());
  return started;
}

function settings(url: string, options: Record<string, unknown> = {}): ProviderSettings {
  return {
    model: "text-embedding-3-small",
    options: { baseURL: `${url}/v1`, apiKeyVariable: "KEY", ...options },
    baseDirectory: ".",
    environment: { KEY: apiKey },
  };
}

/** Every text was answered in exactly one delivered 200, and the runtime counted what the server billed. */
function expectPaidOnce(openai: OpenAIServer, texts: readonly string[], tokens: number): void {
  const paid = openai.calls.filter((call) => call.billedTokens !== undefined).flatMap((call) => call.texts);
  expect(paid.length, "no text paid twice").toBe(new Set(paid).size);
  expect([...paid].sort()).toEqual([...texts].sort());
  expect(tokens).toBe(openai.billedTokens());
  expect(tokens).toBe(texts.reduce((sum, text) => sum + fakeTokenCount(text), 0));
}

// Local calls on a busy 2-core machine; the bound is only a hang guard.
const hangGuardMilliseconds = 60_000;

describe("runtime + OpenAI plugin + faulty server", () => {
  it(
    "429 bursts, 5xx, resets, malformed bodies and timeouts are retried: complete, in order, no text paid twice",
    async () => {
      const faults: Fault[] = [
        // A burst: three calls in a row are throttled, each answer asking for a 20 ms wait.
        { kind: "throttle" },
        { kind: "throttle" },
        { kind: "throttle" },
        { kind: "internal-server" },
        { kind: "connection-reset" },
        { kind: "malformed-json" },
        { kind: "service-unavailable" },
        { kind: "model-not-ready" },
        { kind: "model-timeout" },
        // Longer than runtime.timeoutSeconds: the runtime's own timeout aborts the call.
        { kind: "delay", milliseconds: 10_000 },
      ];
      const openai = await server({ faults });
      const provider = createOpenAIProvider(settings(openai.url, { dimensions: 64 }));
      const texts = corpus(600, "doc");
      const result = await embedTexts({
        provider,
        texts,
        inputType: "document",
        // 50 texts a call, so there are enough calls for every fault; 2 s only times out the delay.
        settings: { maxConcurrency: 3, timeoutSeconds: 2, maxRetries: 5, batchSize: 50 },
        backoff: fastBackoff,
      });

      expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
        texts.map((text) => float32(fakeEmbedding(text, 64, { normalize: true }))),
      );
      const failed = openai.calls.filter((call) => call.fault !== undefined);
      expect(failed.map((call) => call.fault).sort()).toEqual(faults.map((fault) => fault.kind).sort());
      expect(result.usage.retries).toBe(faults.length);
      expect(result.usage.tokensSource).toBe("provider");
      expectPaidOnce(openai, texts, result.usage.tokens);
    },
    hangGuardMilliseconds,
  );

  it(
    "waits at least as long as a 429's Retry-After asks before the retry",
    async () => {
      // The runtime's own backoff is at most 20 ms here: only the header can make it wait 400 ms.
      const openai = await server({
        faults: [{ kind: "throttle" }],
        retryAfterMs: 400,
        retryAfterHeaders: ["retry-after-ms"],
      });
      const provider = createOpenAIProvider(settings(openai.url));
      const texts = corpus(3, "query");
      const result = await embedTexts({
        provider,
        texts,
        inputType: "query",
        settings: { maxConcurrency: 1, timeoutSeconds: 10, maxRetries: 2 },
        backoff: fastBackoff,
      });
      const [throttled, retried] = openai.calls;
      expect(throttled?.fault).toBe("throttle");
      expect(retried?.status).toBe(200);
      // A lower bound the runtime promises (the server's wait is a floor), not a speed measurement.
      expect((retried?.receivedAt ?? 0) - (throttled?.receivedAt ?? 0)).toBeGreaterThanOrEqual(390);
      expect(result.usage.throttles + result.usage.retries).toBeGreaterThanOrEqual(1);
      expectPaidOnce(openai, texts, result.usage.tokens);
    },
    hangGuardMilliseconds,
  );

  it(
    "batches under the server's input and token limits per request, so no call is refused for size",
    async () => {
      // A small server: 40 inputs and 1,500 tokens (words) per request.
      const openai = await server({ maxInputsPerRequest: 40, maxTokensPerRequest: 1500 });
      const provider = createOpenAIProvider(
        settings(openai.url, { maxInputsPerRequest: 40, maxTokensPerRequest: 1500 }),
      );
      const texts = Array.from({ length: 300 }, (_, index) =>
        Array.from({ length: 5 + (index % 60) }, (__, word) => `w${index}x${word}`).join(" "),
      );
      const result = await embedTexts({
        provider,
        texts,
        inputType: "document",
        settings: { maxConcurrency: 2, timeoutSeconds: 10, maxRetries: 0 },
      });
      expect(openai.calls.every((call) => call.status === 200)).toBe(true);
      expect(Math.max(...openai.calls.map((call) => call.texts.length))).toBeLessThanOrEqual(40);
      expect(Math.max(...openai.calls.map((call) => call.billedTokens ?? 0))).toBeLessThanOrEqual(1500);
      expect(result.embeddings).toHaveLength(texts.length);
      expectPaidOnce(openai, texts, result.usage.tokens);
    },
    hangGuardMilliseconds,
  );

  it(
    "through Azure's URL and api-key header, with faults, then a rerun from the cache calls nothing",
    async () => {
      const directory = await mkdtemp(join(tmpdir(), "embedeval-openai-"));
      cleanups.push(() => rm(directory, { recursive: true, force: true }));
      const openai = await server({
        faults: [{ kind: "throttle" }, { kind: "connection-reset" }, { kind: "internal-server" }],
      });
      const azure: ProviderSettings = {
        model: "text-embedding-3-small",
        options: { api: "azure", endpoint: openai.url, dimensions: 128 },
        baseDirectory: ".",
        environment: { AZURE_OPENAI_API_KEY: apiKey },
      };
      const texts = corpus(120, "abstract");
      const run = async () => {
        const cache = await EmbeddingCache.open(directory);
        try {
          return await embedTexts({
            provider: createOpenAIProvider(azure),
            texts,
            inputType: "document",
            settings: { maxConcurrency: 2, timeoutSeconds: 10, maxRetries: 4, batchSize: 16 },
            cache,
            backoff: fastBackoff,
          });
        } finally {
          cache.close();
        }
      };
      const first = await run();
      expect(openai.calls.every((call) => call.route === "azure")).toBe(true);
      expectPaidOnce(openai, texts, first.usage.tokens);
      const callsBefore = openai.calls.length;
      const second = await run();
      expect(openai.calls.length, "the rerun calls nothing").toBe(callsBefore);
      expect(second.usage.cacheHits).toBe(texts.length);
      expect(second.usage.tokens).toBe(0);
      expect(second.embeddings.map((vector) => Array.from(vector))).toEqual(
        texts.map((text) => float32(fakeEmbedding(text, 128, { normalize: true }))),
      );
    },
    hangGuardMilliseconds,
  );
});
