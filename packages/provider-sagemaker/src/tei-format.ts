/**
 * Hugging Face Text Embeddings Inference (TEI), the container SageMaker's Hugging Face embedding
 * deployments use: `{"inputs": [...], "normalize", "truncate", "truncation_direction", "prompt_name"}`
 * -> `[[...], ...]`. https://huggingface.github.io/text-embeddings-inference/#/Text%20Embeddings%20Inference/embed
 */
import { numberVector, readBoolean, readChoice, readString, vectorList } from "@embedeval/provider-contract";
import type { ConfiguredContainerFormat, ContainerFormat } from "./container-format.js";

export const teiFormat: ContainerFormat = {
  id: "tei",
  optionNames: ["normalize", "truncate", "truncationDirection", "queryPromptName", "documentPromptName"],
  configure(options): ConfiguredContainerFormat {
    const normalize = readBoolean(options, "normalize") ?? true;
    // TEI's own default is to reject over-long inputs; an evaluation scores a long document by its
    // beginning instead, the way MTEB truncates.
    const truncate = readBoolean(options, "truncate") ?? true;
    const truncationDirection =
      readChoice(options, "truncationDirection", ["Right", "Left"] as const, "TEI") ?? "Right";
    // Prompts configured in the model's sentence-transformers config (E5's "query", BGE's instruction).
    const queryPromptName = readString(options, "queryPromptName");
    const documentPromptName = readString(options, "documentPromptName");
    return {
      vectorOptions: {
        normalize,
        truncate,
        truncationDirection,
        queryPromptName: queryPromptName ?? null,
        documentPromptName: documentPromptName ?? null,
      },
      normalized: normalize,
      requestBody(texts, inputType) {
        const promptName = inputType === "query" ? queryPromptName : documentPromptName;
        return {
          inputs: [...texts],
          normalize,
          truncate,
          truncation_direction: truncationDirection,
          ...(promptName === undefined ? {} : { prompt_name: promptName }),
        };
      },
      parseResponse(body, texts) {
        return {
          embeddings: vectorList(body, texts.length, "response").map((vector, index) =>
            numberVector(vector, undefined, `response[${index}]`),
          ),
        };
      },
    };
  },
};
