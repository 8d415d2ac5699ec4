import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type BedrockBatchServer,
  type BedrockServer,
  type S3Server,
  startBedrockBatchServer,
  startBedrockServer,
  startS3Server,
} from "@embedeval/provider-bedrock/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured, testAwsEnvironment } from "./cli-harness.js";

// `embedeval run` with Bedrock batch inference, end to end: config -> plugin -> the real BedrockClient and
// S3Client -> a local control plane that runs the job from a local S3 -> cache -> search -> result files,
// scored against the same model run on demand (InvokeModel) on the quickstart BEIR dataset (317 documents,
// 76 queries: the documents go through one job, the queries, under the 100-record minimum, on demand).
const resultFile = (folder: string) => join(folder, "titan-v2/no_revision_available/quickstart.json");

describe("embedeval run with Bedrock batch inference", () => {
  let workspace: string;
  let s3: S3Server;
  let batch: BedrockBatchServer;
  let runtime: BedrockServer;

  const config = (name: string, options: string[]) =>
    writeFile(
      join(workspace, name),
      [
        "models:",
        "  - id: titan-v2",
        "    provider: bedrock",
        "    model: amazon.titan-embed-text-v2:0",
        "    options:",
        "      dimensions: 512",
        `      endpoint: "${runtime.url}"`,
        ...options.map((line) => `      ${line}`),
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        `cache: { directory: ./cache-${name} }`,
        `output: { directory: ./results-${name} }`,
        "",
      ].join("\n"),
    );

  beforeAll(async () => {
    workspace = await quickstartWorkspace("bedrock-batch");
    s3 = await startS3Server({ buckets: ["eval-bucket"] });
    batch = await startBedrockBatchServer({ s3, minimumRecords: 100 });
    runtime = await startBedrockServer();
    await config("batch.yml", [
      "batch: true",
      `batchEndpoint: "${batch.url}"`,
      `s3Endpoint: "${s3.url}"`,
      "roleArn: arn:aws:iam::123456789012:role/BedrockBatch",
      "batchInputS3Uri: s3://eval-bucket/jobs/",
      "batchPollSeconds: 0.01",
    ]);
    await config("on-demand.yml", []);
  });

  afterAll(async () => {
    await Promise.all([s3?.close(), batch?.close(), runtime?.close()]);
    await rm(workspace, { recursive: true, force: true });
  });

  // Before any run: nothing cached, so the dry run prices what the run below will send.
  it("the dry run prices the documents that go through a job at the batch price, the queries on demand", async () => {
    const dryRun = async (file: string) => {
      const run = await runCliCaptured(
        ["run", "--dry-run", "--json", "--config", file],
        workspace,
        testAwsEnvironment,
      );
      expect(run.code).toBe(0);
      return JSON.parse(run.stdout)[0];
    };
    const viaBatch = await dryRun("batch.yml");
    const viaCalls = await dryRun("on-demand.yml");
    expect(batch.jobs).toHaveLength(0);
    expect(runtime.calls).toHaveLength(0);
    // The 317 documents make one job (at least 100 records); the 76 queries do not.
    expect(viaBatch).toMatchObject({ texts: 317 + 76, cached: 0, batchTexts: 317 });
    expect(viaCalls).toMatchObject({ texts: 317 + 76, cached: 0, batchTexts: 0, batchTokens: 0 });
    expect(viaBatch.estimatedTokens).toBe(viaCalls.estimatedTokens);
    expect(viaBatch.batchTokens).toBeGreaterThan(0);
    // Titan Text Embeddings V2: $0.02 per million tokens on demand, half that in batch jobs.
    const queryTokens = viaBatch.estimatedTokens - viaBatch.batchTokens;
    expect(viaBatch.estimatedCostUsd).toBeCloseTo(
      (queryTokens * 0.02 + viaBatch.batchTokens * 0.01) / 1e6,
      12,
    );
    expect(viaCalls.estimatedCostUsd).toBeCloseTo((viaCalls.estimatedTokens * 0.02) / 1e6, 12);

    const table = await runCliCaptured(
      ["run", "--dry-run", "--config", "batch.yml"],
      workspace,
      testAwsEnvironment,
    );
    expect(table.stdout).toContain(
      "batch inference: 317 of the texts to embed go through jobs, at the batch price",
    );
  });

  it("scores equal the on-demand run, the documents cost the batch price, and a rerun embeds nothing", async () => {
    const batched = await runCliCaptured(["run", "--config", "batch.yml"], workspace, testAwsEnvironment);
    expect(batched.stderr).not.toMatch(/^error/m);
    expect(batched.code).toBe(0);
    expect(batch.jobs).toHaveLength(1);
    expect(batch.jobs[0]?.records).toHaveLength(317);
    expect(batched.stderr + batched.stdout).toMatch(
      /job arn:aws:bedrock:[^ ]+job00000000: Completed, 317 of 317/,
    );
    // The 76 queries are fewer than a job's 100-record minimum: ordinary InvokeModel calls.
    expect(runtime.calls).toHaveLength(76);

    const onDemand = await runCliCaptured(
      ["run", "--config", "on-demand.yml"],
      workspace,
      testAwsEnvironment,
    );
    expect(onDemand.code).toBe(0);
    expect(runtime.calls).toHaveLength(76 + 317 + 76);

    const viaBatch = JSON.parse(await readFile(resultFile(join(workspace, "results-batch.yml")), "utf8"));
    const viaCalls = JSON.parse(await readFile(resultFile(join(workspace, "results-on-demand.yml")), "utf8"));
    expect(viaBatch.scores).toEqual(viaCalls.scores);
    expect(viaBatch.embedeval.per_query).toEqual(viaCalls.embedeval.per_query);
    expect(viaBatch.scores.test[0].ndcg_at_10).toBeGreaterThan(0);

    // Same tokens; the documents' share at half the price.
    const batchUsage = viaBatch.embedeval.usage;
    const callUsage = viaCalls.embedeval.usage;
    expect(batchUsage.tokens).toBe(callUsage.tokens);
    expect(batchUsage.bulk).toMatchObject({ jobs: 1, texts: 317, pricePerMillionTokens: 0.01 });
    const queryTokens = batchUsage.tokens - batchUsage.bulk.tokens;
    expect(batchUsage.costUsd).toBeCloseTo((queryTokens * 0.02 + batchUsage.bulk.tokens * 0.01) / 1e6, 12);
    expect(batchUsage.costUsd).toBeLessThan(callUsage.costUsd);

    const rerun = await runCliCaptured(["run", "--config", "batch.yml"], workspace, testAwsEnvironment);
    expect(rerun.code).toBe(0);
    expect(batch.jobs).toHaveLength(1);
    expect(runtime.calls).toHaveLength(76 + 317 + 76);
    expect(rerun.stdout).toMatch(/cache: [\d,]+ hits, 0 misses/);
  });
});
