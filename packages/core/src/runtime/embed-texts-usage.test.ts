import { EmbedEvalError } from "@embedeval/provider-contract";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  captureError,
  testCorpus as corpus,
  createRuntimeTestContext,
  removeRuntimeTestContext,
  testRuntimeSettings as settings,
} from "../testing/runtime-test-context.js";
import { ScriptedEmbeddingProvider } from "../testing/scripted-embedding-provider.js";
import type { VirtualClock } from "../testing/virtual-clock.js";
import { embedTexts } from "./embed-texts.js";
import { UsageRecorder } from "./usage-recorder.js";

describe("embedTexts: usage, pacing and settings", () => {
  let directory: string;
  let clock: VirtualClock;
  beforeEach(() => {
    ({ directory, clock } = createRuntimeTestContext());
  });
  afterEach(() => removeRuntimeTestContext({ directory }));

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
