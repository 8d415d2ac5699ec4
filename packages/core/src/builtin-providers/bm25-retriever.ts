/**
 * Okapi BM25, the lexical reference row of every BEIR table, as Lucene 8+ and Anserini score it:
 *
 *   score(q, d) = sum over query terms t of  qtf(t) * idf(t) * tf / (tf + k1 * (1 - b + b * dl / avgdl))
 *   idf(t)      = ln(1 + (N - df + 0.5) / (df + 0.5))
 *
 * (Lucene's BM25Similarity, https://lucene.apache.org/core/9_0_0/core/org/apache/lucene/search/similarities/BM25Similarity.html).
 * Lucene 8 dropped the textbook (k1 + 1) numerator factor; it multiplies every score of a query by
 * the same constant, so rankings are unchanged. qtf is how often the term occurs in the query, as in
 * Anserini's bag-of-words query generator. Defaults k1 = 0.9, b = 0.4 are Anserini's BEIR baselines.
 * Terms come from an analyzer like Anserini's default English one (lower case, Lucene's stop words,
 * Porter stems).
 *
 * Document lengths are rounded as Lucene's one-byte norm rounds them (lucene-length-norm.ts), unless
 * `exactLengths` is set; the average length is exact, as in Lucene. Known differences from Anserini:
 * the tokenizer approximates Lucene's StandardTokenizer (see text-analyzer.ts), and scores are
 * computed in float64 rather than float32. Ranks match Anserini's closely but not bit for bit.
 */
import type {
  ProviderPlugin,
  ProviderSettings,
  RetrieveInput,
  Retriever,
  ScoredDocument,
} from "@embedeval/provider-contract";
import { CancelledError, ProviderOptions } from "@embedeval/provider-contract";
import { compareDocumentIds } from "../trec/document-id-order.js";
import { luceneDocumentLength } from "./text-analysis/lucene-length-norm.js";
import { analyzeText, type TextAnalyzerOptions } from "./text-analysis/text-analyzer.js";

export interface Bm25Options extends TextAnalyzerOptions {
  /** Term-frequency saturation. Default 0.9 (Anserini's BEIR baseline; Lucene's own default is 1.2). */
  k1: number;
  /** Document-length normalisation, 0 (none) to 1 (full). Default 0.4 (Anserini; Lucene: 0.75). */
  b: number;
  /** Use exact document lengths instead of Lucene's one-byte rounding. Default false (as Anserini). */
  exactLengths?: boolean;
  modelId?: string;
}

const providerName = "bm25";

export class Bm25Retriever implements Retriever {
  readonly specificationVersion = "v1";
  readonly provider = providerName;
  readonly modelId: string;
  readonly vectorOptions: Readonly<Record<string, unknown>>;

  constructor(private readonly options: Bm25Options) {
    this.modelId = options.modelId ?? "bm25";
    this.vectorOptions = {
      k1: options.k1,
      b: options.b,
      stopwords: options.stopwords,
      stemming: options.stemming,
      exactLengths: options.exactLengths ?? false,
    };
  }

  async retrieve(input: RetrieveInput): Promise<Map<string, ScoredDocument[]>> {
    const { documents, queries, topK, signal } = input;
    const index = this.buildIndex(documents, signal);
    const scores = new Float64Array(documents.length);
    const results = new Map<string, ScoredDocument[]>();
    for (const query of queries) {
      if (signal?.aborted) throw new CancelledError("Cancelled during BM25 retrieval.");
      const queryTerms = new Map<string, number>();
      for (const term of analyzeText(query.text, this.options).terms) {
        queryTerms.set(term, (queryTerms.get(term) ?? 0) + 1);
      }
      const touched: number[] = [];
      for (const [term, queryCount] of queryTerms) {
        const postings = index.postings.get(term);
        if (!postings) continue;
        const documentFrequency = postings.documents.length;
        const idf = Math.log(1 + (documents.length - documentFrequency + 0.5) / (documentFrequency + 0.5));
        const weight = queryCount * idf;
        for (let position = 0; position < documentFrequency; position += 1) {
          const document = postings.documents[position] as number;
          const frequency = postings.frequencies[position] as number;
          if (scores[document] === 0) touched.push(document);
          scores[document] =
            (scores[document] ?? 0) + (weight * frequency) / (frequency + (index.lengthNorms[document] ?? 0));
        }
      }
      // Only documents sharing a term with the query are returned, as in Lucene. Order: score
      // descending, ties by id descending (trec_eval's order), so a cut at topK keeps what trec_eval
      // would rank first.
      // Only the documents that can make the top k become objects: the k-th best score, found with a
      // native numeric sort, is the bar (ties at the bar are all kept, then ordered by id).
      let bar = Number.NEGATIVE_INFINITY;
      if (touched.length > topK) {
        const touchedScores = Float64Array.from(touched, (document) => scores[document] as number);
        touchedScores.sort();
        bar = touchedScores[touchedScores.length - topK] as number;
      }
      const ranked: { id: string; score: number }[] = [];
      for (const document of touched) {
        const score = scores[document] as number;
        if (score >= bar) ranked.push({ id: documents[document]?.id as string, score });
      }
      ranked.sort((left, right) => right.score - left.score || compareDocumentIds(right.id, left.id));
      results.set(query.id, ranked.slice(0, topK));
      for (const document of touched) scores[document] = 0;
    }
    return results;
  }

  private buildIndex(documents: RetrieveInput["documents"], signal: AbortSignal | undefined) {
    const postings = new Map<string, { documents: number[]; frequencies: number[] }>();
    const lengths = new Float64Array(documents.length);
    let totalLength = 0;
    documents.forEach((document, documentIndex) => {
      if (documentIndex % 1024 === 0 && signal?.aborted)
        throw new CancelledError("Cancelled while indexing for BM25.");
      const { terms } = analyzeText(document.text, this.options);
      lengths[documentIndex] = terms.length;
      totalLength += terms.length;
      const counts = new Map<string, number>();
      for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, count] of counts) {
        let list = postings.get(term);
        if (!list) {
          list = { documents: [], frequencies: [] };
          postings.set(term, list);
        }
        list.documents.push(documentIndex);
        list.frequencies.push(count);
      }
    });
    const averageLength = documents.length > 0 ? totalLength / documents.length : 0;
    const { k1, b } = this.options;
    const exact = this.options.exactLengths ?? false;
    const lengthNorms = lengths.map((length) => {
      const scoredLength = exact ? length : luceneDocumentLength(length);
      return averageLength > 0 ? k1 * (1 - b + (b * scoredLength) / averageLength) : k1 * (1 - b);
    });
    return { postings, lengthNorms };
  }
}

/** Builds the retriever from config: options `k1`, `b`, `stopwords`, `stemming`, `exactLengths`. */
export function createBm25Retriever(settings: ProviderSettings): Bm25Retriever {
  const options = new ProviderOptions(providerName, settings.options, [
    "k1",
    "b",
    "stopwords",
    "stemming",
    "exactLengths",
  ]);
  return new Bm25Retriever({
    k1: options.number("k1", 0.9, { min: 0 }),
    b: options.number("b", 0.4, { min: 0, max: 1 }),
    stopwords: options.boolean("stopwords", true),
    stemming: options.boolean("stemming", true),
    exactLengths: options.boolean("exactLengths", false),
    modelId: settings.model || "bm25",
  });
}

export const bm25Provider: ProviderPlugin = {
  specificationVersion: "v1",
  name: providerName,
  knownModels: ["bm25"],
  pricesPerMillionTokens: { bm25: 0 },
  create: createBm25Retriever,
};
