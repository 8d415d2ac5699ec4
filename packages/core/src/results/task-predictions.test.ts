import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildTaskResult } from "../testing/task-result-builder.js";
import { compareDocumentIds } from "../trec/document-id-order.js";
import type { Run } from "../trec/run.js";
import { SearchRun } from "../trec/search-run.js";
import {
  parseTaskPredictions,
  readTaskPredictions,
  type TaskPredictions,
  taskPredictionsPath,
  topDocuments,
  writeTaskPredictions,
} from "./task-predictions.js";
import { writeTaskResult } from "./task-result-files.js";

describe("MTEB's predictions file", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "embedeval-predictions-"));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("keeps each query's top 10 in trec_eval's order, without the query's own id when asked", () => {
    const documents = Array.from({ length: 14 }, (_, index) => ({ id: `d${index}`, score: index % 5 }));
    const run: Run = new Map([
      ["q2", [...documents, { id: "q2", score: 9 }]],
      ["q10", [{ id: "d1", score: 0.5 }]],
    ]);
    const top = topDocuments(run, { ignoreIdenticalIds: true });
    expect([...top.keys()]).toEqual(["q10", "q2"]);
    // Scores 4, 4, 3, 3, 3, 2, ...: ties by document id descending, as trec_eval breaks them.
    expect(top.get("q2")?.map((document) => document.id)).toEqual([
      "d9",
      "d4",
      "d8",
      "d3",
      "d13",
      "d7",
      "d2",
      "d12",
      "d6",
      "d11",
    ]);
    expect(topDocuments(run, { ignoreIdenticalIds: false }).get("q2")?.[0]).toEqual({ id: "q2", score: 9 });
  });

  it("reads a search's columns in place and keeps the same top 10 as from the lists", () => {
    // Rows in trec_eval's order, as the search writes them: ties by document id descending.
    const documentIds = ["d0", "d1", "d2", "q1", "d10", "d3", "d4", "d5", "d6", "d7", "d8", "d9"];
    const queryIds = ["q1", "q0"];
    const k = documentIds.length;
    const ranked = documentIds
      .map((id, index) => ({ id, index, score: index % 3 === 0 ? 0.5 : 0.25 }))
      .sort((left, right) => right.score - left.score || compareDocumentIds(right.id, left.id));
    const indices = Uint32Array.from([...ranked, ...ranked].map((document) => document.index));
    const scores = Float32Array.from([...ranked, ...ranked].map((document) => document.score));
    const run = new SearchRun(queryIds, documentIds, indices, scores, k);
    for (const ignoreIdenticalIds of [false, true]) {
      const top = topDocuments(run, { ignoreIdenticalIds });
      expect(top).toEqual(topDocuments(new Map(run), { ignoreIdenticalIds }));
      expect(top.get("q1")).toHaveLength(10);
      expect(top.get("q1")?.some((document) => document.id === "q1")).toBe(!ignoreIdenticalIds);
    }
  });

  it("is written beside the result file as MTEB's <Task>_predictions.json, in rank order, and read back", async () => {
    const result = buildTaskResult({ model: "bge", task: "SciFact", ndcg: [0.5, 0.7] });
    const resultPath = await writeTaskResult(folder, result);
    // Integer-like ids, which a JavaScript object would reorder: the file keeps rank order.
    const predictions: TaskPredictions = new Map([
      [
        "test",
        new Map([
          [
            "q0",
            [
              { id: "abc", score: 0.9 },
              { id: "7", score: 0.8 },
              { id: "12", score: 0.25 },
            ],
          ],
          ["q1", []],
        ]),
      ],
    ]);
    const path = await writeTaskPredictions(resultPath, result, predictions);
    expect(path).toBe(join(resultPath, "..", "SciFact_predictions.json"));
    expect(path).toBe(taskPredictionsPath(resultPath, result));
    const text = await readFile(path, "utf8");
    // Python's json.dump layout, as MTEB writes the file.
    expect(text).toBe(
      `{"mteb_model_meta": {"model_name": "bge", "revision": "${result.embedeval.model.revision}"}, "default": {"test": {"q0": {"abc": 0.9, "7": 0.8, "12": 0.25}, "q1": {}}}}\n`,
    );
    expect(await readTaskPredictions(resultPath, result)).toEqual(predictions);
    // Parsed and stringified again (the action stores it so on its results branch), "7" and "12" come
    // first in the object: the ranks are restored from the scores.
    const reordered = JSON.parse(JSON.stringify(JSON.parse(text)));
    expect(Object.keys(reordered.default.test.q0)).toEqual(["7", "12", "abc"]);
    expect(parseTaskPredictions(reordered)).toEqual(predictions);
    expect(parseTaskPredictions("not an object")).toBeUndefined();
  });

  it("reads nothing when there is no file", async () => {
    const result = buildTaskResult({ model: "other", task: "NFCorpus", ndcg: [0.5] });
    expect(await readTaskPredictions(join(folder, "absent", "NFCorpus.json"), result)).toBeUndefined();
  });
});
