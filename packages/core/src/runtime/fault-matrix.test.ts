import type { ProviderError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { captureError } from "../testing/runtime-test-context.js";
import {
  type ScriptedBehaviour,
  ScriptedEmbeddingProvider,
  scriptedVector,
} from "../testing/scripted-embedding-provider.js";
import { VirtualClock } from "../testing/virtual-clock.js";
import { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";
import { embedTexts } from "./embed-texts.js";
import type { RuntimeEvent } from "./runtime-event.js";
import type { RuntimeSettings } from "./runtime-settings.js";

/**
 * The outages of issue 16, on virtual time: a run of 2,150 calls (one text each, 4 at a time, 60 ms
 * each: about 32 s clean) against a provider that fails in a given window of time. Each scenario runs
 * in milliseconds of real time and gives the same timeline every time. The same faults against the
 * real AWS SDK and a local Bedrock server are in packages/cli/test/fault-matrix.test.ts.
 */
const texts = Array.from({ length: 2150 }, (_, index) => `text ${index}`);
/** The defaults a config gets (load-config's defaultRuntimeSettings). */
const settings: RuntimeSettings = {
  maxConcurrency: 4,
  timeoutSeconds: 60,
  retryBudgetSeconds: 90,
  retryAfterCapSeconds: 60,
  cancelGraceSeconds: 15,
};

async function run(
  script: (now: number) => ScriptedBehaviour | undefined,
  overrides: Partial<RuntimeSettings> = {},
  endpoint?: string,
) {
  const clock = new VirtualClock();
  const provider = new ScriptedEmbeddingProvider({
    clock,
    capabilities: { maxInputsPerCall: 1 },
    latency: () => 60,
    script: () => script(clock.now()),
  });
  const events: RuntimeEvent[] = [];
  const limiter = new AdaptiveRateLimiter({ onEvent: (event) => events.push(event) }, clock);
  const outcome = embedTexts({
    provider,
    texts,
    inputType: "document",
    settings: { ...settings, ...overrides },
    clock,
    random: mulberry32(16),
    rateLimiter: limiter,
    ...(endpoint ? { endpoint } : {}),
  });
  return { clock, provider, events, limiter, outcome };
}

describe("fault matrix (virtual time)", () => {
  it("runs clean in about 32 s", async () => {
    const { clock, outcome } = await run(() => undefined);
    const { embeddings } = await outcome;
    expect(embeddings[7]).toEqual(scriptedVector("text 7", "document", 4));
    expect(clock.now()).toBeCloseTo((2150 * 60) / 4, -2);
  });

  it.each([
    ["at the start", 0],
    ["in the middle", 10_000],
  ])("a 10 s burst of 429s %s costs at most twice the clean time, and says so", async (_, start) => {
    const clean = (2150 * 60) / 4;
    const { clock, events, limiter, outcome } = await run((now) =>
      now >= start && now < start + 10_000 ? { kind: "throttle" } : undefined,
    );
    const { usage, embeddings } = await outcome;
    expect(embeddings).toHaveLength(2150);
    expect(clock.now()).toBeLessThanOrEqual(2 * clean);
    // The burst costs about its own length, not a multiple of it (it cost 13 times the run before).
    expect(clock.now() - clean).toBeLessThanOrEqual(20_000);
    // One decrease for the one episode, and the pace came back: the run did not crawl afterwards.
    expect(limiter.snapshot().decreases).toBeLessThanOrEqual(1);
    expect(usage.throttling?.periods).toBeGreaterThanOrEqual(1);
    expect(usage.throttling?.seconds).toBeGreaterThanOrEqual(9);
    expect(events.map((event) => event.kind)).toContain("throttled");
  });

  it("survives a 30 s outage of 503s, pausing every batch rather than spending each one's retries", async () => {
    let callsDuringOutage = 0;
    const { clock, events, outcome } = await run((now) => {
      if (now < 5000 || now >= 35_000) return undefined;
      callsDuringOutage += 1;
      return { kind: "server-error", status: 503 };
    });
    const { usage, embeddings } = await outcome;
    expect(embeddings).toHaveLength(2150);
    // Four batches find the outage, then one probe at a time (every 1, 2, 4, 5, 5... s): not hundreds.
    expect(callsDuringOutage).toBeLessThanOrEqual(20);
    expect(usage.outages?.pauses).toBe(1);
    expect(usage.outages?.seconds).toBeGreaterThanOrEqual(29);
    expect(clock.now()).toBeLessThan((2150 * 60) / 4 + 30_000 + 10_000);
    expect(events.map((event) => event.kind)).toEqual(expect.arrayContaining(["paused", "resumed"]));
  });

  it("caps a Retry-After of an hour at runtime.retryAfterCapSeconds, and says so", async () => {
    let asked = false;
    const { clock, events, outcome } = await run(() => {
      if (asked) return undefined;
      asked = true;
      return { kind: "throttle", retryAfterMs: 3_600_000 };
    });
    const { warnings } = await outcome;
    expect(clock.now()).toBeLessThan(65_000);
    expect(warnings).toContain(
      "the provider asked to wait 60 min (Retry-After); waiting 60 s instead, the cap set by runtime.retryAfterCapSeconds",
    );
    expect(events).toContainEqual({ kind: "retry-after-capped", requestedSeconds: 3600, capSeconds: 60 });
  });

  it("retries every 5xx", async () => {
    let call = 0;
    const { outcome } = await run(() => {
      call += 1;
      return call <= 6
        ? { kind: "server-error", status: [500, 502, 503, 504, 507, 599][call - 1] }
        : undefined;
    });
    const { usage } = await outcome;
    expect(usage.retries).toBe(6);
  });

  it("fails an endpoint that never answers within timeoutSeconds + retryBudgetSeconds, naming it", async () => {
    const { clock, provider, outcome } = await run(
      () => ({ kind: "hang" }),
      {},
      "https://bedrock.example:8443",
    );
    const error = await captureError(outcome);
    const firstCall = provider.calls[0]?.startedAt ?? 0;
    // The documented bound: 60 s + 90 s after the first call, with the defaults.
    expect(clock.now() - firstCall).toBeLessThanOrEqual((60 + 90) * 1000);
    expect((error as ProviderError).message).toMatch(
      /^scripted scripted-model: no answer within 60 s from https:\/\/bedrock\.example:8443 \(gave up after \d+ retr(y|ies) within the 90 s retry budget\)$/,
    );
    // New batches did not take the slots meanwhile: only the first four and the probes were sent.
    expect(provider.calls.length).toBeLessThanOrEqual(12);
  });
});

/** A small seeded generator, so backoff jitter is random-looking but the same every run. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let value = Math.imul(state ^ (state >>> 15), 1 | state);
    value = (value + Math.imul(value ^ (value >>> 7), 61 | value)) ^ value;
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}
