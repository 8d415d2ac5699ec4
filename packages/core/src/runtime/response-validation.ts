import type { EmbeddingProvider } from "@embedeval/provider-contract";
import { ProviderError } from "@embedeval/provider-contract";

/**
 * Checks one call's answer before anything is cached or scored: one vector per text, all of one
 * dimension (the configured one when known, and the one earlier calls returned), every value finite.
 * A wrong answer is a bug in the plugin or the endpoint; sending the same request again would not fix
 * it, so the error is not retryable. Returns the dimension.
 */
export function validateEmbeddings(
  provider: EmbeddingProvider,
  embeddings: unknown,
  textCount: number,
  expectedDimension: number | undefined,
): number {
  const fail = (problem: string): never => {
    throw new ProviderError(`${provider.provider} ${provider.modelId}: ${problem}`, {
      provider: provider.provider,
      retryable: false,
      hint: "The provider plugin or the endpoint returned a malformed answer; check the model's options (dimensions, output type) and report it to the plugin's authors.",
    });
  };
  if (!Array.isArray(embeddings)) return fail("the response has no list of embeddings");
  if (embeddings.length !== textCount) {
    return fail(`returned ${embeddings.length} vectors for ${textCount} texts`);
  }
  let dimension = expectedDimension;
  for (let index = 0; index < embeddings.length; index += 1) {
    const vector: unknown = embeddings[index];
    if (!(vector instanceof Float32Array)) return fail(`vector ${index} of the call is not a Float32Array`);
    if (vector.length === 0) return fail(`vector ${index} of the call is empty`);
    if (dimension === undefined) dimension = vector.length;
    if (vector.length !== dimension) {
      return fail(
        `vector ${index} of the call has ${vector.length} dimensions, expected ${dimension}${
          expectedDimension === undefined ? " (like the vectors before it)" : ""
        }`,
      );
    }
    for (let value = 0; value < vector.length; value += 1) {
      if (!Number.isFinite(vector[value])) {
        return fail(`vector ${index} of the call holds ${vector[value]} at position ${value}`);
      }
    }
  }
  return dimension as number;
}
