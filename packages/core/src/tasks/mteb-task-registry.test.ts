import { describe, expect, it } from "vitest";
import { findMtebTask, mtebRetrievalTasks, mtebTaskNames, suggestMtebTask } from "./mteb-task-registry.js";

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
    });
  });

  it("finds a task by name or alias, with its hub dataset and split", () => {
    expect(findMtebTask("SciFact")).toMatchObject({ repository: "mteb/scifact", splits: ["test"] });
    expect(findMtebTask("Quora")?.name).toBe("QuoraRetrieval");
    expect(findMtebTask("MSMARCO")?.splits).toEqual(["dev"]);
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
      expect(task.repository).toMatch(/^mteb\/[a-z0-9-]+$/);
      expect(task.mainScore).toBe("ndcg_at_10");
    }
  });
});
