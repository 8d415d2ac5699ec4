import { describe, expect, it } from "vitest";
import { compareDocumentIds } from "../trec/document-id-order.js";
import { tieRanksFromIds } from "./tie-rank.js";

describe("tie ranks", () => {
  it("orders ids by UTF-8 bytes like strcmp", () => {
    const ids = ["b", "a", "B", "a1", "10", "9", "\u{1F600}", "\uFFFD", "é"];
    const byBytes = [...ids].sort((left, right) => Buffer.compare(Buffer.from(left), Buffer.from(right)));
    const byFunction = [...ids].sort(compareDocumentIds);
    expect(byFunction).toEqual(byBytes);
  });

  it("gives each document its position in byte order: byte-greater ids rank higher", () => {
    expect(Array.from(tieRanksFromIds(["doc2", "doc10", "doc1"]))).toEqual([2, 1, 0]);
  });
});
