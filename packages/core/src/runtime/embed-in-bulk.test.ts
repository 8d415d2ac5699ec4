import type { BulkEmbedding, BulkEmbedRequest, BulkEmbedResponse } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { ScriptedEmbeddingProvider, scriptedVector } from "../testing/scripted-embedding-provider.js";
import { embedTexts } from "./embed-texts.js";

/**
 * The runtime's use of the optional bulk capability, with a provider whose jobs answer at once. The
 * Bedrock plugin's tests run the same path against local S3 and Bedrock control-plane servers.
 */
class InstantJobs implements BulkEmbedding {
  readonly maxConcurrentJobs = 2;
  readonly jobs: string[][] = [];
  constructor(
    readonly maxTextsPerJob: number,
    readonly failedRecordRetries: number,
    private readonly answer: (text: string, job: number) => Float32Array | undefined,
  ) {}
  accepts(count: number): boolean {
    return count >= 10;
  }
  pricePerMillionTokens(onDemand: number | null): number | null {
    return onDemand === null ? null : onDemand / 2;
  }
  async embed(request: BulkEmbedRequest): Promise<BulkEmbedResponse> {
    const job = this.jobs.push([...request.texts]) - 1;
    request.onProgress?.({
      job: `job-${job}`,
      status: "InProgress",
      texts: request.texts.length,
      succeeded: 0,
      failed: 0,
    });
    const embeddings = request.texts.map((text) => this.answer(text, job));
    return {
      job: `job-${job}`,
      embeddings,
      failures: embeddings.flatMap((vector, index) => (vector ? [] : [{ index, message: "rejected" }])),
      usage: { tokens: request.texts.length * 3, source: "provider" },
    };
  }
}

function withJobs(jobs: InstantJobs): ScriptedEmbeddingProvider {
  return Object.assign(new ScriptedEmbeddingProvider({ dimensions: 4, tokensPerText: 3 }), { bulk: jobs });
}

const settings = { maxConcurrency: 2, timeoutSeconds: 5 };
const texts = Array.from({ length: 25 }, (_, index) => `text ${index % 23}`);

describe("embedTexts with a provider that embeds in jobs", () => {
  it("sends the distinct texts through jobs of equal size, in input order, and no calls", async () => {
    const jobs = new InstantJobs(10, 0, (text) => scriptedVector(text, "document", 4));
    const provider = withJobs(jobs);
    const result = await embedTexts({
      provider,
      texts,
      inputType: "document",
      settings,
      pricePerMillionTokens: 1,
    });
    expect(jobs.jobs.map((job) => job.length)).toEqual([7, 8, 8]);
    expect(provider.calls).toHaveLength(0);
    expect(result.embeddings).toEqual(texts.map((text) => scriptedVector(text, "document", 4)));
    expect(result.usage.bulk).toEqual({
      jobs: 3,
      texts: 23,
      tokens: 69,
      pricePerMillionTokens: 0.5,
      costUsd: 69 / 2e6,
    });
  });

  it("fewer texts than the provider accepts go through calls", async () => {
    const jobs = new InstantJobs(10, 0, (text) => scriptedVector(text, "document", 4));
    const provider = withJobs(jobs);
    await embedTexts({ provider, texts: texts.slice(0, 9), inputType: "document", settings });
    expect(jobs.jobs).toHaveLength(0);
    expect(provider.sentTexts()).toHaveLength(9);
  });

  it("retries failed records in follow-up jobs while allowed, then names what still failed", async () => {
    const failing = new Set([
      "text 1",
      "text 2",
      "text 3",
      "text 4",
      "text 5",
      "text 6",
      "text 7",
      "text 8",
      "text 9",
      "text 10",
      "text 11",
    ]);
    const flaky = new InstantJobs(100, 1, (text, job) =>
      job === 0 && failing.has(text) ? undefined : scriptedVector(text, "query", 4),
    );
    const recovered = await embedTexts({ provider: withJobs(flaky), texts, inputType: "query", settings });
    expect(flaky.jobs.map((job) => job.length)).toEqual([23, 11]);
    expect(recovered.embeddings).toEqual(texts.map((text) => scriptedVector(text, "query", 4)));

    const stubborn = new InstantJobs(100, 1, (text) =>
      failing.has(text) ? undefined : scriptedVector(text, "query", 4),
    );
    await expect(
      embedTexts({ provider: withJobs(stubborn), texts, inputType: "query", settings }),
    ).rejects.toMatchObject({
      code: "provider",
      providerCode: "RecordsFailed",
      message: expect.stringContaining(
        "11 of 23 texts failed in job(s) job-0, job-1 (after 1 follow-up job(s)): rejected",
      ),
    });
  });

  it("a job answering vectors of another dimension fails the run, not retried", async () => {
    const wrong = new InstantJobs(100, 3, (text) => scriptedVector(text, "query", 5));
    await expect(
      embedTexts({ provider: withJobs(wrong), texts, inputType: "query", settings }),
    ).rejects.toMatchObject({
      code: "provider",
      retryable: false,
      message: expect.stringContaining("has 5 dimensions, expected 4"),
    });
    expect(wrong.jobs).toHaveLength(1);
  });
});
