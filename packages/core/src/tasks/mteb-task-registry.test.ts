import { describe, expect, it } from "vitest";
import {
  findMtebBenchmark,
  findMtebTask,
  mtebBenchmarks,
  mtebBenchmarksOf,
  mtebBenchmarkTasks,
  mtebRetrievalTasks,
  mtebTaskNames,
  suggestMtebTask,
} from "./mteb-task-registry.js";

describe("MTEB task registry", () => {
  it("holds MTEB's flags: identical ids dropped only where MTEB drops them", () => {
    const flags = Object.fromEntries(mtebRetrievalTasks.map((task) => [task.name, task.ignoreIdenticalIds]));
    expect(flags).toMatchObject({
      SciFact: false,
      NFCorpus: false,
      SCIDOCS: false,
      TRECCOVID: false,
      ArguAna: true,
      FiQA2018: true,
      QuoraRetrieval: true,
      MSMARCO: true,
      FEVER: true,
      FEVERHardNegatives: true,
      HotpotQAHardNegatives: false,
      NanoQuoraRetrieval: false,
    });
  });

  it("finds a task by name or alias, with its hub dataset, split and MTEB's pinned revision", () => {
    expect(findMtebTask("SciFact")).toMatchObject({
      repository: "mteb/scifact",
      revision: "d56462d0e63a25450459c4f213e49ffdb866f7f9",
      splits: ["test"],
    });
    expect(findMtebTask("Quora")?.name).toBe("QuoraRetrieval");
    expect(findMtebTask("MSMARCO")?.splits).toEqual(["dev"]);
    expect(findMtebTask("NanoSciFactRetrieval")).toMatchObject({
      repository: "zeta-alpha-ai/NanoSciFact",
      splits: ["train"],
    });
    expect(findMtebTask("scifact")).toBeUndefined();
  });

  it("suggests the registered name for a near miss", () => {
    expect(suggestMtebTask("scifact")).toBe("SciFact");
    expect(suggestMtebTask("NFCorpsu")).toBe("NFCorpus");
    expect(suggestMtebTask("support-tickets")).toBeUndefined();
  });

  it("has unique names, pinned 40-hex revisions and owner/name repositories", () => {
    const names = mtebTaskNames();
    expect(new Set(names).size).toBe(names.length);
    for (const task of mtebRetrievalTasks) {
      expect(task.revision).toMatch(/^[0-9a-f]{40}$/);
      expect(task.repository).toMatch(/^(mteb|zeta-alpha-ai)\/[A-Za-z0-9._-]+$/);
      expect(task.mainScore).toBe("ndcg_at_10");
    }
  });

  it("expands each benchmark into registered tasks: v2's 10, v1's 26 (CQADupstack by forum), NanoBEIR's 13", () => {
    for (const benchmark of mtebBenchmarks) {
      for (const name of benchmark.tasks)
        expect(findMtebTask(name), `${benchmark.name}: ${name}`).toBeDefined();
    }
    const v2 = findMtebBenchmark("MTEB(eng)");
    expect(v2?.name).toBe("MTEB(eng, v2)");
    expect(mtebBenchmarkTasks(v2 as NonNullable<typeof v2>).map((task) => task.name)).toContain(
      "Touche2020Retrieval.v3",
    );
    expect(v2?.tasks).toHaveLength(10);
    expect(findMtebBenchmark("MTEB(eng, v1)")?.tasks).toHaveLength(26);
    expect(findMtebBenchmark("NanoBEIR")?.tasks).toHaveLength(13);
    expect(mtebBenchmarksOf(findMtebTask("ArguAna") as NonNullable<ReturnType<typeof findMtebTask>>)).toEqual(
      ["MTEB(eng, v2)", "MTEB(eng, v1)"],
    );
    // Every registered task belongs to some benchmark: nothing is listed that cannot be run as part of one.
    for (const task of mtebRetrievalTasks)
      expect(mtebBenchmarksOf(task).length, task.name).toBeGreaterThan(0);
  });
});
