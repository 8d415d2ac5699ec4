/**
 * The Hugging Face Inference Toolkit (the SageMaker Hugging Face inference containers):
 * `{"inputs": [...], "parameters": {...}}`. A sentence-transformers model answers one vector per
 * input; a plain transformers model on the feature-extraction task answers token vectors, per input
 * `[1][seq][hidden]` (unpadded) or as one padded `[batch][seq][hidden]` tensor, which are mean-pooled
 * here. https://github.com/aws/sagemaker-huggingface-inference-toolkit
 */

import {
  ConfigError,
  numberVector,
  type PluginOptions,
  UnexpectedResponseError,
  vectorList,
} from "@embedeval/provider-contract";
import type { ConfiguredContainerFormat, ContainerFormat } from "./container-format.js";
import { meanPool } from "./mean-pool.js";

function readParameters(options: PluginOptions): Record<string, unknown> | undefined {
  const value = options.parameters;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError("`options.parameters` must be a mapping, sent as the request's `parameters`.", {
      key: "options.parameters",
    });
  }
  return value as Record<string, unknown>;
}

/** How deeply numbers are nested: 1 for a vector, 2 for a list of vectors, ... */
function depth(value: unknown): number {
  let levels = 0;
  let current = value;
  while (Array.isArray(current)) {
    levels++;
    current = current[0];
  }
  return typeof current === "number" ? levels : -1;
}

export const huggingFaceToolkitFormat: ContainerFormat = {
  id: "hf-inference-toolkit",
  optionNames: ["parameters"],
  configure(options): ConfiguredContainerFormat {
    const parameters = readParameters(options);
    return {
      vectorOptions: { parameters: parameters ?? null, pooling: "mean-if-token-level" },
      normalized: false,
      requestBody: (texts) => ({ inputs: [...texts], ...(parameters === undefined ? {} : { parameters }) }),
      parseResponse(body, texts) {
        const items = vectorList(body, texts.length, "response");
        const warnings: string[] = [];
        const sequenceLengths: number[] = [];
        const embeddings = items.map((item, index) => {
          const where = `response[${index}]`;
          switch (depth(item)) {
            case 1:
              return numberVector(item, undefined, where);
            case 2:
              sequenceLengths.push((item as unknown[]).length);
              return meanPool(item, where);
            case 3: {
              const [only, ...others] = item as unknown[];
              if (others.length > 0) {
                throw new UnexpectedResponseError(
                  `${where} holds ${others.length + 1} sequences for one input.`,
                  "shape",
                );
              }
              sequenceLengths.push((only as unknown[]).length);
              return meanPool(only, `${where}[0]`);
            }
            default:
              throw new UnexpectedResponseError(
                `${where} is not a vector or a list of token vectors.`,
                "shape",
              );
          }
        });
        const padded =
          sequenceLengths.length > 1 && sequenceLengths.every((length) => length === sequenceLengths[0]);
        if (padded) {
          warnings.push(
            "Token-level output of one length for every input was mean-pooled without an attention mask: " +
              "padding tokens may be included. Deploy a sentence-transformers model (sentence-level output) to avoid this.",
          );
        }
        return warnings.length > 0 ? { embeddings, warnings } : { embeddings };
      },
    };
  },
};
