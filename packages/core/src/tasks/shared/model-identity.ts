import { type EmbeddingProvider, isRetriever, type Retriever } from "@embedeval/provider-contract";
import type { ModelIdentity } from "../../results/task-result.js";
import type { EvaluatedModel } from "../evaluated-model.js";

/** The embedeval.model block of a result file, shared by every task type so the identity reads the same. */
export function modelIdentity(model: EvaluatedModel, provider: EmbeddingProvider | Retriever): ModelIdentity {
  return {
    id: model.id,
    name: model.hubName ?? model.id,
    provider: model.provider,
    model: model.model,
    options: {
      ...provider.vectorOptions,
      similarity: model.similarity,
      ...(model.queryPrefix ? { queryPrefix: model.queryPrefix } : {}),
      ...(model.documentPrefix ? { documentPrefix: model.documentPrefix } : {}),
    },
    revision: model.revision,
    ...(isRetriever(provider)
      ? { type: "sparse" as const }
      : {
          type: "dense" as const,
          ...(provider.capabilities.dimensions ? { dimensions: provider.capabilities.dimensions } : {}),
          ...(provider.capabilities.maxTokensPerInput
            ? { maxTokensPerInput: provider.capabilities.maxTokensPerInput }
            : {}),
        }),
  };
}
