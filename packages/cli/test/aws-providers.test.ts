import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type BedrockServer, startBedrockServer } from "@embedeval/provider-bedrock/testing";
import { type SagemakerServer, startSagemakerServer } from "@embedeval/provider-sagemaker/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured, testAwsEnvironment } from "./cli-harness.js";

// `embedeval run` with AWS providers, end to end: config -> plugin -> real AWS SDK client -> a local
// server speaking the service's wire protocol (with faults) -> cache -> search -> results.
const quickstartData = resolve(import.meta.dirname, "../../../examples/quickstart/data");
const secretKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY";

describe("embedeval run with Bedrock and SageMaker", () => {
  let workspace: string;
  let bedrock: BedrockServer;
  let sagemaker: SagemakerServer;
  let environment: Record<string, string>;

  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-aws-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    bedrock = await startBedrockServer();
    sagemaker = await startSagemakerServer({
      endpoints: { "bge-small": { format: "tei", dimensions: 384 } },
    });
    environment = {
      AWS_ACCESS_KEY_ID: "AKIAEXAMPLEEXAMPLE",
      AWS_SECRET_ACCESS_KEY: secretKey,
      AWS_REGION: "us-east-1",
    };
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: titan-v2-256",
        "    provider: bedrock",
        "    model: amazon.titan-embed-text-v2:0",
        `    options: { dimensions: 256, endpoint: "${bedrock.url}" }`,
        "    runtime: { maxConcurrency: 4, maxRetries: 8 }",
        "  - id: cohere-v3",
        "    provider: bedrock",
        "    model: cohere.embed-english-v3",
        `    options: { endpoint: "${bedrock.url}" }`,
        "  - id: bge-small",
        "    provider: sagemaker",
        "    model: bge-small",
        `    options: { format: tei, endpoint: "${sagemaker.url}" }`,
        "    runtime: { batchSize: 32 }",
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "",
      ].join("\n"),
    );
  });

  afterAll(async () => {
    await bedrock?.close();
    await sagemaker?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("evaluates every model through the real SDK clients, survives faults, and pays for nothing twice", async () => {
    // Throttling, a 503 and a connection reset on the way: retried by the runtime, nothing lost.
    bedrock.queueFaults({ kind: "throttle" }, { kind: "service-unavailable" }, { kind: "throttle" });
    sagemaker.queueFaults({ kind: "throttle" });

    const first = await runCliCaptured(["run"], workspace, environment);
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/titan-v2-256\s+quickstart/);
    expect(first.stdout).toMatch(/cohere-v3\s+quickstart/);
    expect(first.stdout).toMatch(/bge-small\s+quickstart/);

    const titan = JSON.parse(
      await readFile(
        join(workspace, "embedeval-results/titan-v2-256/no_revision_available/quickstart.json"),
        "utf8",
      ),
    );
    expect(titan.embedeval.model.options).toMatchObject({ dimensions: 256 });
    expect(titan.embedeval.usage.tokensSource).toBe("provider");
    expect(titan.embedeval.usage.tokens).toBeGreaterThan(0);
    expect(titan.embedeval.usage.costUsd).toBeGreaterThan(0);
    expect(titan.embedeval.usage.retries).toBeGreaterThanOrEqual(1);
    // Titan takes one text per call: 317 documents + 76 queries, each sent once (plus retried calls).
    const titanTexts = bedrock.calls
      .filter((call) => call.modelId === "amazon.titan-embed-text-v2:0" && call.status === 200)
      .flatMap((call) => call.texts);
    expect(titanTexts).toHaveLength(317 + 76);
    expect(new Set(titanTexts).size).toBe(titanTexts.length);

    // Cohere got input_type from the contract's inputType, 96 texts at most per call.
    const cohereCalls = bedrock.calls.filter((call) => call.modelId === "cohere.embed-english-v3");
    expect(cohereCalls.every((call) => call.texts.length <= 96)).toBe(true);
    expect(new Set(cohereCalls.map((call) => (call.body as { input_type: string }).input_type))).toEqual(
      new Set(["search_document", "search_query"]),
    );

    // The secret never reaches output or results.
    const everything = first.stdout + first.stderr + JSON.stringify(titan);
    expect(everything).not.toContain(secretKey);

    // A rerun with nothing changed calls no provider at all.
    const bedrockCalls = bedrock.calls.length;
    const sagemakerCalls = sagemaker.calls.length;
    const second = await runCliCaptured(["run"], workspace, environment);
    expect(second.code).toBe(0);
    expect(bedrock.calls.length).toBe(bedrockCalls);
    expect(sagemaker.calls.length).toBe(sagemakerCalls);
    expect(second.stdout).toMatch(/cache: [\d,]+ hits, 0 misses/);
  });

  it("reports a provider that refuses access as a failed model, exit 1, other models still run", async () => {
    await writeFile(
      join(workspace, "denied.yml"),
      [
        "models:",
        "  - id: denied",
        "    provider: bedrock",
        "    model: amazon.titan-embed-text-v1",
        `    options: { endpoint: "${bedrock.url}" }`,
        "  - id: bm25",
        "    provider: bm25",
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "cache: { enabled: false }",
        "",
      ].join("\n"),
    );
    bedrock.queueFaults({ kind: "access-denied" });
    const outcome = await runCliCaptured(["run", "--config", "denied.yml"], workspace, environment);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/denied × quickstart: .*AccessDenied/);
    expect(outcome.stdout).toMatch(/bm25\s+quickstart/);
    expect(outcome.stderr + outcome.stdout).not.toContain(secretKey);
  });
});

describe("plugin option errors", () => {
  it("point at the config file, the model's line and its key", async () => {
    const workspace = await mkdtemp(join(tmpdir(), "embedeval-options-"));
    await cp(quickstartData, join(workspace, "data"), { recursive: true });
    await writeFile(
      join(workspace, "embedeval.yml"),
      [
        "models:",
        "  - id: bm25",
        "    provider: bm25",
        "  - id: titan",
        "    provider: bedrock",
        "    model: amazon.titan-embed-text-v2:0",
        "    options: { dimensions: 500, region: us-east-1 }",
        "  - id: cohere",
        "    provider: bedrock",
        "    model: cohere.embed-english-v3",
        "    options: { truncate: MIDDLE, region: us-east-1 }",
        "tasks:",
        "  - name: quickstart",
        "    path: ./data",
        "",
      ].join("\n"),
    );
    const outcome = await runCliCaptured(["run"], workspace, {});
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toMatch(/embedeval\.yml:4: models\.titan: .*dimensions.*500/);
    expect(outcome.stderr).toMatch(/256.*512.*1024/);
    // Both models' mistakes in one run.
    expect(outcome.stderr).toMatch(/embedeval\.yml:8: models\.cohere: .*truncate/);
    await rm(workspace, { recursive: true, force: true });
  });
});

/** A config evaluating Titan v2 through the local Bedrock at `url` on the quickstart data. */
function titanConfig(url: string, extra: string[] = []): string[] {
  return [
    "models:",
    "  - id: titan",
    "    provider: bedrock",
    "    model: amazon.titan-embed-text-v2:0",
    `    options: { endpoint: "${url}" }`,
    ...extra,
    "tasks:",
    "  - name: quickstart",
    "    path: ./data",
  ];
}

describe("embedeval run --dry-run", () => {
  it("counts what a run would send and its cost without calling the provider, minus the cache", async () => {
    const server = await startBedrockServer();
    const workspace = await quickstartWorkspace(
      "dry-run",
      titanConfig(server.url, ["  - id: bm25", "    provider: bm25"]),
    );
    const before = await runCliCaptured(["run", "--dry-run", "--json"], workspace, testAwsEnvironment);
    expect(before.code).toBe(0);
    expect(server.calls).toHaveLength(0);
    const [titan, bm25] = JSON.parse(before.stdout);
    expect(titan).toMatchObject({ model: "titan", texts: 317 + 76, cached: 0 });
    expect(titan.estimatedCostUsd).toBeCloseTo((titan.estimatedTokens / 1e6) * 0.02, 12);
    expect(bm25).toMatchObject({ model: "bm25", texts: 0, estimatedCostUsd: null });

    expect((await runCliCaptured(["run"], workspace, testAwsEnvironment)).code).toBe(0);
    const after = await runCliCaptured(["run", "--dry-run"], workspace, testAwsEnvironment);
    expect(after.stdout).toMatch(/titan\s+quickstart\s+393\s+393\s+0\s+0\s+\$0\.00/);
    expect(after.stdout).toContain("no provider was called");
    await server.close();
    await rm(workspace, { recursive: true, force: true });
  });
});

describe("a model that fails halfway", () => {
  it("says what it spent before failing, and that a rerun pays only for the rest", async () => {
    // 20 answers, then a validation error (not retryable) for every later call.
    const server = await startBedrockServer({
      faultFor: (call) =>
        call.index >= 20 ? { kind: "validation", message: "Malformed input request" } : undefined,
    });
    const workspace = await quickstartWorkspace(
      "halfway",
      titanConfig(server.url, ["    runtime: { maxConcurrency: 1 }"]),
    );
    const outcome = await runCliCaptured(["run"], workspace, testAwsEnvironment);
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(
      /titan × quickstart: .*Malformed input request[\s\S]*\n {2}spent before failing: 20 texts embedded in 20 calls, \$0\.\d{4}; they are cached, a rerun pays only for the rest\n/,
    );
    await server.close();
    await rm(workspace, { recursive: true, force: true });
  });
});
