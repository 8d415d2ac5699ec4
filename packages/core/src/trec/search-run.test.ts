import { describe, expect, it } from "vitest";
import type { RankedDocument } from "./run.js";
import { SearchRun } from "./search-run.js";

describe("SearchRun", () => {
  const documentIds = ["d0", "d1", "d2", "d3"];
  // Three queries, top 2 each: row-major columns, as the search returns them.
  const indices = Uint32Array.from([3, 1, 0, 2, 2, 2]);
  const scores = Float32Array.from([0.5, 0.25, 0.75, 0.125, 1, 1]);
  const expected = new Map<string, RankedDocument[]>([
    [
      "q0",
      [
        { id: "d3", score: 0.5 },
        { id: "d1", score: 0.25 },
      ],
    ],
    [
      "q1",
      [
        { id: "d0", score: 0.75 },
        { id: "d2", score: 0.125 },
      ],
    ],
    [
      "q2",
      [
        { id: "d2", score: 1 },
        { id: "d2", score: 1 },
      ],
    ],
  ]);

  it("reads as the Map of lists built from the same columns, in every way a Map is read", () => {
    const run = new SearchRun(["q0", "q1", "q2"], documentIds, indices, scores, 2);
    expect(new Map(run)).toEqual(expected);
    expect(run.size).toBe(3);
    expect([...run.keys()]).toEqual(["q0", "q1", "q2"]);
    expect([...run.values()]).toEqual([...expected.values()]);
    expect([...run.entries()]).toEqual([...expected.entries()]);
    expect(run.get("q1")).toEqual(expected.get("q1"));
    expect(run.get("missing")).toBeUndefined();
    expect(run.has("q2")).toBe(true);
    expect(run.has("missing")).toBe(false);
    const seen: [string, readonly RankedDocument[]][] = [];
    run.forEach((documents, queryId, owner) => {
      expect(owner).toBe(run);
      seen.push([queryId, documents]);
    });
    expect(seen).toEqual([...expected.entries()]);
  });

  it("gives a new list on each read, so a caller that sorts or changes one changes nothing else", () => {
    const run = new SearchRun(["q0", "q1", "q2"], documentIds, indices, scores, 2);
    const first = run.get("q0") as RankedDocument[];
    first.reverse();
    (first[0] as RankedDocument).score = 99;
    expect(run.get("q0")).toEqual(expected.get("q0"));
  });

  it("keeps a repeated query id's first place and last row, as Map.set would", () => {
    const run = new SearchRun(["q0", "q1", "q0"], documentIds, indices, scores, 2);
    const asMap = new Map<string, RankedDocument[]>();
    asMap.set("q0", expected.get("q0") as RankedDocument[]);
    asMap.set("q1", expected.get("q1") as RankedDocument[]);
    asMap.set("q0", expected.get("q2") as RankedDocument[]);
    expect(new Map(run)).toEqual(asMap);
    expect([...run.keys()]).toEqual(["q0", "q1"]);
  });
});
