import { describe, expect, it } from "vitest";
import { byte4ToInt, intToByte4, luceneDocumentLength } from "./lucene-length-norm.js";

describe("Lucene's one-byte length norm (SmallFloat.intToByte4)", () => {
  it("keeps lengths below 24 exactly and rounds longer ones down to 4 significant bits", () => {
    for (let length = 0; length < 24; length += 1) expect(luceneDocumentLength(length)).toBe(length);
    // 100 - 24 = 76 = 0b1001100 -> keep 0b1001 << 3 = 72 -> 72 + 24 = 96.
    expect(intToByte4(100)).toBe(57);
    expect(byte4ToInt(57)).toBe(96);
    expect(luceneDocumentLength(100)).toBe(96);
    expect(luceneDocumentLength(24)).toBe(24);
    expect(intToByte4(0x7fffffff)).toBe(255);
  });

  it("is monotonic and never rounds up", () => {
    let previous = 0;
    for (let length = 0; length < 100_000; length += 7) {
      const decoded = luceneDocumentLength(length);
      expect(decoded).toBeLessThanOrEqual(length);
      expect(decoded).toBeGreaterThanOrEqual(previous);
      previous = decoded;
    }
  });
});
