import { describe, expect, it } from "vitest";
import { benchmarkAggregates } from "./benchmark-aggregates.js";
import { mtebRetrievalTasks } from "./mteb-task-registry.js";
import { mtebTypedTaskList } from "./mteb-typed-tasks.js";

describe("benchmarkAggregates", () => {
  it("averages over tasks and over task types as MTEB's leaderboard does", () => {
    const aggregates = benchmarkAggregates(
      [
        { task: "A", type: "Retrieval", mainScore: 0.5 },
        { task: "B", type: "Retrieval", mainScore: 0.7 },
        { task: "C", type: "STS", mainScore: 0.9 },
      ],
      ["A", "B", "C", "D"],
    );
    expect(aggregates.meanOverTasks).toBeCloseTo(0.7, 15);
    // Retrieval 0.6 and STS 0.9 weigh alike.
    expect(aggregates.meanOverTaskTypes).toBeCloseTo(0.75, 15);
    expect(aggregates.missing).toEqual(["D"]);
  });

  it("knows the 41 tasks of MTEB(eng, v2): 31 typed ones beside the 10 retrieval tasks", () => {
    const retrieval = [
      "ArguAna",
      "CQADupstackGamingRetrieval",
      "CQADupstackUnixRetrieval",
      "ClimateFEVERHardNegatives",
      "FEVERHardNegatives",
      "FiQA2018",
      "HotpotQAHardNegatives",
      "SCIDOCS",
      "TRECCOVID",
      "Touche2020Retrieval.v3",
    ];
    expect(retrieval.every((name) => mtebRetrievalTasks.some((task) => task.name === name))).toBe(true);
    expect(mtebTypedTaskList).toHaveLength(31);
    const types = new Set(mtebTypedTaskList.map((task) => task.type));
    expect([...types].sort()).toEqual([
      "Classification",
      "Clustering",
      "PairClassification",
      "Reranking",
      "STS",
      "Summarization",
    ]);
    expect(new Set(mtebTypedTaskList.map((task) => task.name)).size).toBe(31);
  });
});
