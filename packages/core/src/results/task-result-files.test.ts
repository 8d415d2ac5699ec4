import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { mtebResultFormatVersion, mtebVersionField } from "./mteb-model-meta.js";
import type { TaskResult } from "./task-result.js";
import { readResultsDirectory, writeTaskResult } from "./task-result-files.js";

/**
 * The fields of MTEB's ModelMeta.to_dict() as save_to_cache writes them to model_meta.json (MTEB 2.20,
 * mteb/models/model_meta.py): the model's fields in declaration order without `loader`, then `loader` and
 * `is_cross_encoder`. ModelMeta forbids any other field.
 */
const mtebModelMetaFields = [
  "loader_kwargs",
  "name",
  "revision",
  "release_date",
  "languages",
  "n_parameters",
  "n_active_parameters_override",
  "n_embedding_parameters",
  "memory_usage_mb",
  "max_tokens",
  "embed_dim",
  "license",
  "open_weights",
  "public_training_code",
  "public_training_data",
  "framework",
  "reference",
  "similarity_fn_name",
  "use_instructions",
  "training_datasets",
  "adapted_from",
  "superseded_by",
  "modalities",
  "model_type",
  "citation",
  "contacts",
  "experiment_kwargs",
  "output_dtypes",
  "extra_requirements_groups",
  "loader",
  "is_cross_encoder",
];

function hubModelResult(): TaskResult {
  const result = buildTaskResult({
    model: "bge-base",
    task: "SciFact",
    ndcg: [0.5, 0.7, 0.9],
    provider: "sagemaker",
  });
  result.mteb_version = mtebVersionField("0.2.0");
  result.embedeval.model = {
    ...result.embedeval.model,
    name: "BAAI/bge-base-en-v1.5",
    model: "BAAI/bge-base-en-v1.5",
    revision: "a5beb1e3e68b9ab74eb54cfd186867f64f240e1a",
    options: {
      similarity: "cosine",
      queryPrefix: "Represent this sentence for searching relevant passages: ",
    },
    dimensions: 768,
    maxTokensPerInput: 512,
    type: "dense",
  };
  return result;
}

describe("result files in MTEB's layout", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "embedeval-results-"));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("names the folder org__model after the hub name and writes MTEB's model_meta.json beside the tasks", async () => {
    const path = await writeTaskResult(folder, hubModelResult());
    const revisionFolder = join(folder, "BAAI__bge-base-en-v1.5", "a5beb1e3e68b9ab74eb54cfd186867f64f240e1a");
    expect(path).toBe(join(revisionFolder, "SciFact.json"));
    expect((await readdir(revisionFolder)).sort()).toEqual(["SciFact.json", "model_meta.json"]);

    const text = await readFile(join(revisionFolder, "model_meta.json"), "utf8");
    const meta = JSON.parse(text);
    expect(Object.keys(meta)).toEqual(mtebModelMetaFields);
    expect(meta).toMatchObject({
      name: "BAAI/bge-base-en-v1.5",
      revision: "a5beb1e3e68b9ab74eb54cfd186867f64f240e1a",
      embed_dim: 768,
      max_tokens: 512,
      framework: ["API"],
      reference: "https://huggingface.co/BAAI/bge-base-en-v1.5",
      similarity_fn_name: "cosine",
      use_instructions: true,
      model_type: ["dense"],
      modalities: ["text"],
      n_parameters: null,
      license: null,
    });
    // MTEB writes it with json.dump(..., indent=4).
    expect(text.split("\n")[1]).toMatch(/^ {4}"loader_kwargs"/);
  });

  it("marks the MTEB format version as written by embedeval, in a form MTEB's loader parses", () => {
    const field = mtebVersionField("0.2.0");
    expect(field).toBe(`${mtebResultFormatVersion}+embedeval.0.2.0`);
    // PEP 440 public version plus local label, which packaging.Version (MTEB's loader) accepts...
    const match = /^(\d+)\.(\d+)\.(\d+)\+[a-z0-9]+(?:\.[a-z0-9]+)*$/.exec(field);
    expect(match).not.toBeNull();
    // ...at or above 1.12.48, below which MTEB rewrites the file as an older format.
    const [major, minor, patch] = (match as RegExpExecArray).slice(1).map(Number) as [number, number, number];
    expect(major * 1e6 + minor * 1e3 + patch).toBeGreaterThanOrEqual(1 * 1e6 + 12 * 1e3 + 48);
  });

  it("reads old (config id folders) and new layouts together, skipping model_meta.json", async () => {
    const old = buildTaskResult({ model: "tfidf", task: "SciFact", ndcg: [0.2, 0.4] });
    old.mteb_version = "2.20.0";
    const oldFolder = join(folder, "tfidf", "no_revision_available");
    await mkdir(oldFolder, { recursive: true });
    await writeFile(join(oldFolder, "SciFact.json"), JSON.stringify(old));
    const results = await readResultsDirectory(folder);
    expect(results.map((result) => [result.embedeval.model.id, result.embedeval.model.name])).toEqual([
      ["bge-base", "BAAI/bge-base-en-v1.5"],
      ["tfidf", undefined],
    ]);
  });

  it("keeps the config id as the folder and the name of a model without a hub name", async () => {
    const result = buildTaskResult({
      model: "titan-v2-512",
      task: "SciFact",
      ndcg: [0.5],
      provider: "bedrock",
    });
    result.embedeval.model = {
      ...result.embedeval.model,
      name: "titan-v2-512",
      model: "amazon.titan-embed-text-v2:0",
    };
    const path = await writeTaskResult(folder, result);
    expect(path).toBe(join(folder, "titan-v2-512", "no_revision_available", "SciFact.json"));
    const meta = JSON.parse(
      await readFile(join(folder, "titan-v2-512", "no_revision_available", "model_meta.json"), "utf8"),
    );
    expect(meta).toMatchObject({
      name: "titan-v2-512",
      reference: null,
      embed_dim: null,
      use_instructions: false,
    });
  });
});
