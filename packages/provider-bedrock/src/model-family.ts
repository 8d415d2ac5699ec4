/**
 * A model family is the unit the wire format changes with: Titan v1 and v2, Cohere v3 and v4, Nova.
 * Each family knows its request body, its response, its options and its limits.
 */
import {
  ConfigError,
  type InputType,
  type PluginOptions,
  type ProviderCapabilities,
} from "@embedeval/provider-contract";
import { cohereEmbedV3Family, cohereEmbedV4Family } from "./cohere-family.js";
import type { CharacterCut } from "./cut-to-length.js";
import { novaMultimodalFamily } from "./nova-family.js";
import { titanTextV1Family, titanTextV2Family } from "./titan-family.js";

export interface ParsedResponse {
  embeddings: Float32Array[];
  /** Input tokens when the body reports them (Titan's inputTextTokenCount). */
  tokens?: number;
}

/** A family with its options applied: everything one InvokeModel call needs. */
export interface ConfiguredModel {
  capabilities: ProviderCapabilities;
  /** Every option that changes the vectors, with defaults filled in (part of the cache key). */
  vectorOptions: Record<string, unknown>;
  /**
   * Set when texts over capabilities.maxCharactersPerInput are to be cut (on this side) before the
   * call rather than rejected by the service.
   */
  characterCut?: CharacterCut;
  requestBody(texts: readonly string[], inputType: InputType): Record<string, unknown>;
  /** Throws UnexpectedResponseError when the body is not what the family documents. */
  parseResponse(body: unknown, texts: readonly string[]): ParsedResponse;
}

export type ModelFamilyId =
  | "titan-text-v1"
  | "titan-text-v2"
  | "cohere-embed-v3"
  | "cohere-embed-v4"
  | "nova-multimodal-v2";

export interface ModelFamily {
  id: ModelFamilyId;
  displayName: string;
  /** Model ids (without inference-profile prefix) start with one of these. */
  modelIdPrefixes: readonly string[];
  /** PluginOptions this family reads, besides the client options every family takes. */
  optionNames: readonly string[];
  configure(options: PluginOptions): ConfiguredModel;
}

export const modelFamilies: readonly ModelFamily[] = [
  titanTextV1Family,
  titanTextV2Family,
  cohereEmbedV3Family,
  cohereEmbedV4Family,
  novaMultimodalFamily,
];

/**
 * Cross-region inference profiles put a geography before the model id
 * (https://docs.aws.amazon.com/bedrock/latest/userguide/inference-profiles-support.html).
 */
const inferenceProfilePrefix = /^(us|eu|apac|global|us-gov|jp|au|ca)\./;

/** The foundation-model id inside an inference-profile id or an ARN. */
export function baseModelId(modelId: string): string {
  const afterSlash = modelId.startsWith("arn:") ? modelId.slice(modelId.lastIndexOf("/") + 1) : modelId;
  return afterSlash.replace(inferenceProfilePrefix, "");
}

/**
 * The family of a model id. `familyOverride` (option `modelFamily`) names it for ids that do not
 * carry it, such as provisioned-throughput or imported-model ARNs.
 */
export function resolveModelFamily(modelId: string, familyOverride?: string): ModelFamily {
  if (familyOverride !== undefined) {
    const family = modelFamilies.find((candidate) => candidate.id === familyOverride);
    if (family) return family;
    throw new ConfigError(`Unknown \`options.modelFamily\` "${familyOverride}".`, {
      key: "options.modelFamily",
      hint: `Use one of: ${modelFamilies.map((candidate) => candidate.id).join(", ")}.`,
    });
  }
  const base = baseModelId(modelId);
  const family = modelFamilies.find((candidate) =>
    candidate.modelIdPrefixes.some((prefix) => base.startsWith(prefix)),
  );
  if (family) return family;
  throw new ConfigError(`Bedrock model "${modelId}" is not an embedding model embedeval knows.`, {
    key: "model",
    hint:
      `Supported families: ${modelFamilies.map((candidate) => `${candidate.displayName} (${candidate.modelIdPrefixes.join(", ")})`).join("; ")}. ` +
      "Inference-profile ids (us., eu., apac., global.) work too; for a provisioned-throughput ARN set `options.modelFamily`.",
  });
}
