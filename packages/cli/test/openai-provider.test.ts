import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { type OpenAIServer, startOpenAIServer } from "@embedeval/provider-openai/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { quickstartWorkspace, runCliCaptured } from "./cli-harness.js";

// `provider: openai` by name, end to end: config -> @embedeval/provider-openai -> fetch -> a local
// server speaking OpenAI's and Azure OpenAI's wire format (with faults) -> cache -> search -> results.
const apiKey = "sk-proj-cliTestKeyDoNotLeak0123456789";
const azureKey = "azureCliTestKeyDoNotLeak0123456789";

describe("embedeval run with provider openai", () => {
  let workspace: string;
  let server: OpenAIServer;
  const environment = { TEST_OPENAI_KEY: apiKey, AZURE_OPENAI_API_KEY: azureKey };

  beforeAll(async () => {
    server = await startOpenAIServer({
      apiKey,
      azureApiKey: azureKey,
      deployments: { "emb-small": "text-embedding-3-small" },
    });
    workspace = await quickstartWorkspace("openai", [
      "models:",
      "  - id: openai-small-256",
      "    provider: openai",
      "    model: text-embedding-3-small",
      `    options: { baseURL: "${server.baseURL}", apiKeyVariable: TEST_OPENAI_KEY, dimensions: 256 }`,
      "    runtime: { maxRetries: 6 }",
      "  - id: azure-small",
      "    provider: openai",
      "    model: text-embedding-3-small",
      `    options: { api: azure, endpoint: "${server.url}", deployment: emb-small }`,
      "tasks:",
      "  - name: quickstart",
      "    path: ./data",
    ]);
  });
  afterAll(async () => {
    await server?.close();
    await rm(workspace, { recursive: true, force: true });
  });

  it("evaluates OpenAI and Azure OpenAI models by name, survives faults, prices by list, and embeds nothing twice", async () => {
    server.queueFaults({ kind: "throttle" }, { kind: "internal-server" }, { kind: "connection-reset" });
    const first = await runCliCaptured(["run"], workspace, environment);
    expect(first.stderr).not.toMatch(/^error/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/openai-small-256\s+quickstart/);
    expect(first.stdout).toMatch(/azure-small\s+quickstart/);

    const read = async (id: string) =>
      JSON.parse(
        await readFile(
          join(workspace, `embedeval-results/${id}/no_revision_available/quickstart.json`),
          "utf8",
        ),
      );
    const openai = await read("openai-small-256");
    expect(openai.embedeval.model.provider).toBe("openai");
    expect(openai.embedeval.usage.tokensSource).toBe("provider");
    expect(openai.embedeval.usage.tokens).toBeGreaterThan(0);
    // text-embedding-3-small's list price: 0.02 USD per million tokens.
    expect(openai.embedeval.usage.costUsd).toBeCloseTo((openai.embedeval.usage.tokens * 0.02) / 1e6, 12);
    const azure = await read("azure-small");
    expect(server.calls.some((call) => call.route === "azure" && call.deployment === "emb-small")).toBe(true);
    // What the server billed is what the two results count: no text paid twice.
    expect(openai.embedeval.usage.tokens + azure.embedeval.usage.tokens).toBe(server.billedTokens());

    const everything = first.stdout + first.stderr + JSON.stringify(openai) + JSON.stringify(azure);
    expect(everything).not.toContain(apiKey);
    expect(everything).not.toContain(azureKey);

    const callsBefore = server.calls.length;
    const second = await runCliCaptured(["run"], workspace, environment);
    expect(second.code).toBe(0);
    expect(server.calls.length).toBe(callsBefore);
  });

  it("a wrong key fails the model with a hint naming the variable, and never prints the key", async () => {
    const wrongKey = "sk-proj-wrongCliKey0123456789abcdef";
    const outcome = await runCliCaptured(["run", "--no-cache"], workspace, {
      ...environment,
      TEST_OPENAI_KEY: wrongKey,
    });
    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toMatch(/openai-small-256 × quickstart: .*401/);
    expect(outcome.stderr).toContain("TEST_OPENAI_KEY");
    expect(outcome.stderr + outcome.stdout).not.toContain(wrongKey);
    expect(outcome.stderr + outcome.stdout).not.toContain("wrongCliKey");
  });
});
