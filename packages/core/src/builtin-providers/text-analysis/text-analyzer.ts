import { porterStem } from "./porter-stemmer.js";

/**
 * Lucene's English stop words (EnglishAnalyzer.ENGLISH_STOP_WORDS_SET), the list Anserini's
 * default analyzer removes in its BM25 baselines.
 */
export const englishStopwords: ReadonlySet<string> = new Set([
  "a",
  "an",
  "and",
  "are",
  "as",
  "at",
  "be",
  "but",
  "by",
  "for",
  "if",
  "in",
  "into",
  "is",
  "it",
  "no",
  "not",
  "of",
  "on",
  "or",
  "such",
  "that",
  "the",
  "their",
  "then",
  "there",
  "these",
  "they",
  "this",
  "to",
  "was",
  "will",
  "with",
]);

export interface TextAnalyzerOptions {
  /** Drop Lucene's 33 English stop words. */
  stopwords: boolean;
  /** Reduce words to Porter stems ("connections" -> "connect"). */
  stemming: boolean;
}

export interface AnalyzedText {
  /** Index terms, in text order, after stop words and stemming. */
  terms: string[];
  /** Words found by the tokenizer before stop words were removed (the usage token count). */
  wordCount: number;
}

/**
 * Words are runs of Unicode letters, digits, combining marks and underscores, kept together across a
 * single apostrophe or period between such characters ("don't", "e.g", "v2.1", "api.example.com")
 * and across a comma between digits ("1,000"). This approximates the Unicode word-break rules
 * (UAX #29) that Lucene's StandardTokenizer implements, without its full tables.
 */
const wordPattern = /[\p{L}\p{N}\p{M}_]+(?:['\u2019.][\p{L}\p{N}\p{M}_]+|,\p{N}+)*/gu;
const possessive = /['\u2019][sS]$/;

/**
 * Analyses text like Anserini's DefaultEnglishAnalyzer: tokenize, drop the English possessive "'s",
 * lower-case, remove stop words, Porter-stem. Deterministic and locale-independent.
 */
export function analyzeText(text: string, options: TextAnalyzerOptions): AnalyzedText {
  const terms: string[] = [];
  let wordCount = 0;
  for (const match of text.matchAll(wordPattern)) {
    wordCount += 1;
    const word = match[0].replace(possessive, "").toLowerCase();
    if (word === "") continue;
    if (options.stopwords && englishStopwords.has(word)) continue;
    terms.push(options.stemming ? porterStem(word) : word);
  }
  return { terms, wordCount };
}
