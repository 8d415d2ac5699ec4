import { describe, expect, it } from "vitest";
import { UsageRecorder } from "./usage-recorder.js";

describe("UsageRecorder with asynchronous jobs", () => {
  it("prices calls at the model's price and jobs at theirs, and merges both", () => {
    const task = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    const documents = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    documents.recordBulkJob({
      texts: 300,
      tokens: 600_000,
      tokensSource: "provider",
      pricePerMillionTokens: 0.01,
    });
    documents.recordBulkJob({
      texts: 100,
      tokens: 400_000,
      tokensSource: "provider",
      pricePerMillionTokens: 0.01,
    });
    const queries = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    queries.recordCall({ texts: 50, milliseconds: 20, tokens: 500_000, tokensSource: "provider" });
    task.merge(documents);
    task.merge(queries);

    const summary = task.summary();
    expect(summary).toMatchObject({
      calls: 1,
      textsEmbedded: 450,
      tokens: 1_500_000,
      tokensSource: "provider",
    });
    expect(summary.bulk).toEqual({
      jobs: 2,
      texts: 400,
      tokens: 1_000_000,
      pricePerMillionTokens: 0.01,
      costUsd: 0.01,
    });
    expect(summary.costUsd).toBeCloseTo(0.01 + 0.5 * 0.02, 12);
    // Jobs are not calls: the latency is the one call's.
    expect(summary.latencyMs?.p50).toBe(20);
  });

  it("a job without a known price leaves the cost unknown; without jobs the summary has no bulk block", () => {
    const unknown = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    unknown.recordBulkJob({ texts: 10, tokens: 100, tokensSource: "estimated", pricePerMillionTokens: null });
    expect(unknown.summary()).toMatchObject({ costUsd: null, tokensSource: "estimated" });

    const plain = new UsageRecorder({ pricePerMillionTokens: 0.02 });
    plain.recordCall({ texts: 1, milliseconds: 5, tokens: 1_000_000, tokensSource: "provider" });
    expect(plain.summary().bulk).toBeUndefined();
    expect(plain.summary().costUsd).toBeCloseTo(0.02, 12);
  });
});
