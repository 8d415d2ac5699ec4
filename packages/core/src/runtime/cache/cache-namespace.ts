import { createHash } from "node:crypto";
import type { EmbeddingProvider, InputType } from "@embedeval/provider-contract";
import { canonicalJson } from "./canonical-json.js";

/**
 * Everything that decides which vector a text gets, apart from the text itself. Two runs share cached
 * vectors only when all of it is equal. The input type is part of it on purpose: MTEB's cache keys by
 * text alone, so a query and a document with the same text get the same vector even for models that
 * embed them differently (embeddings-benchmark/mteb issue #5383).
 */
export interface CacheNamespaceDescription {
  provider: string;
  model: string;
  /** Every option that changes vectors: dimensions, normalisation, truncation, prefixes, output type. */
  vectorOptions: Readonly<Record<string, unknown>>;
  inputType: InputType;
  /**
   * The model revision from config. Part of the key only when set, so bumping it re-embeds: the way to
   * tell the cache that the model behind an unchanged name (a SageMaker endpoint updated in place) changed.
   */
  revision?: string;
}

export interface CacheNamespace {
  /** sha256 (hex) of the canonical JSON of the description and the cache format version. */
  readonly id: string;
  /** The same digest as raw bytes; every segment header carries it, so a misplaced file is refused. */
  readonly digest: Uint8Array;
  readonly description: CacheNamespaceDescription;
}

/** Bumped when the meaning of a cached vector changes (not when the file layout does: that has its own). */
const namespaceVersion = 1;

export function cacheNamespace(description: CacheNamespaceDescription): CacheNamespace {
  const canonical = canonicalJson({
    version: namespaceVersion,
    provider: description.provider,
    model: description.model,
    vectorOptions: description.vectorOptions,
    inputType: description.inputType,
    ...(description.revision === undefined ? {} : { revision: description.revision }),
  });
  const digest = createHash("sha256").update(canonical, "utf8").digest();
  return { id: digest.toString("hex"), digest: new Uint8Array(digest), description };
}

/** The namespace of a configured provider for one input type. */
export function cacheNamespaceFor(
  provider: EmbeddingProvider,
  inputType: InputType,
  revision?: string,
): CacheNamespace {
  return cacheNamespace({
    provider: provider.provider,
    model: provider.modelId,
    vectorOptions: provider.vectorOptions,
    inputType,
    ...(revision === undefined ? {} : { revision }),
  });
}
