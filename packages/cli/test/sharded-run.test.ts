import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "./cli-harness.js";

/**
 * A sharded run through the CLI (plan -> run --shard per cell -> merge) must write the very files one
 * `embedeval run` writes. The corpus is larger than the retrieval depth (1,000) and full of exact
 * ties (documents share vectors), with ids whose byte order differs from file order, so the cut at
 * the top 1000 falls inside groups of equal scores and only trec_eval's tie order gets it right.
 */
const documentCount = 2_500;
const queryCount = 30;
const dimension = 8;

let folder: string;
/** query id -> judged document id -> relevance, as written to qrels/test.tsv. */
const judged = new Map<string, Map<string, number>>();

/** xorshift32, so the data is the same on every run. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), "embedeval-sharded-"));
  const random = generator(11);
  const pattern = (index: number) =>
    Array.from({ length: dimension }, (_, column) => Math.floor(index / 3 ** column) % 3);
  const corpus: string[] = [];
  const vectors: string[] = [];
  for (let index = 0; index < documentCount; index++) {
    // A permutation of 0..2499 (7919 is prime to 2500): ids out of file order.
    const id = `doc-${(index * 7919) % documentCount}`;
    corpus.push(JSON.stringify({ _id: id, title: "", text: `text ${index}` }));
    // 400 patterns for 2,500 documents: about six documents share each vector, and so each score.
    vectors.push(
      JSON.stringify({ text: `text ${index}`, embedding: pattern(index % 400), inputType: "document" }),
    );
  }
  const queries: string[] = [];
  const qrels = ["query-id\tcorpus-id\tscore"];
  for (let index = 0; index < queryCount; index++) {
    queries.push(JSON.stringify({ _id: `q${index}`, text: `question ${index}` }));
    vectors.push(
      JSON.stringify({
        text: `question ${index}`,
        embedding: pattern(Math.floor(random() * 6561)),
        inputType: "query",
      }),
    );
    for (let count = 0; count < 3; count++) {
      const document = `doc-${Math.floor(random() * documentCount)}`;
      qrels.push(`q${index}\t${document}\t${1 + (count % 2)}`);
      judged.set(`q${index}`, (judged.get(`q${index}`) ?? new Map()).set(document, 1 + (count % 2)));
    }
  }
  await mkdir(join(folder, "data", "qrels"), { recursive: true });
  await writeFile(join(folder, "data", "corpus.jsonl"), `${corpus.join("\n")}\n`);
  await writeFile(join(folder, "data", "queries.jsonl"), `${queries.join("\n")}\n`);
  await writeFile(join(folder, "data", "qrels", "test.tsv"), `${qrels.join("\n")}\n`);
  await writeFile(join(folder, "vectors.jsonl"), `${vectors.join("\n")}\n`);
  // An STS task (another type than retrieval) on texts that have vectors: it runs whole in one cell.
  await mkdir(join(folder, "sts"));
  const pairs = Array.from({ length: 20 }, (_, index) =>
    JSON.stringify({ sentence1: `text ${index}`, sentence2: `text ${index + 400}`, score: index % 6 }),
  );
  await writeFile(join(folder, "sts", "test.jsonl"), `${pairs.join("\n")}\n`);
  await writeFile(
    join(folder, "embedeval.yml"),
    [
      "models:",
      "  - id: vectors",
      "    provider: precomputed",
      "    options: { file: ./vectors.jsonl }",
      "  - id: bm25",
      "    provider: bm25",
      "tasks:",
      "  - name: ties",
      "    path: ./data",
      "    splits: [test]",
      "  - name: similar",
      "    type: sts",
      "    path: ./sts",
      "    splits: [test]",
      "output:",
      "  directory: ./results",
      "",
    ].join("\n"),
  );
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

/** Every file of a results folder by relative path, task results with their timings zeroed. */
async function readResults(directory: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of (await readdir(directory, { recursive: true })).sort()) {
    if (!name.endsWith(".json")) continue;
    const text = await readFile(join(directory, name), "utf8");
    // Byte for byte: MTEB's predictions file (each query's top 10) has no timings.
    if (name.endsWith("model_meta.json") || name.endsWith("_predictions.json")) {
      files.set(name, text);
      continue;
    }
    const result = JSON.parse(text);
    result.evaluation_time = 0;
    result.date = 0;
    for (const key of Object.keys(result.embedeval.timings)) result.embedeval.timings[key] = 0;
    for (const key of ["latencyMs", "latencyPerTextMs", "throughput"]) result.embedeval.usage[key] = null;
    // Re-serialised as the writer does (2 spaces), so key order and every value still count.
    files.set(name, `${JSON.stringify(result, null, 2)}\n`);
  }
  return files;
}

const environment = { EMBEDEVAL_SEARCH: "portable" };

describe("embedeval plan, run --shard, merge", () => {
  let single: Map<string, string>;

  beforeAll(async () => {
    const run = await runCliCaptured(["run", "--no-cache"], folder, environment);
    expect(run.stderr).not.toContain("error");
    expect(run.code).toBe(0);
    single = await readResults(join(folder, "results"));
    expect([...single.keys()].filter((name) => name.endsWith("ties.json"))).toHaveLength(2);
    // BM25 has no STS score and is left out of it, by the run and by the plan alike.
    expect([...single.keys()].filter((name) => name.endsWith("similar.json"))).toHaveLength(1);
    // Each retrieval result has MTEB's predictions file beside it (no other task type has one)...
    const predictionFiles = [...single.keys()].filter((name) => name.endsWith("_predictions.json"));
    expect(predictionFiles.map((name) => name.split("/").at(-1))).toEqual([
      "ties_predictions.json",
      "ties_predictions.json",
    ]);
    for (const name of predictionFiles) {
      const predictions = JSON.parse(single.get(name) as string);
      const result = JSON.parse(single.get(name.replace("ties_predictions.json", "ties.json")) as string);
      expect(predictions.mteb_model_meta).toEqual({
        model_name: result.embedeval.model.name,
        revision: "no_revision_available",
      });
      const queries = predictions.default.test as Record<string, Record<string, number>>;
      expect(Object.keys(queries)).toHaveLength(queryCount);
      for (const [queryId, documents] of Object.entries(queries)) {
        // ...with its top 10, best first: the very documents its precision@10 was counted on.
        // (BM25 ranks only the documents sharing a word with the query: fewer here.)
        const scores = Object.values(documents);
        if (name.startsWith("vectors")) expect(scores).toHaveLength(10);
        else expect(scores.length).toBeLessThanOrEqual(10);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
        const relevant = Object.keys(documents).filter((id) => (judged.get(queryId)?.get(id) ?? 0) > 0);
        expect(relevant.length / 10).toBeCloseTo(
          result.embedeval.per_query.test[queryId].precision_at_10,
          12,
        );
      }
    }
  }, 120_000);

  for (const shards of [1, 2, 7]) {
    it(`writes the single machine's result files from ${shards} corpus shard(s)`, async () => {
      await rm(join(folder, "results"), { recursive: true, force: true });
      const plan = await runCliCaptured(["plan", "--corpus-shards", String(shards)], folder, environment);
      expect(plan.code).toBe(0);
      const cells = JSON.parse(plan.stdout).include as {
        shard: string;
        model: string;
        task: string;
        parts: number;
      }[];
      // The dense model is split into ranges, BM25 (whole-corpus statistics) is not.
      expect(cells.filter((cell) => cell.model === "vectors" && cell.task === "ties")).toHaveLength(shards);
      expect(cells.filter((cell) => cell.task === "similar").map((cell) => cell.shard)).toEqual([
        "vectors.similar.1of1",
      ]);
      expect(cells.filter((cell) => cell.model === "bm25").map((cell) => cell.parts)).toEqual([1]);
      const shardsFolder = `shards-${shards}`;
      for (const cell of cells) {
        const run = await runCliCaptured(
          ["run", "--no-cache", "--shard", cell.shard, "--shards", shardsFolder],
          folder,
          environment,
        );
        expect(run.stderr).not.toContain("error");
        expect(run.code).toBe(0);
      }
      // No result file before the merge: a shard writes rankings only.
      await expect(readdir(join(folder, "results"))).rejects.toThrow();
      const merge = await runCliCaptured(["merge", "--shards", shardsFolder], folder, environment);
      expect(merge.stderr).toBe("");
      expect(merge.code).toBe(0);
      const merged = await readResults(join(folder, "results"));
      expect([...merged.keys()]).toEqual([...single.keys()]);
      for (const [name, text] of single) {
        if (shards === 1 || !name.startsWith("vectors") || !name.endsWith("ties.json")) {
          expect(merged.get(name), name).toBe(text);
          continue;
        }
        // Each shard embeds the queries again: the merged usage says so; everything else is equal.
        const expected = JSON.parse(text);
        const actual = JSON.parse(merged.get(name) as string);
        expect(actual.embedeval.usage.textsEmbedded).toBe(documentCount + shards * queryCount);
        expect(actual.embedeval.usage.calls).toBeGreaterThan(expected.embedeval.usage.calls);
        actual.embedeval.usage = expected.embedeval.usage;
        expect(`${JSON.stringify(actual, null, 2)}\n`, name).toBe(text);
      }
    }, 120_000);
  }

  it("refuses to merge when a range is missing, naming it", async () => {
    const shardsFolder = "shards-7";
    await rm(join(folder, shardsFolder, "vectors.ties.3of7.json"));
    const merge = await runCliCaptured(["merge", "--shards", shardsFolder], folder, environment);
    expect(merge.code).toBe(1);
    expect(merge.stderr).toContain("missing shard: vectors.ties.3of7");
  });

  it("names an unknown shard id with the closest one", async () => {
    const run = await runCliCaptured(["run", "--shard", "vectors.ties.3of8x"], folder, environment);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("--shard vectors.ties.3of8x: no such shard in this config");
  });
});
