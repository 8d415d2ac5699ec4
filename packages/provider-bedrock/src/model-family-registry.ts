/**
 * The model families embedeval knows, and which one a model id belongs to.
 */
import { ConfigError } from "@embedeval/provider-contract";
import { cohereEmbedV3Family, cohereEmbedV4Family } from "./cohere-family.js";
import type { ModelFamily } from "./model-family.js";
import { novaMultimodalFamily } from "./nova-family.js";
import { titanTextV1Family, titanTextV2Family } from "./titan-family.js";

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
