/**
 * A model family is the unit the wire format changes with: Titan v1 and v2, Cohere v3 and v4, Nova.
 * Each family knows its request body, its response, its options and its limits; the registry of
 * families is model-family-registry.ts.
 */
import type { InputType, PluginOptions, ProviderCapabilities } from "@embedeval/provider-contract";
import type { ParsedEmbeddingResponse } from "@embedeval/provider-contract/aws";
import type { CharacterCut } from "./cut-to-length.js";

/** A family with its options applied: everything one InvokeModel call needs. */
export interface ConfiguredModelFamily {
  capabilities: ProviderCapabilities;
  /** Every option that changes the vectors, with defaults filled in (part of the cache key). */
  vectorOptions: Record<string, unknown>;
  /**
   * Set when texts over capabilities.maxCharactersPerInput are to be cut (on this side) before the
   * call rather than rejected by the service.
   */
  characterCut?: CharacterCut;
  requestBody(texts: readonly string[], inputType: InputType): Record<string, unknown>;
  /**
   * The vectors, and the input tokens when the body reports them (Titan's inputTextTokenCount).
   * Throws UnexpectedResponseError when the body is not what the family documents.
   */
  parseResponse(body: unknown, texts: readonly string[]): ParsedEmbeddingResponse;
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
  /** PluginOptions this family reads, besides the provider options every family takes. */
  optionNames: readonly string[];
  configure(options: PluginOptions): ConfiguredModelFamily;
}
