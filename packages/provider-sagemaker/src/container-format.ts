/**
 * What goes over the wire depends on the container behind the endpoint, not on SageMaker: each
 * format knows its request body and how to find the vectors in the answer; the registry of formats
 * is container-format-registry.ts.
 */
import type { InputType, PluginOptions } from "@embedeval/provider-contract";
import type { ParsedEmbeddingResponse } from "@embedeval/provider-contract/aws";

export type ContainerFormatId = "tei" | "jumpstart" | "hf-inference-toolkit" | "custom";

export interface ConfiguredContainerFormat {
  /** PluginOptions of this format that change the vectors, defaults filled in. */
  vectorOptions: Record<string, unknown>;
  /** True when the container returns unit-length vectors. */
  normalized: boolean;
  /** Forces one text per call (a custom template with `{{text}}`). */
  maxInputsPerCall?: number;
  requestBody(texts: readonly string[], inputType: InputType): unknown;
  /** Throws UnexpectedResponseError when the body is not what the format documents. */
  parseResponse(body: unknown, texts: readonly string[]): ParsedEmbeddingResponse;
}

export interface ContainerFormat {
  /** The value of `options.format`. */
  id: ContainerFormatId;
  /** PluginOptions this format reads, besides the provider options every format takes. */
  optionNames: readonly string[];
  configure(options: PluginOptions): ConfiguredContainerFormat;
}
