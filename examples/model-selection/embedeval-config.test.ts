/**
 * Keeps the example honest without network, model downloads or cloud accounts: the config loads, each
 * local model's options are accepted by the local provider and give the prompts, pooling and
 * normalisation its model card prescribes, each Bedrock model is accepted by the Bedrock plugin, and the
 * README has a row for every model with the study's published number where the study has one.
 */
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadConfig } from "@embedeval/core";
import { createBedrockProvider } from "@embedeval/provider-bedrock";
import { resolveLocalModelSettings } from "@embedeval/provider-local";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const tinyModel = join(here, "../../packages/provider-local/test/fixtures/tiny-mean");
const commit = "0000000000000000000000000000000000000001";

/** What each model card prescribes, as the local provider must end up running it. */
const modelCards: Record<string, { pooling: string[]; normalize: boolean; query: string; document: string }> =
  {
    "gte-base": { pooling: ["mean"], normalize: true, query: "", document: "" },
    "bge-base-en-v1.5": {
      pooling: ["cls"],
      normalize: true,
      query: "Represent this sentence for searching relevant passages: ",
      document: "",
    },
    "e5-base-v2": { pooling: ["mean"], normalize: true, query: "query: ", document: "passage: " },
    "all-minilm-l6-v2": { pooling: ["mean"], normalize: true, query: "", document: "" },
  };

/** The study's SciFact nDCG@10 for the models it names (docs: the design brief's table). */
const studyScores: Record<string, string> = {
  "gte-base": "76.18",
  "all-minilm-l6-v2": "64.51",
  "titan-v2": "73.5",
  "cohere-v3-english": "71.83",
};

describe("examples/model-selection", () => {
  let cache: string;
  beforeAll(async () => {
    // Every hub id of the config in a Hugging Face cache layout, holding the tiny test model with its
    // prompts removed, so that the prompts seen below come from the example's options alone.
    cache = await mkdtemp(join(tmpdir(), "embedeval-model-selection-"));
    const config = await loadConfig(join(here, "embedeval.yml"));
    for (const model of config.models.filter((each) => each.provider === "local")) {
      const root = join(cache, `models--${model.model?.replace("/", "--")}`);
      const snapshot = join(root, "snapshots", commit);
      await cp(tinyModel, snapshot, { recursive: true });
      await writeFile(join(snapshot, "config_sentence_transformers.json"), JSON.stringify({ prompts: {} }));
      await mkdir(join(root, "refs"), { recursive: true });
      await writeFile(join(root, "refs", "main"), commit);
    }
  });
  afterAll(async () => {
    await rm(cache, { recursive: true, force: true });
  });

  it("loads, with the seven models of the comparison on SciFact's test split", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    expect(config.models.map((model) => [model.id, model.provider])).toEqual([
      ["gte-base", "local"],
      ["bge-base-en-v1.5", "local"],
      ["e5-base-v2", "local"],
      ["all-minilm-l6-v2", "local"],
      ["titan-v2", "bedrock"],
      ["cohere-v3-english", "bedrock"],
      ["openai-3-small", "openai"],
    ]);
    expect(config.tasks.map((task) => [task.name, task.splits])).toEqual([["SciFact", ["test"]]]);
  });

  it("runs each local model with the prompts, pooling and normalisation its model card prescribes", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    for (const model of config.models.filter((each) => each.provider === "local")) {
      const settings = await resolveLocalModelSettings({
        model: model.model ?? "",
        options: model.options,
        baseDirectory: config.baseDirectory,
        environment: { HF_HUB_CACHE: cache },
      });
      const card = modelCards[model.id];
      expect(card, model.id).toBeDefined();
      expect(
        {
          pooling: settings.pooling,
          normalize: settings.normalize,
          query: settings.prompts.query,
          document: settings.prompts.document,
        },
        model.id,
      ).toEqual(card);
    }
  });

  it("every Bedrock model is accepted by the Bedrock plugin with its options", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    const dimensions: number[] = [];
    for (const model of config.models.filter((each) => each.provider === "bedrock")) {
      const provider = createBedrockProvider({
        model: model.model ?? "",
        options: model.options,
        baseDirectory: config.baseDirectory,
        environment: {},
      });
      dimensions.push(provider.capabilities.dimensions ?? 0);
      await provider.close();
    }
    expect(dimensions).toEqual([1024, 1024]);
  });

  it("the README has a row for every model, with the study's SciFact nDCG@10 where the study has one", async () => {
    const config = await loadConfig(join(here, "embedeval.yml"));
    const readme = await readFile(join(here, "README.md"), "utf8");
    const rows = new Map(
      readme
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .map((line) =>
          line
            .split("|")
            .slice(1, -1)
            .map((cell) => cell.trim()),
        )
        .map((cells) => [(cells[0] ?? "").replaceAll("`", ""), cells.slice(1)] as const),
    );
    for (const model of config.models) {
      const row = rows.get(model.id);
      expect(row, `README row for ${model.id}`).toBeDefined();
      const published = studyScores[model.id];
      if (published) expect(row?.join(" "), model.id).toContain(published);
    }
  });
});
