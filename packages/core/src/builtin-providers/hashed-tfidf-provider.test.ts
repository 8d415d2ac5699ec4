import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DatasetError } from "@embedeval/provider-contract";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHashedTfidfProvider } from "./hashed-tfidf-provider.js";
import { fnv1a32 } from "./text-analysis/fnv1a-hash.js";

const corpus = [
  {
    _id: "keys",
    title: "Rotating access keys",
    text: "Create a new access key, switch clients to it, then delete the old key.",
  },
  {
    _id: "backup",
    title: "Nightly backups",
    text: "Database backups run every night and are kept for thirty days.",
  },
  {
    _id: "billing",
    title: "Invoices",
    text: "Invoices are issued monthly; the billing page lists every charge.",
  },
  { _id: "dns", title: "DNS records", text: "Point a domain at the load balancer with a CNAME record." },
];

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-tfidf-"));
  await writeFile(join(folder, "corpus.jsonl"), `${corpus.map((line) => JSON.stringify(line)).join("\n")}\n`);
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const settings = (options: Record<string, unknown>) => ({
  model: "hashed-tfidf",
  options,
  baseDirectory: folder,
  environment: {},
});

const dot = (left: Float32Array, right: Float32Array) =>
  left.reduce((sum, value, index) => sum + value * (right[index] ?? 0), 0);

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });
});

describe("hashed TF-IDF provider", () => {
  it("ranks the matching document first for a paraphrased query", async () => {
    const provider = await createHashedTfidfProvider(settings({ corpus: "." }));
    const documents = corpus.map((document) => `${document.title} ${document.text}`);
    const { embeddings } = await provider.embed({ texts: documents, inputType: "document" });
    const queries = [
      "how do I rotate my access keys",
      "when are backups taken",
      "where can I see my invoice",
    ];
    const { embeddings: queryVectors, usage } = await provider.embed({ texts: queries, inputType: "query" });
    expect(usage).toEqual({ tokens: 17, source: "provider" });
    const best = queryVectors.map((query) => {
      const scores = embeddings.map((document) => dot(query, document));
      return corpus[scores.indexOf(Math.max(...scores))]?._id;
    });
    expect(best).toEqual(["keys", "backup", "billing"]);
  });

  it("is deterministic, L2-normalised and of the configured dimension", async () => {
    const first = await createHashedTfidfProvider(settings({ corpus: "corpus.jsonl", dimensions: 256 }));
    const second = await createHashedTfidfProvider(
      settings({ corpus: join(folder, "corpus.jsonl"), dimensions: 256 }),
    );
    const text = "Database backups run every night";
    const [a] = (await first.embed({ texts: [text], inputType: "document" })).embeddings;
    const [b] = (await second.embed({ texts: [text], inputType: "query" })).embeddings;
    expect(a).toBeInstanceOf(Float32Array);
    expect(a?.length).toBe(256);
    expect(a).toEqual(b);
    expect(dot(a as Float32Array, a as Float32Array)).toBeCloseTo(1, 6);
    expect(first.capabilities.dimensions).toBe(256);
    expect(first.vectorOptions.idfCorpus).toMatch(/^[0-9a-f]{64}$/);
    expect(first.vectorOptions.idfCorpus).toBe(second.vectorOptions.idfCorpus);
  });

  it("weights rare terms above common ones when a corpus is given", async () => {
    const provider = await createHashedTfidfProvider(settings({ corpus: ".", stemming: false }));
    // "invoices" occurs in one document, "the" in two: with idf the rare word dominates the vector.
    const [vector] = (await provider.embed({ texts: ["the invoices"], inputType: "query" })).embeddings;
    const [rare] = (await provider.embed({ texts: ["invoices"], inputType: "query" })).embeddings;
    expect(dot(vector as Float32Array, rare as Float32Array)).toBeGreaterThan(Math.SQRT1_2);
  });

  it("warns once without a corpus, and returns a zero vector for a text without words", async () => {
    const provider = await createHashedTfidfProvider(settings({}));
    const first = await provider.embed({ texts: ["hello world", "!!!"], inputType: "document" });
    expect(first.warnings).toEqual([
      "1 text(s) contain no indexable word; their vectors are all zeros.",
      expect.stringMatching(/^tfidf has no `corpus` option/),
    ]);
    expect(first.embeddings[1]?.every((value) => value === 0)).toBe(true);
    const second = await provider.embed({ texts: ["hello"], inputType: "document" });
    expect(second.warnings).toBeUndefined();
    expect(provider.vectorOptions.idfCorpus).toBeNull();
  });

  it("names a missing corpus and a malformed corpus line", async () => {
    await expect(createHashedTfidfProvider(settings({ corpus: "nowhere" }))).rejects.toThrow(
      `tfidf's corpus ${join(folder, "nowhere")} does not exist.`,
    );
    await writeFile(join(folder, "broken.jsonl"), '{"text": "fine"}\n{"text": \n');
    const error = await createHashedTfidfProvider(settings({ corpus: "broken.jsonl" })).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(DatasetError);
    expect(error.line).toBe(2);
  });
});
