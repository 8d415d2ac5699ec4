/**
 * MTEB's side of a result folder: the model's name as MTEB spells it, the folder named after it, and the
 * `model_meta.json` MTEB writes beside the task files (mteb/cache/result_cache.py `save_to_cache`, the
 * fields of mteb/models/model_meta.py `ModelMeta.to_dict()`, MTEB 2.20).
 */
import { coreProviderNames } from "../builtin-providers/provider-names.js";
import type { ModelIdentity } from "./task-result.js";

/**
 * The MTEB release whose result-file format (and retrieval scoring) embedeval follows. Result files say
 * `mteb_version: "<this>+embedeval.<embedeval version>"`: a PEP 440 local version, the form for "a build
 * of upstream X by someone else", which MTEB's loader parses (it needs a version of at least 1.12.48, or
 * it converts the file as a pre-1.11 one) without claiming that MTEB itself wrote the file.
 */
export const mtebResultFormatVersion = "2.20.0";

/** The `mteb_version` field of a result file written by this embedeval version. */
export function mtebVersionField(embedevalVersion: string): string {
  return `${mtebResultFormatVersion}+embedeval.${embedevalVersion}`;
}

// A Hugging Face hub model id: `org/model` (MTEB requires the org), no colon or further slash, which
// rules out Bedrock ids (`amazon.titan-embed-text-v2:0`), ARNs and endpoint names.
const hubNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The hub name a provider's model id is, when it is one (`BAAI/bge-base-en-v1.5`); else undefined. */
export function hubModelName(model: string): string | undefined {
  return hubNamePattern.test(model) ? model : undefined;
}

/**
 * MTEB's folder name for a model name (`ModelMeta.model_name_as_path`): `/` becomes `__` and a space `_`,
 * so `BAAI/bge-base-en-v1.5` is `BAAI__bge-base-en-v1.5`, as in MTEB's results repository.
 */
export function modelFolderName(name: string): string {
  return folderSegment(name.replaceAll(" ", "_"));
}

/** Keeps names usable as folder names on every OS: `/` becomes `__`, other unsafe characters `_`. */
export function folderSegment(value: string): string {
  return value.replaceAll("/", "__").replace(/[^\p{L}\p{N}._ -]/gu, "_");
}

/**
 * The model_meta.json MTEB writes for a model, with what embedeval knows filled in and the rest null
 * (unknown), as MTEB does for models it has no metadata for. Every field ModelMeta requires is present
 * and no other (ModelMeta forbids extra fields), so `ModelMeta.model_validate_json_resolved` reads it
 * when the name is a hub name (`org/model`; a config id has no org, and MTEB then takes only the name
 * and revision, as its results cache does).
 */
export function mtebModelMeta(model: ModelIdentity): Record<string, unknown> {
  const name = model.name ?? model.id;
  const isHubModel = hubModelName(name) !== undefined;
  const options = model.options as { queryPrefix?: unknown; documentPrefix?: unknown; similarity?: unknown };
  const similarity = options.similarity === "dot" ? "dot" : "cosine";
  return {
    loader_kwargs: {},
    name,
    revision: model.revision,
    release_date: null,
    languages: null,
    n_parameters: null,
    n_active_parameters_override: null,
    n_embedding_parameters: null,
    memory_usage_mb: null,
    max_tokens: model.maxTokensPerInput ?? null,
    embed_dim: model.dimensions ?? null,
    license: null,
    open_weights: null,
    public_training_code: null,
    public_training_data: null,
    framework: frameworkOf(model.provider),
    reference: isHubModel ? `https://huggingface.co/${name}` : null,
    similarity_fn_name: model.type === "sparse" ? null : similarity,
    // MTEB counts fixed input formats such as "query: " as instructions.
    use_instructions: Boolean(options.queryPrefix || options.documentPrefix),
    training_datasets: null,
    adapted_from: null,
    superseded_by: null,
    modalities: ["text"],
    model_type: [model.type ?? "dense"],
    citation: null,
    contacts: null,
    experiment_kwargs: null,
    output_dtypes: null,
    extra_requirements_groups: null,
    loader: null,
    is_cross_encoder: false,
  };
}

/** MTEB's `framework` values: in-process ONNX for the local provider, none for core's, an API otherwise. */
function frameworkOf(provider: string): string[] {
  if ((coreProviderNames as readonly string[]).includes(provider)) return [];
  if (provider === "local") return ["ONNX"];
  return ["API"];
}
