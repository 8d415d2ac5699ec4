/**
 * The conformance suite run against the providers that ship with @embedeval/core: hashed TF-IDF and
 * precomputed vectors (read from a JSON Lines file this test writes).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createHashedTfidfProvider, createPrecomputedProvider } from "@embedeval/core";
import { afterAll, beforeAll } from "vitest";
import { conformanceTexts, describeProviderConformance } from "../src/conformance/index.js";
import { fakeEmbedding } from "../src/index.js";

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-testkit-"));
  const lines = conformanceTexts.map((text) =>
    JSON.stringify({ text, embedding: fakeEmbedding(text, 16, { normalize: true }) }),
  );
  await writeFile(join(folder, "vectors.jsonl"), `${lines.join("\n")}\n`);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

describeProviderConformance({
  name: "core tfidf",
  createProvider: () =>
    createHashedTfidfProvider({
      model: "hashed-tfidf",
      options: { dimensions: 256 },
      baseDirectory: folder,
      environment: {},
    }),
});

describeProviderConformance({
  name: "core precomputed",
  createProvider: () =>
    createPrecomputedProvider({
      model: "precomputed",
      options: { file: "vectors.jsonl" },
      baseDirectory: folder,
      environment: {},
    }),
  errorCases: [
    {
      name: "a text with no precomputed vector",
      request: { texts: ["A text nobody embedded."] },
      expected: { retryable: false },
    },
  ],
});
