/**
 * Public list prices in USD per million input tokens, by model id. They change: check the vendor's
 * pricing page before relying on them, and override per model with `pricePerMillionTokens` in config.
 * Bedrock: https://aws.amazon.com/bedrock/pricing/ ; OpenAI: https://openai.com/api/pricing/
 */
export const defaultPricesPerMillionTokens: Readonly<Record<string, number>> = Object.freeze({
  "amazon.titan-embed-text-v1": 0.1,
  "amazon.titan-embed-text-v2:0": 0.02,
  "cohere.embed-english-v3": 0.1,
  "cohere.embed-multilingual-v3": 0.1,
  "cohere.embed-v4:0": 0.12,
  "text-embedding-3-small": 0.02,
  "text-embedding-3-large": 0.13,
  "text-embedding-ada-002": 0.1,
});

/**
 * Bedrock cross-region inference profiles prefix the model id with a geography
 * (`us.cohere.embed-v4:0`); the price is the model's.
 */
const inferenceProfilePrefix = /^(?:us|eu|apac|global|us-gov|jp|au|ca)\./;

export interface PriceLookupOptions {
  /** The model's own override from config; wins over every table. */
  override?: number | null;
  /** Extra tables (a plugin's `pricesPerMillionTokens`), consulted before the built-in one. */
  tables?: ReadonlyArray<Readonly<Record<string, number>>>;
}

/** USD per million input tokens for `modelId`, or null when no table knows it. */
export function lookupPricePerMillionTokens(
  modelId: string,
  options: PriceLookupOptions = {},
): number | null {
  if (options.override !== undefined && options.override !== null) return options.override;
  const candidates = modelIdCandidates(modelId);
  for (const table of [...(options.tables ?? []), defaultPricesPerMillionTokens]) {
    for (const candidate of candidates) {
      const price = table[candidate];
      if (price !== undefined) return price;
    }
  }
  return null;
}

function modelIdCandidates(modelId: string): string[] {
  // An ARN (`arn:aws:bedrock:...:inference-profile/us.amazon.titan-embed-text-v2:0`) ends with the id.
  const bare = modelId.startsWith("arn:") ? modelId.slice(modelId.lastIndexOf("/") + 1) : modelId;
  const withoutProfile = bare.replace(inferenceProfilePrefix, "");
  const candidates = [modelId, bare, withoutProfile];
  // "amazon.titan-embed-text-v2" and "amazon.titan-embed-text-v2:0" name the same model.
  if (!withoutProfile.includes(":")) candidates.push(`${withoutProfile}:0`);
  else candidates.push(withoutProfile.replace(/:0$/, ""));
  return [...new Set(candidates)];
}
