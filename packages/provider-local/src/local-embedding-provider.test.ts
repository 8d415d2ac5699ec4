import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, type ProviderSettings } from "@embedeval/provider-contract";
import { describeProviderConformance } from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import defaultExport, { createLocalProvider, plugin } from "./index.js";

const fixtures = join(import.meta.dirname, "..", "test", "fixtures");

function settings(model: string, options: Record<string, unknown> = {}): ProviderSettings {
  return { model, options: { threads: 1, ...options }, baseDirectory: fixtures, environment: {} };
}

async function configError(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

for (const model of ["tiny-mean", "tiny-cls", "tiny-lasttoken"]) {
  describeProviderConformance({
    name: `local ${model}`,
    createProvider: () => createLocalProvider(settings(`./${model}`)),
    // No network call: an onnxruntime run cannot be cancelled once started, so only a signal that is
    // already aborted (checked before each batch) applies.
  });
}

describe("the plugin", () => {
  it("is the default export, named local, contract v1", () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin.name).toBe("local");
    expect(plugin.specificationVersion).toBe("v1");
  });

  it("creates a provider whose capabilities come from the model's files", async () => {
    const provider = await plugin.create(settings("./tiny-mean"));
    try {
      expect(provider).toMatchObject({
        provider: "local",
        modelId: "./tiny-mean",
        capabilities: {
          dimensions: 16,
          normalized: true,
          maxTokensPerInput: 24,
          supportsParallelCalls: false,
        },
      });
    } finally {
      if ("close" in provider) await provider.close?.();
    }
  });
});

describe("what the model's files say, and the options over them", () => {
  it("reads pooling, normalisation, length and prompts from the sentence-transformers files", async () => {
    const mean = await createLocalProvider(settings("./tiny-mean"));
    const lastToken = await createLocalProvider(settings("./tiny-lasttoken"));
    try {
      expect(mean.settings).toMatchObject({
        pooling: ["mean"],
        includePrompt: false,
        normalize: true,
        maxSeqLength: 24,
        doLowerCase: false,
        prompts: { query: "query: ", document: "passage: " },
      });
      expect(lastToken.settings).toMatchObject({
        pooling: ["lasttoken"],
        normalize: false,
        doLowerCase: true,
        prompts: { query: "Instruct: find the answer\nQuery: ", document: "" },
      });
      expect(lastToken.capabilities.normalized).toBe(false);
    } finally {
      await mean.close();
      await lastToken.close();
    }
  });

  it("puts every vector-changing setting in vectorOptions, so the cache key changes with each", async () => {
    const base = await createLocalProvider(settings("./tiny-mean"));
    const variants = await Promise.all(
      [
        { dtype: "q8" },
        { pooling: "cls" },
        { normalize: false },
        { maxSeqLength: 8 },
        { queryPrompt: "" },
      ].map((options) => createLocalProvider(settings("./tiny-mean", options))),
    );
    const other = await createLocalProvider(settings("./tiny-cls", { pooling: "mean" }));
    try {
      expect(base.vectorOptions).toMatchObject({
        pooling: "mean",
        normalize: true,
        includePrompt: false,
        maxSeqLength: 24,
        queryPrompt: "query: ",
        documentPrompt: "passage: ",
      });
      expect(base.vectorOptions.weightsSha256).toMatch(/^[0-9a-f]{64}$/);
      const keys = [base, ...variants, other].map((provider) => JSON.stringify(provider.vectorOptions));
      expect(new Set(keys).size).toBe(keys.length);
      // batchSize and threads change speed, not vectors: they stay out of the key.
      const faster = await createLocalProvider(settings("./tiny-mean", { batchSize: 2, threads: 2 }));
      expect(faster.vectorOptions).toEqual(base.vectorOptions);
      await faster.close();
    } finally {
      await Promise.all([base, ...variants, other].map((provider) => provider.close()));
    }
  });

  it("selects a prompt by name from config_sentence_transformers.json", async () => {
    const provider = await createLocalProvider(settings("./tiny-lasttoken", { documentPromptName: "query" }));
    try {
      expect(provider.settings.prompts.document).toBe("Instruct: find the answer\nQuery: ");
    } finally {
      await provider.close();
    }
    const error = await configError(
      createLocalProvider(settings("./tiny-lasttoken", { queryPromptName: "qery" })),
    );
    expect(error.message).toContain('"qery"');
    expect(error.hint).toContain("query, plain");
  });

  it("rejects a misspelt option with the closest name", async () => {
    const error = await configError(createLocalProvider(settings("./tiny-mean", { normalise: true })));
    expect(error.key).toBe("options.normalise");
    expect(error.hint).toContain("`normalize`");
  });

  it("rejects an unknown pooling mode or dtype, suggesting the closest", async () => {
    const pooling = await configError(
      createLocalProvider(settings("./tiny-mean", { pooling: "last_token" })),
    );
    expect(pooling.hint).toContain('"lasttoken"');
    const dtype = await configError(createLocalProvider(settings("./tiny-mean", { dtype: "q4" })));
    expect(dtype.key).toBe("options.dtype");
  });

  it("says which weight file is missing and how to get one", async () => {
    const error = await configError(
      createLocalProvider(settings("./tiny-mean", { onnxFile: "onnx/model_fp16.onnx" })),
    );
    expect(error.message).toContain(join(fixtures, "tiny-mean", "onnx", "model_fp16.onnx"));
    expect(error.hint).toContain("optimum-cli export onnx");
  });
});

describe("a model folder that sentence-transformers would read differently", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "embedeval-local-"));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("refuses modules it does not run (a Dense layer), naming them", async () => {
    const model = join(folder, "dense");
    await cp(join(fixtures, "tiny-mean"), model, { recursive: true });
    await writeFile(
      join(model, "modules.json"),
      JSON.stringify([
        { idx: 0, name: "0", path: "", type: "sentence_transformers.models.Transformer" },
        { idx: 1, name: "1", path: "1_Pooling", type: "sentence_transformers.models.Pooling" },
        { idx: 2, name: "2", path: "2_Dense", type: "sentence_transformers.models.Dense" },
      ]),
    );
    const error = await configError(createLocalProvider({ ...settings(model), baseDirectory: "/" }));
    expect(error.message).toContain("sentence_transformers.models.Dense");
  });

  it("runs a plain transformers folder (no modules.json) with mean pooling and no normalisation, and says so", async () => {
    const model = join(folder, "plain");
    await cp(join(fixtures, "tiny-cls"), model, { recursive: true });
    await rm(join(model, "modules.json"));
    await rm(join(model, "1_Pooling"), { recursive: true });
    const provider = await createLocalProvider({ ...settings(model), baseDirectory: "/" });
    try {
      expect(provider.settings).toMatchObject({ pooling: ["mean"], normalize: false, maxSeqLength: 40 });
      expect(provider.capabilities.dimensions).toBe(16);
      const first = await provider.embed({ texts: ["one"], inputType: "document" });
      expect(first.warnings?.join(" ")).toContain("mean pooling");
      const second = await provider.embed({ texts: ["two"], inputType: "document" });
      expect(second.warnings, "the note is reported once").toBeUndefined();
    } finally {
      await provider.close();
    }
  });

  it("reports a folder without tokenizer.json with how to write one", async () => {
    const model = join(folder, "no-tokenizer");
    await cp(join(fixtures, "tiny-mean"), model, { recursive: true });
    await rm(join(model, "tokenizer.json"));
    const error = await configError(createLocalProvider({ ...settings(model), baseDirectory: "/" }));
    expect(error.hint).toContain("tokenizer.json");
  });

  it("refuses a damaged ONNX file with a hint", async () => {
    const model = join(folder, "damaged");
    await cp(join(fixtures, "tiny-mean"), model, { recursive: true });
    await writeFile(join(model, "onnx", "model.onnx"), "not an onnx model");
    const error = await configError(createLocalProvider({ ...settings(model), baseDirectory: "/" }));
    expect(error.hint).toContain("complete ONNX model");
  });
});

describe("embedding", () => {
  it("counts the model's tokens (special tokens included) as usage, and sorts batches without reordering vectors", async () => {
    const provider = await createLocalProvider(settings("./tiny-cls", { batchSize: 2 }));
    try {
      const texts = ["x", "heart", "the heart of the cell", "a b c d e f g h i j", ""];
      const together = await provider.embed({ texts, inputType: "document" });
      // [CLS] x [SEP] = 3; heart = 3; the heart of the cell = 7; a..j = 12; "" = 2
      expect(together.usage).toEqual({ tokens: 3 + 3 + 7 + 12 + 2, source: "provider" });
      for (const [index, text] of texts.entries()) {
        const alone = await provider.embed({ texts: [text], inputType: "document" });
        const expected = Array.from(alone.embeddings[0] ?? []);
        const actual = Array.from(together.embeddings[index] ?? []);
        for (const [position, value] of actual.entries()) {
          expect(value).toBeCloseTo(expected[position] as number, 5);
        }
      }
    } finally {
      await provider.close();
    }
  });

  it("returns nothing for no texts", async () => {
    const provider = await createLocalProvider(settings("./tiny-cls"));
    try {
      expect(await provider.embed({ texts: [], inputType: "query" })).toEqual({
        embeddings: [],
        usage: { tokens: 0, source: "provider" },
      });
    } finally {
      await provider.close();
    }
  });
});
