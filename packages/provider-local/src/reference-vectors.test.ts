/**
 * The numbers equal sentence-transformers': every tiny model (one per pooling mode) embeds the
 * reference texts as queries and as documents, fp32 and q8, and each vector must point where the
 * independent Python reference's does (test/fixtures/make-tiny-models.py wrote both the models and
 * reference-vectors.json). fp32 runs in batches of 4 against a reference made in one batch, so
 * batching and padding must not change the numbers either. The texts cover prompts, prompts left out of pooling, truncation at
 * max_seq_length, accents, CJK and unknown characters, surrounding whitespace and the empty text.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { InputType } from "@embedeval/provider-contract";
import { afterAll, describe, expect, it } from "vitest";
import { createLocalProvider, type LocalEmbeddingProvider } from "./index.js";

const fixtures = join(import.meta.dirname, "..", "test", "fixtures");

interface ReferenceVectors {
  texts: string[];
  models: Record<string, { maxSeqLength: number } & Record<"fp32" | "q8", Record<InputType, number[][]>>>;
  /** Options over tiny-mean's configuration and the query vectors sentence-transformers gives with them. */
  overrides: Array<{ model: string; options: Record<string, unknown>; query: number[][] }>;
}

const reference = JSON.parse(
  readFileSync(join(fixtures, "reference-vectors.json"), "utf8"),
) as ReferenceVectors;

function cosine(left: ArrayLike<number>, right: ArrayLike<number>): number {
  let dot = 0;
  let leftNorm = 0;
  let rightNorm = 0;
  for (let index = 0; index < left.length; index++) {
    const a = left[index] as number;
    const b = right[index] as number;
    dot += a * b;
    leftNorm += a * a;
    rightNorm += b * b;
  }
  return dot / Math.sqrt(leftNorm * rightNorm);
}

function expectReference(embeddings: Float32Array[], wanted: number[][]): void {
  expect(embeddings).toHaveLength(wanted.length);
  embeddings.forEach((vector, index) => {
    const target = wanted[index] as number[];
    expect(vector.length, `text ${index} dimension`).toBe(target.length);
    expect(
      cosine(vector, target),
      `text ${index}: ${JSON.stringify(reference.texts[index])}`,
    ).toBeGreaterThanOrEqual(0.99999);
    // Cosine ignores length; a model without Normalize must also match the reference's norm.
    expect(norm(vector) / norm(target), `text ${index} norm`).toBeCloseTo(1, 4);
  });
}

function norm(vector: ArrayLike<number>): number {
  return Math.sqrt(Array.from(vector).reduce((sum, value) => sum + value * value, 0));
}

const providers: LocalEmbeddingProvider[] = [];
afterAll(async () => {
  await Promise.all(providers.map((provider) => provider.close()));
});

for (const [name, expected] of Object.entries(reference.models)) {
  for (const dtype of ["fp32", "q8"] as const) {
    describe(`${name} ${dtype}`, () => {
      for (const inputType of ["query", "document"] as const) {
        it(`${inputType} vectors equal the Python reference (cosine >= 0.99999, same length)`, async () => {
          const provider = await createLocalProvider({
            model: `./${name}`,
            // q8 one text per batch, as its reference was made: dynamic quantisation scales a whole batch
            // tensor at once, so which texts share a batch moves quantised vectors a little.
            options: { dtype, threads: 1, batchSize: dtype === "q8" ? 1 : 4 },
            baseDirectory: fixtures,
            environment: {},
          });
          providers.push(provider);
          expect(provider.settings.maxSeqLength).toBe(expected.maxSeqLength);
          const result = await provider.embed({ texts: reference.texts, inputType });
          expectReference(result.embeddings, expected[dtype][inputType]);
        });
      }
    });
  }
}

describe("options over the model's configuration", () => {
  for (const { model, options, query } of reference.overrides) {
    it(`${JSON.stringify(options)} gives sentence-transformers' vectors with that setting`, async () => {
      const provider = await createLocalProvider({
        model: `./${model}`,
        options: { ...options, threads: 1 },
        baseDirectory: fixtures,
        environment: {},
      });
      providers.push(provider);
      const result = await provider.embed({ texts: reference.texts, inputType: "query" });
      expectReference(result.embeddings, query);
    });
  }
});
