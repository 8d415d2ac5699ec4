/**
 * Bedrock batch inference end to end below the CLI: the runtime (embedTexts, the real cache), the plugin
 * with the real BedrockClient and S3Client, a local S3 and a local Bedrock control plane that runs the
 * jobs (reading the input from the fake S3, answering each record as the fake InvokeModel server does).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmbeddingCache, embedTexts, type RuntimeEvent } from "@embedeval/core";
import { afterEach, describe, expect, it } from "vitest";
import { createBedrockProvider } from "./bedrock-plugin.js";
import {
  type BatchJobScript,
  type BedrockBatchServer,
  type BedrockServer,
  fakeEmbedding,
  fakeTokenCount,
  type S3Server,
  startBedrockBatchServer,
  startBedrockServer,
  startS3Server,
} from "./testing/index.js";

const environment = { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" };
const settings = { maxConcurrency: 4, timeoutSeconds: 10, maxRetries: 2 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Services {
  s3: S3Server;
  batch: BedrockBatchServer;
  runtime: BedrockServer;
  cache: EmbeddingCache;
}

async function services(script?: (job: number) => BatchJobScript, minimumRecords = 100): Promise<Services> {
  const s3 = await startS3Server({ buckets: ["corpus-bucket"] });
  const batch = await startBedrockBatchServer({ s3, minimumRecords, ...(script ? { script } : {}) });
  const runtime = await startBedrockServer();
  const directory = await mkdtemp(join(tmpdir(), "embedeval-bedrock-batch-"));
  const cache = await EmbeddingCache.open(directory);
  cleanups.push(async () => {
    cache.close();
    await Promise.all([s3.close(), batch.close(), runtime.close()]);
    await rm(directory, { recursive: true, force: true });
  });
  return { s3, batch, runtime, cache };
}

function provider(found: Services, model: string, options: Record<string, unknown> = {}) {
  const created = createBedrockProvider({
    model,
    options: {
      region: "us-east-1",
      endpoint: found.runtime.url,
      batchEndpoint: found.batch.url,
      s3Endpoint: found.s3.url,
      batch: true,
      roleArn: "arn:aws:iam::123456789012:role/BedrockBatch",
      batchInputS3Uri: "s3://corpus-bucket/embedeval/input",
      batchOutputS3Uri: "s3://corpus-bucket/embedeval/output/",
      batchPollSeconds: 0.005,
      ...options,
    },
    baseDirectory: ".",
    environment,
  });
  cleanups.push(() => created.close());
  return created;
}

function corpus(count: number, label = "doc"): string[] {
  return Array.from({ length: count }, (_, index) => `${label} ${index}: cells proteins gene ${index % 7}`);
}

function expected(texts: readonly string[], dimensions: number): number[][] {
  return texts.map((text) =>
    Array.from(Float32Array.from(fakeEmbedding(text, dimensions, { normalize: true }))),
  );
}

const recordTexts = (records: { modelInput: unknown }[]): string[] =>
  records.flatMap((record) => {
    const body = record.modelInput as { inputText?: string; texts?: string[] };
    return body.inputText !== undefined ? [body.inputText] : (body.texts ?? []);
  });

describe("Bedrock batch inference through the runtime", () => {
  it("embeds through one job, equal to on-demand vectors, fills the cache, prices at half, and a rerun sends nothing", async () => {
    const found = await services();
    const titan = provider(found, "amazon.titan-embed-text-v2:0", { dimensions: 256 });
    const texts = corpus(300);
    const events: RuntimeEvent[] = [];
    const progress: number[] = [];
    const result = await embedTexts({
      provider: titan,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
      onEvent: (event) => events.push(event),
      onProgress: (done) => progress.push(done),
    });

    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 256));
    expect(found.runtime.calls).toHaveLength(0);
    const [job] = found.batch.jobs;
    expect(found.batch.jobs).toHaveLength(1);
    expect(job?.status).toBe("Completed");
    expect(job?.roleArn).toBe("arn:aws:iam::123456789012:role/BedrockBatch");
    expect(job?.timeoutDurationInHours).toBe(24);
    expect(job?.inputUri).toMatch(
      /^s3:\/\/corpus-bucket\/embedeval\/input\/embedeval-\d{14}-[0-9a-f]{8}\.jsonl$/,
    );
    expect(job?.outputUri).toBe("s3://corpus-bucket/embedeval/output/");
    expect(job?.records[0]?.recordId).toBe("R0000000000");
    expect(job?.records.every((record) => /^[A-Z0-9]{11}$/.test(record.recordId))).toBe(true);
    expect(found.s3.keys("corpus-bucket", "embedeval/output/job00000000/")).toEqual([
      `embedeval/output/job00000000/${job?.jobName}.jsonl.out`,
      "embedeval/output/job00000000/manifest.json.out",
    ]);

    const statuses = events.flatMap((event) => (event.kind === "bulk-job" ? [event.status] : []));
    expect(statuses).toEqual(["Submitted", "Scheduled", "InProgress", "Completed"]);
    expect(progress.at(-1)).toBe(300);
    expect(progress).toEqual([...progress].sort((left, right) => left - right));

    const tokens = texts.reduce((sum, text) => sum + fakeTokenCount(text), 0);
    expect(result.usage).toMatchObject({ calls: 0, textsEmbedded: 300, tokens, tokensSource: "provider" });
    expect(result.usage.bulk).toEqual({
      jobs: 1,
      texts: 300,
      tokens,
      pricePerMillionTokens: 0.01,
      costUsd: (tokens / 1_000_000) * 0.01,
    });
    expect(result.usage.costUsd).toBeCloseTo((tokens / 1_000_000) * 0.01, 12);

    const again = await embedTexts({
      provider: titan,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
    });
    expect(found.batch.jobs).toHaveLength(1);
    expect(found.runtime.calls).toHaveLength(0);
    expect(again.usage).toMatchObject({ cacheHits: 300, textsEmbedded: 0 });
    expect(again.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 256));

    // Each record is the very InvokeModel body the on-demand path sends.
    const onDemand = provider(found, "amazon.titan-embed-text-v2:0", { dimensions: 256, batch: false });
    await onDemand.embed({ texts: [texts[7] as string], inputType: "document" });
    expect(job?.records[7]?.modelInput).toEqual(found.runtime.calls[0]?.body);
  });

  it("packs Cohere records of up to 96 texts, splits a large set into equal jobs, and takes an explicit batch price", async () => {
    const found = await services(undefined, 1);
    const cohere = provider(found, "cohere.embed-english-v3", {
      batchMinimumRecords: 1,
      batchMaximumRecords: 2,
      batchPricePerMillionTokens: 0.07,
    });
    const texts = corpus(250);
    const result = await embedTexts({
      provider: cohere,
      texts,
      inputType: "query",
      settings,
      cache: found.cache,
    });

    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 1024));
    // 250 texts, at most 2 records of 96 a job: 2 jobs of 125 texts (96 + 29).
    expect(found.batch.jobs.map((job) => job.records.map((record) => recordTexts([record]).length))).toEqual([
      [96, 29],
      [96, 29],
    ]);
    expect(found.batch.jobs.flatMap((job) => recordTexts(job.records)).sort()).toEqual([...texts].sort());
    const inputTypes = found.batch.jobs.flatMap((job) =>
      job.records.map((record) => (record.modelInput as { input_type: string }).input_type),
    );
    expect(new Set(inputTypes)).toEqual(new Set(["search_query"]));
    expect(result.usage.bulk).toMatchObject({ jobs: 2, texts: 250, pricePerMillionTokens: 0.07 });
  });

  it("below the minimum records per job, or at or under batchAboveTexts, texts go through ordinary calls", async () => {
    const found = await services();
    const titan = provider(found, "amazon.titan-embed-text-v2:0", { batch: undefined, batchAboveTexts: 150 });
    const texts = corpus(150);
    const result = await embedTexts({
      provider: titan,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
    });
    expect(found.batch.jobs).toHaveLength(0);
    expect(found.runtime.calls).toHaveLength(150);
    expect(result.usage.bulk).toBeUndefined();

    const few = provider(found, "amazon.titan-embed-text-v2:0", { dimensions: 512 });
    await embedTexts({ provider: few, texts: corpus(99), inputType: "document", settings });
    expect(found.batch.jobs).toHaveLength(0);
  });
});

describe("Bedrock batch jobs that do not fully succeed", () => {
  const failing = (text: string): boolean => / (3|17|42|99|150): /.test(text);

  it("records that fail are named, the rest cached; a rerun sends a job of the failed records alone", async () => {
    const found = await services((job) => (job === 0 ? { failText: failing } : {}), 1);
    const titan = provider(found, "amazon.titan-embed-text-v2:0", { batchMinimumRecords: 1 });
    const texts = corpus(200);

    const first = embedTexts({ provider: titan, texts, inputType: "document", settings, cache: found.cache });
    await expect(first).rejects.toMatchObject({
      code: "provider",
      providerCode: "RecordsFailed",
      message: expect.stringMatching(
        /5 of 200 texts failed in job\(s\) arn:aws:bedrock:.*job00000000.*rejects this record/,
      ),
      hint: expect.stringContaining("The other 195 vectors are cached"),
    });

    const rerun = await embedTexts({
      provider: titan,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
    });
    expect(found.batch.jobs).toHaveLength(2);
    expect(recordTexts(found.batch.jobs[1]?.records ?? []).sort()).toEqual(texts.filter(failing).sort());
    expect(rerun.usage).toMatchObject({ cacheHits: 195, textsEmbedded: 5 });
    expect(rerun.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 1024));
    expect(found.runtime.calls).toHaveLength(0);
  });

  it("with batchRetryFailedRecords, a follow-up job in the same run; too few for a job, a rerun uses ordinary calls", async () => {
    const found = await services((job) => (job === 0 ? { failText: failing } : {}), 1);
    const retrying = provider(found, "amazon.titan-embed-text-v2:0", {
      batchMinimumRecords: 1,
      batchRetryFailedRecords: 1,
    });
    const texts = corpus(200);
    const result = await embedTexts({
      provider: retrying,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
    });
    expect(found.batch.jobs.map((job) => job.records.length)).toEqual([200, 5]);
    expect(result.usage.bulk).toMatchObject({ jobs: 2, texts: 200 });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 1024));

    // Against a minimum of 100 records, the 5 failed texts of a new corpus go out as InvokeModel calls.
    const strict = await services((job) => (job === 0 ? { failText: failing } : {}));
    const titan = provider(strict, "amazon.titan-embed-text-v2:0");
    const run = () =>
      embedTexts({ provider: titan, texts, inputType: "document", settings, cache: strict.cache });
    await expect(run()).rejects.toMatchObject({ providerCode: "RecordsFailed" });
    await run();
    expect(strict.batch.jobs).toHaveLength(1);
    expect(strict.runtime.calls.flatMap((call) => call.texts).sort()).toEqual(texts.filter(failing).sort());
  });

  it("a PartiallyCompleted job: records without output count as failed and go into the follow-up job", async () => {
    const found = await services((job) => (job === 0 ? { unprocessedRecords: 7 } : {}), 1);
    const titan = provider(found, "amazon.titan-embed-text-v2:0", {
      batchMinimumRecords: 1,
      batchRetryFailedRecords: 1,
    });
    const texts = corpus(120);
    const result = await embedTexts({
      provider: titan,
      texts,
      inputType: "document",
      settings,
      cache: found.cache,
    });
    expect(found.batch.jobs.map((job) => job.status)).toEqual(["PartiallyCompleted", "Completed"]);
    expect(recordTexts(found.batch.jobs[1]?.records ?? [])).toEqual(texts.slice(113));
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 1024));
  });

  it("an expired job fails the run with what to do, caches nothing, and is not retried", async () => {
    const found = await services(() => ({ expire: true }));
    const titan = provider(found, "amazon.titan-embed-text-v2:0", { batchRetryFailedRecords: 3 });
    const texts = corpus(150);
    await expect(
      embedTexts({ provider: titan, texts, inputType: "document", settings, cache: found.cache }),
    ).rejects.toMatchObject({
      code: "provider",
      retryable: false,
      providerCode: "JobExpired",
      message: expect.stringMatching(
        /bedrock batch job arn:aws:bedrock:us-east-1:123456789012:model-invocation-job\/job00000000 ended Expired/,
      ),
      hint: expect.stringContaining("batchTimeoutHours"),
    });
    expect(found.batch.jobs).toHaveLength(1);
    expect(found.runtime.calls).toHaveLength(0);
    expect(found.cache.stats().entries).toBe(0);
  });

  it("polls through a passing outage of the control plane; a lasting one stops the job and fails", async () => {
    const found = await services((job) => ({ unavailablePolls: job === 0 ? 4 : 100 }));
    const titan = provider(found, "amazon.titan-embed-text-v2:0");
    const texts = corpus(100);
    const result = await embedTexts({ provider: titan, texts, inputType: "document", settings });
    expect(found.batch.jobs[0]?.status).toBe("Completed");
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(expected(texts, 1024));

    await expect(
      embedTexts({ provider: titan, texts, inputType: "document", settings }),
    ).rejects.toMatchObject({
      code: "provider",
      providerCode: "ServiceUnavailableException",
    });
    expect(found.batch.jobs[1]?.stopped).toBe(true);
  });

  it("a failed job says why; Ctrl-C while a job runs stops it", async () => {
    const found = await services(() => ({
      fail: "The role cannot read s3://corpus-bucket/embedeval/input/",
    }));
    const titan = provider(found, "amazon.titan-embed-text-v2:0");
    await expect(
      embedTexts({ provider: titan, texts: corpus(100), inputType: "document", settings }),
    ).rejects.toMatchObject({
      providerCode: "JobFailed",
      message: expect.stringContaining("The role cannot read"),
    });

    const slow = await services();
    const waiting = provider(slow, "amazon.titan-embed-text-v2:0", { batchPollSeconds: 0.2 });
    const controller = new AbortController();
    const run = embedTexts({
      provider: waiting,
      texts: corpus(100),
      inputType: "document",
      settings,
      signal: controller.signal,
      onEvent: (event) => {
        if (event.kind === "bulk-job") controller.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: "cancelled" });
    expect(slow.batch.jobs[0]?.stopped).toBe(true);
  });
});

describe("batch options", () => {
  it("a missing role, a malformed S3 URI or an unknown option is a config error naming the key", async () => {
    const found = await services();
    expect(() => provider(found, "amazon.titan-embed-text-v2:0", { roleArn: undefined })).toThrow(
      expect.objectContaining({ code: "config", key: "options.roleArn" }),
    );
    expect(() =>
      provider(found, "amazon.titan-embed-text-v2:0", { batchInputS3Uri: "corpus-bucket/in" }),
    ).toThrow(expect.objectContaining({ key: "options.batchInputS3Uri" }));
    expect(() => provider(found, "amazon.titan-embed-text-v2:0", { batchTimeoutHour: 48 })).toThrow(
      expect.objectContaining({ hint: expect.stringContaining("Did you mean `batchTimeoutHours`?") }),
    );
    expect(provider(found, "amazon.titan-embed-text-v2:0", { batch: false }).bulk).toBeUndefined();
  });
});
