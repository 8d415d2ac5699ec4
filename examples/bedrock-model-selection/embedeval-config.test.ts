/**
 * Keeps the example honest without AWS access: the config loads, every model is one the Bedrock
 * plugin accepts with these options and sends requests a local Bedrock accepts, the IAM policy
 * covers every model, and the README's cost table is what the list prices give for the stated
 * token estimate.
 */
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@embedeval/core";
import bedrock, {
  baseModelId,
  createBedrockProvider,
  listPricePerMillionTokens,
} from "@embedeval/provider-bedrock";
import { startBedrockServer } from "@embedeval/provider-bedrock/testing";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));

describe("examples/bedrock-model-selection", () => {
  it("every model in embedeval.yml is accepted by the Bedrock plugin with its options", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    expect(config.models.map((model) => model.id)).toEqual([
      "titan-v1",
      "titan-v2-1024",
      "titan-v2-512",
      "titan-v2-256",
      "cohere-v3-english",
      "cohere-v4",
    ]);
    const dimensions: number[] = [];
    for (const model of config.models) {
      expect(model.provider).toBe(bedrock.name);
      const provider = createBedrockProvider({
        model: model.model,
        options: model.options,
        baseDirectory: config.baseDirectory,
        environment: {},
      });
      dimensions.push(provider.capabilities.dimensions ?? 0);
      await provider.close();
    }
    expect(dimensions).toEqual([1536, 1024, 512, 256, 1024, 1536]);
    expect(config.tasks.map((task) => [task.name, task.splits])).toEqual([["SciFact", ["test"]]]);
  });

  it("every model's requests are accepted by a local Bedrock that validates the documented bodies", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    const server = await startBedrockServer();
    try {
      for (const model of config.models) {
        const provider = createBedrockProvider({
          model: model.model,
          options: { ...model.options, endpoint: server.url },
          baseDirectory: config.baseDirectory,
          environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
        });
        const query = await provider.embed({
          texts: ["Vitamin D deficiency raises fracture risk."],
          inputType: "query",
        });
        expect(query.embeddings[0]?.length, model.id).toBe(provider.capabilities.dimensions);
        await provider.close();
      }
      expect(server.calls.map((call) => [call.modelId, call.status])).toEqual(
        config.models.map((model) => [model.model, 200]),
      );
    } finally {
      await server.close();
    }
  });

  it("iam-policy.json allows InvokeModel on every model of the config", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    const policy = JSON.parse(await readFile(join(here, "iam-policy.json"), "utf8")) as {
      Statement: Array<{ Effect: string; Action: string; Resource: string[] }>;
    };
    const allowed = policy.Statement.filter(
      (statement) => statement.Effect === "Allow" && statement.Action === "bedrock:InvokeModel",
    ).flatMap((statement) => statement.Resource);
    for (const model of config.models) {
      expect(allowed).toContain(`arn:aws:bedrock:*::foundation-model/${baseModelId(model.model)}`);
    }
  });

  it("the README's cost table follows from the list prices and the stated token estimate", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    const readme = await readFile(join(here, "README.md"), "utf8");
    // Table rows as trimmed cells, whatever the column padding.
    const rows = new Map(
      readme
        .split("\n")
        .filter((line) => line.startsWith("|"))
        .map((line) =>
          line
            .split("|")
            .slice(1, -1)
            .map((cell) => cell.trim()),
        )
        .map((cells) => [cells[0] ?? "", cells.slice(1)] as const),
    );
    const tokensPerModel = 5_183 * (1_500 / 4) + 300 * (90 / 4);
    expect(rows.get("per model")).toEqual([tokensPerModel.toLocaleString("en-US")]);
    let total = 0;
    for (const model of config.models) {
      const price = listPricePerMillionTokens(model.model);
      expect(price, model.model).toBeDefined();
      const cost = (tokensPerModel / 1_000_000) * (price ?? 0);
      total += cost;
      expect(rows.get(model.id)).toEqual([`$${(price ?? 0).toFixed(2)}`, `$${cost.toFixed(3)}`]);
    }
    expect(rows.get("**total**")).toEqual(["", `**$${total.toFixed(3)}**`]);
  });
});
