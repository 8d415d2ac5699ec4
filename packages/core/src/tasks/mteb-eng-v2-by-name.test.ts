import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeHuggingFaceHub } from "../datasets/fake-hugging-face-hub.js";
import { downloadHubDataset, loadHubDataset } from "../datasets/hub-dataset-download.js";
import { findMtebBenchmark, mtebBenchmarkTasks } from "./mteb-task-registry.js";
import { loadMtebTypedTask, loadsFromHub } from "./mteb-typed-hub-task.js";
import { type MtebTypedTask, mtebTypedTaskList } from "./mteb-typed-tasks.js";
import { randomTestIndices } from "./shared/hub-train-test-split.js";
import type { TypedDataset } from "./typed-task-folder.js";

/**
 * Every task of MTEB(eng, v2) loads by name from a hub that answers as huggingface.co does, with small
 * files in the layout of its dataset at the pinned revision:
 * - seen in hub listings: STS12/14/15 `test.jsonl.gz`; Sprint `test.json.gz` of one row of lists;
 *   Banking77 and ToxicConversations `train.jsonl`/`test.jsonl`; SummEval parquet under `data/`;
 *   StackExchangeClustering `test.jsonl` and StackExchangeClusteringP2P, ArXivHierarchical*, Medrxiv*
 *   `test.jsonl.gz` of cluster sets; the BEIR-era retrieval uploads `corpus.jsonl`, `queries.jsonl`,
 *   `qrels/test.tsv`;
 * - inferred (the reference marks them so): the other v1-era files as `test.jsonl`, per-language configs
 *   as `en/<split>`, and MTEB 2's re-uploads (reranking, the HardNegatives and Touche v3 retrieval sets,
 *   BiorxivP2P.v2, MTOPDomain) as `push_to_hub` writes them: a card whose `configs:` name
 *   `<config>/<split>-00000-of-00001.parquet` files (`data/` for the `default` config).
 */
const jsonLines = (rows: unknown[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;
const parquet = (columns: Record<string, unknown[]>) =>
  new Uint8Array(
    parquetWriteBuffer({ columnData: Object.entries(columns).map(([name, data]) => ({ name, data })) }),
  );
const card = (configs: Record<string, string>) =>
  [
    "---",
    "configs:",
    ...Object.entries(configs).flatMap(([name, path]) => [
      `- config_name: ${name}`,
      "  data_files:",
      "  - split: test",
      `    path: ${path}`,
    ]),
    "---",
    "",
  ].join("\n");

const words = ["account", "billing", "network", "storage", "printer", "kernel", "driver", "laptop"];
const sentence = (index: number) => `${words[index % words.length]} question ${index}`;

/** The files of one typed task at its revision, in its layout. */
function typedTaskFiles(task: MtebTypedTask): Record<string, string | Uint8Array> {
  const stsRows = (count: number, extra: Record<string, unknown> = {}) =>
    Array.from({ length: count }, (_, index) => ({
      sentence1: sentence(index),
      sentence2: sentence(index + 3),
      score: (index % 6) * 0.8,
      ...extra,
    }));
  switch (task.type) {
    case "STS": {
      if (task.layout.includes("split by lang")) {
        // One default config of every language, the benchmark's subset kept by its `lang` column.
        return {
          "test.jsonl": jsonLines([...stsRows(4, { lang: "de-de" }), ...stsRows(6, { lang: task.subset })]),
        };
      }
      return task.layout === "jsonl.gz"
        ? { "test.jsonl.gz": gzipSync(jsonLines(stsRows(6))) }
        : { "test.jsonl": jsonLines(stsRows(6)) };
    }
    case "PairClassification":
      return {
        "test.json.gz": gzipSync(
          JSON.stringify([
            {
              sent1: [sentence(1), sentence(2), sentence(3)],
              sent2: [sentence(9), sentence(10), sentence(4)],
              labels: [1, 0, 1],
            },
          ]),
        ),
      };
    case "Summarization":
      return {
        "data/test-00000-of-00001.parquet": parquet({
          id: ["t1", "t2"],
          text: ["a source text", "another source text"],
          human_summaries: [
            [sentence(1), sentence(2)],
            [sentence(3), sentence(4)],
          ],
          machine_summaries: [
            [sentence(5), sentence(6), sentence(7)],
            [sentence(8), sentence(9), sentence(10)],
          ],
          relevance: [
            [1, 3.5, 5],
            [2, 4, 1.5],
          ],
        }),
      };
    case "Classification": {
      const rows = (count: number, extra: Record<string, unknown> = {}) =>
        Array.from({ length: count }, (_, index) => ({
          text: sentence(index),
          label: index % 3 === 0 ? 1 : 0,
          label_text: index % 3 === 0 ? "one" : "zero",
          ...extra,
        }));
      // ToxicConversations reduces its evaluated split to 2,048 rows: more rows than that are needed.
      const testRows = task.preparation?.kind === "stratified-subsample" ? 2100 : 5;
      if (task.layout.includes("split by lang")) {
        return {
          "train.jsonl": jsonLines([...rows(3, { lang: "fr" }), ...rows(12, { lang: task.subset })]),
          "test.jsonl": jsonLines([...rows(2, { lang: "fr" }), ...rows(testRows, { lang: task.subset })]),
        };
      }
      if (task.layout.includes("parquet")) {
        const columns = (count: number) => {
          const list = rows(count);
          return { text: list.map((row) => row.text), label: list.map((row) => row.label) };
        };
        return {
          [`${task.subset}/train-00000-of-00001.parquet`]: parquet(columns(12)),
          [`${task.subset}/test-00000-of-00001.parquet`]: parquet(columns(testRows)),
        };
      }
      const folder = task.subset === "default" ? "" : `${task.subset}/`;
      return {
        [`${folder}train.jsonl`]: jsonLines(rows(12)),
        [`${folder}test.jsonl`]: jsonLines(rows(testRows)),
      };
    }
    case "Clustering": {
      const preparation = task.preparation;
      if (preparation?.kind === "hierarchical-random-subsample") {
        // 3 cluster sets, 2,100 documents; labels "main.secondary", some without a secondary level.
        const set = (offset: number) => ({
          sentences: Array.from({ length: 700 }, (_, index) => sentence(offset + index)),
          labels: Array.from({ length: 700 }, (_, index) =>
            index % 7 === 0
              ? "hep-th"
              : `${index % 2 === 0 ? "cs" : "math"}.${["AI", "LG", "AG"][index % 3]}`,
          ),
        });
        return { "test.jsonl.gz": gzipSync(jsonLines([set(0), set(700), set(1400)])) };
      }
      if (preparation?.kind === "stratified-subsample") {
        const set = (offset: number) => ({
          sentences: Array.from({ length: 1100 }, (_, index) => sentence(offset + index)),
          labels: Array.from({ length: 1100 }, (_, index) => `forum-${index % 11}`),
        });
        return { "test.jsonl": jsonLines([set(0), set(1100)]), "valid.jsonl": jsonLines([set(5000)]) };
      }
      const set = (offset: number, count: number, singleton?: string) => ({
        sentences: Array.from({ length: count }, (_, index) => sentence(offset + index)),
        labels: Array.from({ length: count }, (_, index) =>
          singleton && index === 0 ? singleton : `topic-${index % 4}`,
        ),
      });
      if (preparation?.kind === "drop-singleton-labels") {
        return { "test.jsonl.gz": gzipSync(jsonLines([set(0, 60, "alone-1"), set(60, 60, "alone-2")])) };
      }
      if (task.layout === "one row per document") {
        const documents = Array.from({ length: 120 }, (_, index) => index);
        return {
          "data/test-00000-of-00001.parquet": parquet({
            sentences: documents.map(sentence),
            labels: documents.map((index) => `topic-${index % 4}`),
          }),
        };
      }
      return { "test.jsonl.gz": gzipSync(jsonLines([set(0, 60), set(60, 60)])) };
    }
    case "Reranking": {
      const queries = task.maxOverSubqueries ? ["u1_0", "u1_1", "u2_0"] : ["q1", "q2", "q3"];
      return {
        "README.md": card({
          corpus: "corpus/test-*",
          queries: "queries/test-*",
          default: "data/test-*",
          top_ranked: "top_ranked/test-*",
        }),
        "corpus/test-00000-of-00001.parquet": parquet({
          id: ["d1", "d2", "d3", "d4"],
          title: ["", "", "", ""],
          text: [sentence(1), sentence(2), sentence(3), sentence(4)],
        }),
        "queries/test-00000-of-00001.parquet": parquet({
          id: queries,
          text: [sentence(1), sentence(2), sentence(3)],
        }),
        "data/test-00000-of-00001.parquet": parquet({
          "query-id": queries,
          "corpus-id": ["d1", "d2", "d3"],
          score: [1, 1, 1],
        }),
        "top_ranked/test-00000-of-00001.parquet": parquet({
          "query-id": queries,
          "corpus-ids": [
            ["d1", "d2"],
            ["d2", "d3", "d4"],
            ["d3", "d1"],
          ],
        }),
      };
    }
    default:
      throw new Error(`no fake layout for ${task.type}`);
  }
}

const benchmark = findMtebBenchmark("MTEB(eng, v2)");
const retrievalTasks = mtebBenchmarkTasks(benchmark as NonNullable<typeof benchmark>);
/** The re-uploads MTEB 2 made with push_to_hub (card configs, parquet); the others are BEIR-era files. */
const retrievalReuploads = new Set([
  "ClimateFEVERHardNegatives",
  "FEVERHardNegatives",
  "HotpotQAHardNegatives",
  "Touche2020Retrieval.v3",
]);

function retrievalTaskFiles(name: string): Record<string, string | Uint8Array> {
  if (retrievalReuploads.has(name)) {
    return {
      "README.md": card({ corpus: "corpus/test-*", queries: "queries/test-*", default: "data/test-*" }),
      "corpus/test-00000-of-00001.parquet": parquet({
        _id: ["d1", "d2"],
        title: ["", ""],
        text: ["one", "two"],
      }),
      "queries/test-00000-of-00001.parquet": parquet({ _id: ["q1"], text: ["one"] }),
      "data/test-00000-of-00001.parquet": parquet({ "query-id": ["q1"], "corpus-id": ["d1"], score: [1] }),
    };
  }
  return {
    "corpus.jsonl": jsonLines([
      { _id: "d1", title: "", text: "one" },
      { _id: "d2", title: "", text: "two" },
    ]),
    "queries.jsonl": jsonLines([{ _id: "q1", text: "one" }]),
    "qrels/test.tsv": "query-id\tcorpus-id\tscore\nq1\td1\t1\n",
  };
}

describe("MTEB(eng, v2) by name against the fake hub", () => {
  const hub = new FakeHuggingFaceHub();
  const cache = mkdtempSync(join(tmpdir(), "eng-v2-by-name-"));
  const environment = () => ({
    HF_ENDPOINT: hub.endpoint,
    HF_HUB_CACHE: cache,
    HF_TOKEN_PATH: join(cache, "no-token"),
  });

  beforeAll(async () => {
    await hub.start();
    for (const task of mtebTypedTaskList) {
      hub.addDataset(task.repository, { commit: task.revision, files: typedTaskFiles(task) });
    }
    for (const task of retrievalTasks) {
      hub.addDataset(task.repository, { commit: task.revision, files: retrievalTaskFiles(task.name) });
    }
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  it("lists 41 tasks: 10 retrieval and 31 of the other types, each loading by name", () => {
    expect(retrievalTasks).toHaveLength(10);
    expect(mtebTypedTaskList).toHaveLength(31);
    expect(mtebTypedTaskList.filter((task) => !loadsFromHub(task))).toEqual([]);
  });

  it.each(retrievalTasks.map((task) => [task.name, task] as const))(
    "loads %s at its pinned revision",
    async (name, task) => {
      const downloaded = await downloadHubDataset({
        repository: task.repository,
        revision: task.revision,
        splits: task.splits,
        environment: environment(),
      });
      const dataset = await loadHubDataset({ dataset: downloaded, split: "test", name });
      expect(dataset.hubRevision).toBe(task.revision);
      expect(dataset.corpus.map((document) => document.id)).toEqual(["d1", "d2"]);
      expect([...dataset.qrels.keys()]).toEqual(["q1"]);
    },
  );

  const loaded = new Map<string, TypedDataset>();
  it.each(mtebTypedTaskList.map((task) => [task.name, task] as const))(
    "loads %s at its pinned revision",
    async (name, task) => {
      const typed = await loadMtebTypedTask(task, { split: task.split, environment: environment() });
      loaded.set(name, typed);
      expect(typed.dataset.hubRevision).toBe(task.revision);
      expect(typed.dataset.name).toBe(name);
      const size =
        typed.type === "classification"
          ? typed.dataset.test.length
          : typed.type === "reranking"
            ? typed.dataset.candidates.size
            : typed.type === "multilabel-classification"
              ? typed.dataset.test.length
              : typed.dataset.rows.length;
      expect(size).toBeGreaterThan(0);
    },
  );

  it("keeps only the benchmark's language rows of a fast-loading task", () => {
    const sts17 = loaded.get("STS17");
    expect(sts17?.type === "sts" && sts17.dataset.rows).toHaveLength(6);
  });

  it("reads the reranking configs: candidates per query, MindSmall's sub-query merge flagged", () => {
    const askUbuntu = loaded.get("AskUbuntuDupQuestions");
    expect(askUbuntu?.type === "reranking" && Object.fromEntries(askUbuntu.dataset.candidates)).toEqual({
      q1: ["d1", "d2"],
      q2: ["d2", "d3", "d4"],
      q3: ["d3", "d1"],
    });
    expect(askUbuntu?.type === "reranking" && askUbuntu.dataset.maxOverSubqueries).toBeFalsy();
    const mind = loaded.get("MindSmallReranking");
    expect(mind?.type === "reranking" && mind.dataset.maxOverSubqueries).toBe(true);
    expect(mind?.type === "reranking" && [...mind.dataset.qrels.keys()]).toEqual(["u1_0", "u1_1", "u2_0"]);
  });

  it("reduces ToxicConversations' evaluated split to a stratified 2,048 rows", () => {
    const toxic = loaded.get("ToxicConversationsClassification");
    if (toxic?.type !== "classification") throw new Error("not loaded as classification");
    expect(toxic.dataset.test).toHaveLength(2048);
    expect(toxic.dataset.samplesPerLabel).toBe(16);
    // 700 of 2,100 rows are label 1: a stratified draw keeps the same third.
    expect(toxic.dataset.test.filter((row) => row.label === 1)).toHaveLength(683);
    expect(new Set(toxic.dataset.test.map((row) => row.text)).size).toBe(2048);
  });

  it("draws StackExchangeClustering.v2's stratified 2,048 documents and embeds them all", () => {
    const stack = loaded.get("StackExchangeClustering.v2");
    if (stack?.type !== "clustering") throw new Error("not loaded as clustering");
    expect(stack.dataset.rows).toHaveLength(2048);
    expect(stack.dataset.embedAll).toBe(true);
    // valid.jsonl is another split: none of its documents are read.
    expect(stack.dataset.rows.some((row) => row.sentence.endsWith(" 5000"))).toBe(false);
  });

  it("drops StackExchangeClusteringP2P.v2's labels that occur once", () => {
    const p2p = loaded.get("StackExchangeClusteringP2P.v2");
    if (p2p?.type !== "clustering") throw new Error("not loaded as clustering");
    expect(p2p.dataset.rows).toHaveLength(118);
    expect(p2p.dataset.rows.some((row) => String(row.label).startsWith("alone"))).toBe(false);
  });

  it.each(["ArXivHierarchicalClusteringP2P", "ArXivHierarchicalClusteringS2S"])(
    "splits %s's labels into levels and keeps datasets' 2,048 random rows in their order",
    (name) => {
      const arxiv = loaded.get(name);
      if (arxiv?.type !== "clustering") throw new Error("not loaded as clustering");
      expect(arxiv.dataset.rows).toHaveLength(2048);
      // Documents are "<word> question <position>": the kept positions are the permutation's first 2,048.
      const positions = arxiv.dataset.rows.map((row) => Number(row.sentence.split(" ").at(-1)));
      expect(positions).toEqual(randomTestIndices(2100, 2048));
      const first = arxiv.dataset.rows[0];
      const position = positions[0] as number;
      const expected =
        (position % 700) % 7 === 0
          ? ["hep-th"]
          : [position % 2 === 0 ? "cs" : "math", ["AI", "LG", "AG"][(position % 700) % 3]];
      expect(first?.label).toEqual(expected);
    },
  );
});
