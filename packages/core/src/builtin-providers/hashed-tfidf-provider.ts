/**
 * A hashed TF-IDF dense baseline: runs offline, needs no model download, and gives every dense
 * pipeline (runtime, cache, exact search, metrics) a deterministic model to run against.
 *
 * Vector of a text: for each distinct term t (analysed like BM25: lower-case, stop words, Porter
 * stems by default), weight = (1 + ln tf) * idf(t), added with a sign to bucket
 * fnv1a32(t) mod dimensions; then L2-normalised. The signed hashing trick (Weinberger et al. 2009,
 * as in scikit-learn's HashingVectorizer alternate_sign) makes bucket collisions cancel out in
 * expectation instead of inflating dot products.
 *
 * Where idf comes from: embed() sees texts batch by batch, and a vector must not depend on which
 * batches came before (the cache stores vectors across runs), so idf cannot be learned on the fly.
 * Instead the factory reads a corpus named in config (`corpus`: the BEIR folder or a corpus JSONL)
 * once, before any call, and uses scikit-learn's smoothed idf ln((1 + N) / (1 + df)) + 1 over its
 * documents (title and text joined as MTEB does). The corpus file's sha256 is a vector option, so
 * the cache tells vectors fitted on different corpora apart. Without `corpus` every idf is 1
 * (log-scaled term frequencies only) and the first response says so in a warning.
 */
import { stat } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import type {
  EmbeddingProvider,
  EmbedRequest,
  EmbedResponse,
  ProviderCapabilities,
  ProviderPlugin,
  ProviderSettings,
} from "@embedeval/provider-contract";
import { DatasetError, ProviderOptions } from "@embedeval/provider-contract";
import { documentText } from "../datasets/beir-folder-loader.js";
import { readJsonLines, sha256 } from "../datasets/read-lines.js";
import { fnv1a32 } from "./text-analysis/fnv1a-hash.js";
import { analyzeText, type TextAnalyzerOptions } from "./text-analysis/text-analyzer.js";

export interface HashedTfidfOptions extends TextAnalyzerOptions {
  /** Number of hash buckets, i.e. the vector dimension. Default 4096. */
  dimensions: number;
  /** Document frequencies of the fitting corpus; undefined means idf 1 for every term. */
  idf?: InverseDocumentFrequencies;
  /** The model id reported in results. */
  modelId?: string;
}

export interface InverseDocumentFrequencies {
  documentCount: number;
  documentFrequencies: ReadonlyMap<string, number>;
  /** sha256 of the corpus file the statistics came from, part of the cache key. */
  source: string;
}

const providerName = "tfidf";

export class HashedTfidfProvider implements EmbeddingProvider {
  readonly specificationVersion = "v1";
  readonly provider = providerName;
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly features = new Map<string, { bucket: number; weight: number }>();
  private warnedAboutIdf = false;

  constructor(private readonly options: HashedTfidfOptions) {
    this.modelId = options.modelId ?? "hashed-tfidf";
    this.capabilities = {
      maxInputsPerCall: 512,
      dimensions: options.dimensions,
      normalized: true,
      supportsParallelCalls: true,
    };
    this.vectorOptions = {
      dimensions: options.dimensions,
      stopwords: options.stopwords,
      stemming: options.stemming,
      hash: "fnv1a32-signed",
      termFrequency: "sublinear",
      idfCorpus: options.idf?.source ?? null,
    };
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    // In-process and quick, but a call cancelled before it starts must still reject, as the contract says.
    request.signal?.throwIfAborted();
    const embeddings: Float32Array[] = [];
    const warnings: string[] = [];
    let tokens = 0;
    let empty = 0;
    const accumulator = new Float64Array(this.options.dimensions);
    for (const text of request.texts) {
      const { terms, wordCount } = analyzeText(text, this.options);
      tokens += wordCount;
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      accumulator.fill(0);
      for (const [term, count] of counts) {
        const feature = this.feature(term);
        accumulator[feature.bucket] =
          (accumulator[feature.bucket] ?? 0) + (1 + Math.log(count)) * feature.weight;
      }
      let squaredNorm = 0;
      for (const value of accumulator) squaredNorm += value * value;
      const vector = new Float32Array(this.options.dimensions);
      if (squaredNorm > 0) {
        const scale = 1 / Math.sqrt(squaredNorm);
        for (let index = 0; index < vector.length; index += 1)
          vector[index] = (accumulator[index] ?? 0) * scale;
      } else {
        empty += 1;
      }
      embeddings.push(vector);
    }
    if (empty > 0) warnings.push(`${empty} text(s) contain no indexable word; their vectors are all zeros.`);
    if (!this.options.idf && !this.warnedAboutIdf) {
      this.warnedAboutIdf = true;
      warnings.push(
        "tfidf has no `corpus` option, so every idf is 1 (log term frequencies only); set options.corpus to the dataset folder.",
      );
    }
    return {
      embeddings,
      usage: { tokens, source: "provider" },
      ...(warnings.length > 0 ? { warnings } : {}),
    };
  }

  private feature(term: string): { bucket: number; weight: number } {
    let feature = this.features.get(term);
    if (!feature) {
      const hash = fnv1a32(term);
      const sign = hash & 0x80000000 ? -1 : 1;
      const idf = this.options.idf;
      const weight = idf
        ? Math.log((1 + idf.documentCount) / (1 + (idf.documentFrequencies.get(term) ?? 0))) + 1
        : 1;
      feature = { bucket: (hash & 0x7fffffff) % this.options.dimensions, weight: sign * weight };
      this.features.set(term, feature);
    }
    return feature;
  }
}

/**
 * Counts, for each analysed term, the documents of a corpus that contain it. `path` is a BEIR folder
 * (its corpus.jsonl or corpus.jsonl.gz is read) or a corpus JSON Lines file of {title?, text}.
 */
export async function readDocumentFrequencies(
  path: string,
  analyzer: TextAnalyzerOptions,
  signal?: AbortSignal,
): Promise<InverseDocumentFrequencies> {
  const file = await resolveCorpusFile(path);
  const hash = sha256();
  const documentFrequencies = new Map<string, number>();
  let documentCount = 0;
  for await (const { value: record, lineNumber } of readJsonLines(file, {
    hash,
    ...(signal ? { signal } : {}),
  })) {
    const { title, text } = record as { title?: unknown; text?: unknown };
    if (typeof text !== "string" || (title !== undefined && title !== null && typeof title !== "string")) {
      throw new DatasetError("Expected an object with a string `text` (and an optional string `title`).", {
        file,
        line: lineNumber,
      });
    }
    documentCount += 1;
    const terms = new Set(analyzeText(documentText({ title: title ?? "", text }), analyzer).terms);
    for (const term of terms) documentFrequencies.set(term, (documentFrequencies.get(term) ?? 0) + 1);
  }
  if (documentCount === 0) {
    throw new DatasetError("The corpus used for tfidf's idf is empty.", { file });
  }
  return { documentCount, documentFrequencies, source: hash.digest("hex") };
}

async function resolveCorpusFile(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (info?.isFile()) return path;
  if (info?.isDirectory()) {
    for (const name of ["corpus.jsonl", "corpus.jsonl.gz"]) {
      const candidate = join(path, name);
      if ((await stat(candidate).catch(() => undefined))?.isFile()) return candidate;
    }
    throw new DatasetError(`${path} holds no corpus.jsonl or corpus.jsonl.gz.`, {
      file: path,
      hint: "Point tfidf's `corpus` option at a BEIR folder or at a corpus JSON Lines file.",
    });
  }
  throw new DatasetError(`tfidf's corpus ${path} does not exist.`, {
    file: path,
    hint: "Point tfidf's `corpus` option at a BEIR folder or at a corpus JSON Lines file, relative to the config file.",
  });
}

/** Builds the provider from config: options `dimensions`, `corpus`, `stopwords`, `stemming`. */
export async function createHashedTfidfProvider(settings: ProviderSettings): Promise<HashedTfidfProvider> {
  const options = new ProviderOptions(providerName, settings.options, [
    "dimensions",
    "corpus",
    "stopwords",
    "stemming",
  ]);
  const analyzer: TextAnalyzerOptions = {
    stopwords: options.boolean("stopwords", true),
    stemming: options.boolean("stemming", true),
  };
  const dimensions = options.number("dimensions", 4096, { integer: true, min: 1, max: 1 << 20 });
  const corpus = options.string("corpus");
  const idf =
    corpus === undefined
      ? undefined
      : await readDocumentFrequencies(
          isAbsolute(corpus) ? corpus : resolve(settings.baseDirectory, corpus),
          analyzer,
        );
  return new HashedTfidfProvider({
    ...analyzer,
    dimensions,
    ...(idf ? { idf } : {}),
    modelId: settings.model || "hashed-tfidf",
  });
}

export const tfidfProvider: ProviderPlugin = {
  specificationVersion: "v1",
  name: providerName,
  knownModels: ["hashed-tfidf"],
  pricesPerMillionTokens: { "hashed-tfidf": 0 },
  create: createHashedTfidfProvider,
};
