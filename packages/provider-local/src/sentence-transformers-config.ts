/**
 * A sentence-transformers model's own configuration, read from the files `SentenceTransformer.save`
 * writes, so that the vectors here equal `model.encode(...)` in Python:
 *
 *   modules.json                      the pipeline: Transformer, Pooling, Normalize (in that order)
 *   sentence_bert_config.json         max_seq_length, do_lower_case (of the Transformer module)
 *   1_Pooling/config.json             pooling_mode_* flags, include_prompt, word_embedding_dimension
 *   config_sentence_transformers.json prompts, default_prompt_name
 *   config.json, tokenizer_config.json  max_position_embeddings, model_max_length (for the default length)
 *
 * Read as sentence-transformers v3-v5 read them:
 * https://github.com/UKPLab/sentence-transformers/blob/master/sentence_transformers/models/Pooling.py
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "@embedeval/provider-contract";

/** Pooling modes in the order sentence-transformers concatenates them when several are on. */
export const poolingModes = ["cls", "max", "mean", "mean_sqrt_len", "weightedmean", "lasttoken"] as const;
export type PoolingMode = (typeof poolingModes)[number];

const poolingFlags: Record<PoolingMode, string> = {
  cls: "pooling_mode_cls_token",
  max: "pooling_mode_max_tokens",
  mean: "pooling_mode_mean_tokens",
  mean_sqrt_len: "pooling_mode_mean_sqrt_len_tokens",
  weightedmean: "pooling_mode_weightedmean_tokens",
  lasttoken: "pooling_mode_lasttoken",
};

/** The names sentence-transformers' Transformer module looks for its settings under, first found wins. */
const transformerConfigNames = [
  "sentence_bert_config.json",
  "sentence_roberta_config.json",
  "sentence_distilbert_config.json",
  "sentence_camembert_config.json",
  "sentence_albert_config.json",
  "sentence_xlm-roberta_config.json",
  "sentence_xlnet_config.json",
];

const moduleTypes = {
  transformer: "sentence_transformers.models.Transformer",
  pooling: "sentence_transformers.models.Pooling",
  normalize: "sentence_transformers.models.Normalize",
};

/** `sentence_transformers.models.pooling.Pooling` (some saves name the submodule) is the same class. */
function moduleKind(type: string): keyof typeof moduleTypes | undefined {
  if (!type.startsWith("sentence_transformers.models.")) return undefined;
  const className = type.split(".").pop();
  if (className === "Transformer") return "transformer";
  if (className === "Pooling") return "pooling";
  if (className === "Normalize") return "normalize";
  return undefined;
}

export interface SentenceTransformersConfig {
  /** Pooling modes switched on, in concatenation order. */
  pooling: PoolingMode[];
  /** False: the prompt's tokens are left out of pooling (INSTRUCTOR-style models). */
  includePrompt: boolean;
  /** True when modules.json ends in a Normalize module. */
  normalize: boolean;
  /** Tokens per text, special tokens included; longer texts are cut. Undefined when nothing says. */
  maxSeqLength: number | undefined;
  doLowerCase: boolean;
  /** Width of the token embeddings (1_Pooling's word_embedding_dimension or config.json's hidden_size). */
  tokenDimension: number | undefined;
  prompts: Readonly<Record<string, string>>;
  defaultPromptName: string | undefined;
  /** What was assumed because a file was missing, for the run's warnings. */
  notes: string[];
}

type JsonObject = Record<string, unknown>;

async function readJson(folder: string, name: string): Promise<JsonObject | undefined> {
  const path = join(folder, name);
  const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`${path} is not valid JSON.`, {
      file: path,
      cause: error,
      hint: "Download the model's files again; this one is damaged.",
    });
  }
  if (typeof value !== "object" || value === null) {
    throw new ConfigError(`${path} must hold a JSON object or array.`, { file: path });
  }
  return value as JsonObject;
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === "number" && Number.isInteger(value) && value > 0 ? value : undefined;
}

interface ModuleEntry {
  type: string;
  path: string;
}

function readModules(folder: string, value: JsonObject): ModuleEntry[] {
  const path = join(folder, "modules.json");
  if (!Array.isArray(value))
    throw new ConfigError(`${path} must be a JSON array of modules.`, { file: path });
  return (value as unknown[]).map((entry, index) => {
    const record = entry as JsonObject;
    if (typeof record?.type !== "string") {
      throw new ConfigError(`${path}: module ${index} has no \`type\`.`, { file: path });
    }
    return { type: record.type, path: typeof record.path === "string" ? record.path : "" };
  });
}

export async function readSentenceTransformersConfig(folder: string): Promise<SentenceTransformersConfig> {
  const notes: string[] = [];
  const modulesValue = await readJson(folder, "modules.json");
  // A plain transformers model: sentence-transformers wraps it in Transformer + mean Pooling, no Normalize.
  const modules: ModuleEntry[] = modulesValue
    ? readModules(folder, modulesValue)
    : [
        { type: moduleTypes.transformer, path: "" },
        { type: moduleTypes.pooling, path: "" },
      ];
  if (!modulesValue)
    notes.push("no modules.json: mean pooling without normalisation, as sentence-transformers does");

  const unsupported = modules.filter((module) => moduleKind(module.type) === undefined);
  if (unsupported.length > 0) {
    throw new ConfigError(
      `The model in ${folder} uses sentence-transformers modules this provider does not run: ${unsupported.map((module) => module.type).join(", ")}.`,
      {
        hint: "Supported pipelines are Transformer, Pooling and an optional Normalize (most retrieval models). Use provider `sagemaker` or `openai` (a TEI server) for this model.",
      },
    );
  }
  const transformer = modules.find((module) => moduleKind(module.type) === "transformer");
  const pooling = modules.find((module) => moduleKind(module.type) === "pooling");
  if (!transformer || !pooling) {
    throw new ConfigError(`${join(folder, "modules.json")} must list a Transformer and a Pooling module.`, {
      file: join(folder, "modules.json"),
    });
  }
  const transformerFolder = join(folder, transformer.path);

  let transformerSettings: JsonObject = {};
  for (const name of transformerConfigNames) {
    const found = await readJson(transformerFolder, name);
    if (found) {
      transformerSettings = found;
      break;
    }
  }
  const modelConfig = (await readJson(transformerFolder, "config.json")) ?? {};
  const tokenizerConfig = (await readJson(transformerFolder, "tokenizer_config.json")) ?? {};
  // sentence-transformers: max_seq_length, else min(max_position_embeddings, tokenizer.model_max_length),
  // where a tokenizer without model_max_length has no limit of its own.
  const positions = positiveInteger(modelConfig.max_position_embeddings);
  const tokenizerLimit = positiveInteger(tokenizerConfig.model_max_length);
  const maxSeqLength =
    positiveInteger(transformerSettings.max_seq_length) ??
    (positions !== undefined && tokenizerLimit !== undefined
      ? Math.min(positions, tokenizerLimit)
      : (positions ?? tokenizerLimit));

  const poolingSettings = (await readJson(join(folder, pooling.path), "config.json")) ?? {};
  const poolingPath = join(folder, pooling.path, "config.json");
  const flagged = poolingModes.filter((mode) => poolingSettings[poolingFlags[mode]] === true);
  const stringMode =
    typeof poolingSettings.pooling_mode === "string" ? poolingSettings.pooling_mode : undefined;
  const poolingList: PoolingMode[] =
    flagged.length > 0
      ? flagged
      : stringMode !== undefined && (poolingModes as readonly string[]).includes(stringMode)
        ? [stringMode as PoolingMode]
        : ["mean"];
  if (flagged.length === 0 && stringMode === undefined && modulesValue) {
    notes.push(`no pooling mode in ${poolingPath}: mean pooling`);
  }

  const stConfig = (await readJson(folder, "config_sentence_transformers.json")) ?? {};
  const prompts: Record<string, string> = {};
  if (typeof stConfig.prompts === "object" && stConfig.prompts !== null) {
    for (const [name, prompt] of Object.entries(stConfig.prompts as JsonObject)) {
      if (typeof prompt === "string") prompts[name] = prompt;
    }
  }
  const defaultPromptName =
    typeof stConfig.default_prompt_name === "string" ? stConfig.default_prompt_name : undefined;

  return {
    pooling: poolingList,
    includePrompt: poolingSettings.include_prompt !== false,
    normalize: modules.some((module) => moduleKind(module.type) === "normalize"),
    maxSeqLength,
    doLowerCase: transformerSettings.do_lower_case === true,
    tokenDimension:
      positiveInteger(poolingSettings.word_embedding_dimension) ?? positiveInteger(modelConfig.hidden_size),
    prompts,
    defaultPromptName,
    notes,
  };
}
