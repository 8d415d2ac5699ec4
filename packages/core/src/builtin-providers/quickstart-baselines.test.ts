import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { documentText, loadBeirFolder } from "../datasets/beir-folder-loader.js";
import { evaluateRun } from "../metrics/evaluate-run.js";
import { retrievalKValues } from "../tasks/retrieval-task.js";
import type { Run } from "../trec/run.js";
import { createBm25Retriever } from "./bm25-retriever.js";
import { createHashedTfidfProvider } from "./hashed-tfidf-provider.js";

// The quickstart dataset is written for this project by a committed generator; these tests check that
// the committed files are what it produces, that the dataset has the promised shape, and that the
// built-in lexical baselines score in a moderate range on it (neither trivial nor hopeless).
const quickstart = fileURLToPath(new URL("../../../../examples/quickstart/", import.meta.url));
const dataFolder = join(quickstart, "data");
const settings = (options: Record<string, unknown>) => ({
  model: "",
  options,
  baseDirectory: quickstart,
  environment: {},
});

describe("quickstart dataset", () => {
  it("is reproduced byte for byte by its generator", async () => {
    const output = await mkdtemp(join(tmpdir(), "embedeval-quickstart-"));
    try {
      await promisify(execFile)(process.execPath, [
        join(quickstart, "scripts", "generate-dataset.mjs"),
        output,
      ]);
      for (const file of ["corpus.jsonl", "queries.jsonl", join("qrels", "test.tsv")]) {
        expect(await readFile(join(output, file), "utf8"), file).toBe(
          await readFile(join(dataFolder, file), "utf8"),
        );
      }
    } finally {
      await rm(output, { recursive: true, force: true });
    }
  });

  it("has a few hundred documents and 60+ queries with graded, sometimes multiple, judgments", async () => {
    const dataset = await loadBeirFolder({ folder: dataFolder, split: "test", name: "quickstart" });
    expect(dataset.warnings).toEqual([]);
    expect(dataset.corpus.length).toBeGreaterThanOrEqual(300);
    expect(dataset.queries.length).toBeGreaterThanOrEqual(60);
    const grades = new Set([...dataset.qrels.values()].flatMap((judgments) => [...judgments.values()]));
    expect([...grades].sort()).toEqual([1, 2]);
    const multiple = [...dataset.qrels.values()].filter((judgments) => judgments.size > 1).length;
    expect(multiple).toBeGreaterThanOrEqual(20);
  });

  it("gives BM25 and hashed TF-IDF moderate, not perfect, nDCG@10", async () => {
    const dataset = await loadBeirFolder({ folder: dataFolder, split: "test", name: "quickstart" });
    const documents = dataset.corpus.map((document) => ({ id: document.id, text: documentText(document) }));

    const bm25Run = await createBm25Retriever(settings({})).retrieve({
      documents,
      queries: dataset.queries,
      topK: 1000,
    });
    const bm25 =
      evaluateRun(dataset.qrels, bm25Run, { kValues: retrievalKValues, scoreMissingQueries: true }).averages
        .ndcg_at_10 ?? 0;

    const tfidf = await createHashedTfidfProvider(settings({ corpus: "data" }));
    const documentVectors = (
      await tfidf.embed({ texts: documents.map((document) => document.text), inputType: "document" })
    ).embeddings;
    const queryVectors = (
      await tfidf.embed({ texts: dataset.queries.map((query) => query.text), inputType: "query" })
    ).embeddings;
    // Vectors are unit length, so the dot product is the cosine similarity.
    const tfidfRun: Run = new Map(
      dataset.queries.map((query, queryIndex) => {
        const queryVector = queryVectors[queryIndex] as Float32Array;
        const scored = documents.map((document, documentIndex) => {
          const documentVector = documentVectors[documentIndex] as Float32Array;
          let score = 0;
          for (let index = 0; index < queryVector.length; index += 1) {
            score += (queryVector[index] as number) * (documentVector[index] as number);
          }
          return { id: document.id, score };
        });
        return [query.id, scored];
      }),
    );
    const tfidfScore =
      evaluateRun(dataset.qrels, tfidfRun, { kValues: retrievalKValues, scoreMissingQueries: true }).averages
        .ndcg_at_10 ?? 0;

    expect(bm25).toBeGreaterThan(0.4);
    expect(bm25).toBeLessThan(0.85);
    expect(tfidfScore).toBeGreaterThan(0.35);
    expect(tfidfScore).toBeLessThan(0.85);
  });
});
