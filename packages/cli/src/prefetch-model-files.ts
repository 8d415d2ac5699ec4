/**
 * Before a `provider: local` model whose `model:` is a hub id is created, the files the local provider
 * reads are brought into huggingface_hub's cache by core's hub download (checked against the hub's
 * sha256, resumed, HF_ENDPOINT / HF_TOKEN / HF_HUB_OFFLINE honoured). The provider then reads them
 * offline from `models--owner--name/snapshots/<commit>/`, as it reads a cache filled by `hf download`:
 * plugins depend on the contract only, so the download happens here, not in the plugin.
 */
import { isAbsolute } from "node:path";
import {
  ConfigError,
  DatasetError,
  downloadHubModelFiles,
  type HubModelFiles,
  type ModelConfig,
  revisionPattern,
} from "@embedeval/core";

/** The sentence-transformers configuration the local provider reads (each only if the model has it). */
const configurationFiles = [
  "modules.json",
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "special_tokens_map.json",
  "sentence_bert_config.json",
  "config_sentence_transformers.json",
  "1_Pooling/config.json",
];

/** The ONNX weights by `options.dtype`, as the local provider names them. */
const weightFiles: Record<string, string> = { fp32: "onnx/model.onnx", q8: "onnx/model_quantized.onnx" };

const hubIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** A path by the local provider's rule (`./x`, `../x`, `~/x`, `/x`, `C:\x`): read as a folder, not fetched. */
function isModelPath(model: string): boolean {
  return model.startsWith(".") || model.startsWith("~") || isAbsolute(model) || /^[A-Za-z]:[\\/]/.test(model);
}

/** The repository paths to fetch: configuration, the weights for the dtype and their external data. */
export function localModelFiles(options: Record<string, unknown>): (paths: readonly string[]) => string[] {
  const dtype = typeof options.dtype === "string" ? options.dtype : "fp32";
  const weights = typeof options.onnxFile === "string" ? options.onnxFile : weightFiles[dtype];
  return (paths) =>
    paths.filter(
      (path) =>
        configurationFiles.includes(path) ||
        (weights !== undefined &&
          // ONNX external data sits beside the graph: model.onnx_data, model.onnx.data, model.onnx_data_1...
          (path === weights || path.startsWith(`${weights}_data`) || path.startsWith(`${weights}.data`))),
    );
}

/**
 * The model's files fetched into the cache, or undefined when there is nothing to fetch (another
 * provider, or a folder path). An id that is not `owner/name` is left to the provider (a cache filled by
 * hand). Download failures are DatasetErrors naming the file; a malformed revision is a ConfigError.
 */
export async function prefetchModelFiles(
  model: ModelConfig,
  environment: Record<string, string | undefined>,
  onProgress: (line: string) => void,
  signal?: AbortSignal,
): Promise<HubModelFiles | undefined> {
  if (model.provider !== "local" || isModelPath(model.model) || !hubIdPattern.test(model.model)) {
    return undefined;
  }
  const options = model.options ?? {};
  const revision = typeof options.revision === "string" ? options.revision : "main";
  if (!revisionPattern.test(revision) || revision.includes("..")) {
    throw new ConfigError(`\`options.revision\` "${revision}" is not a branch, tag or commit`, {
      key: `models.${model.id}.options.revision`,
      hint: "Use a branch, tag or 40-character commit of the model (main, v1.0): letters, digits, `.`, `_`, `-` and `/` between parts, with no `..` and no leading `/`.",
    });
  }
  try {
    return await downloadHubModelFiles({
      repository: model.model,
      revision,
      select: localModelFiles(options),
      environment,
      onProgress,
      ...(signal ? { signal } : {}),
    });
  } catch (error) {
    if (error instanceof DatasetError) {
      // Named as the model's problem: the message of a dataset download is reused as it is.
      throw new DatasetError(`${model.id}: ${error.message}`, {
        ...(error.file ? { file: error.file } : {}),
        ...(error.hint ? { hint: error.hint } : {}),
        cause: error,
      });
    }
    throw error;
  }
}
