/**
 * SageMaker JumpStart text-embedding models: `{"text_inputs": [...]}` -> `{"embedding": [[...], ...]}`.
 * https://docs.aws.amazon.com/sagemaker/latest/dg/jumpstart-foundation-models-use.html
 */
import { numberVector, objectField, vectorList } from "@embedeval/provider-contract";
import type { ConfiguredContainerFormat, ContainerFormat } from "./container-format.js";

export const jumpstartFormat: ContainerFormat = {
  id: "jumpstart",
  optionNames: [],
  configure(): ConfiguredContainerFormat {
    return {
      vectorOptions: {},
      normalized: false,
      requestBody: (texts) => ({ text_inputs: [...texts] }),
      parseResponse(body, texts) {
        let embedding = objectField(body, "embedding");
        // Some JumpStart containers answer a single input with one flat vector instead of a list of one.
        if (texts.length === 1 && Array.isArray(embedding) && typeof embedding[0] === "number")
          embedding = [embedding];
        return {
          embeddings: vectorList(embedding, texts.length, "embedding").map((vector, index) =>
            numberVector(vector, undefined, `embedding[${index}]`),
          ),
        };
      },
    };
  },
};
