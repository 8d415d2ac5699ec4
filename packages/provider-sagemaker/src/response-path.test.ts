import { describe, expect, it } from "vitest";
import { evaluateResponsePath, parseResponsePath } from "./response-path.js";

describe("response paths", () => {
  const body = { data: [{ embedding: [1, 2] }, { embedding: [3, 4] }], embeddings: [[5], [6]] };

  it("an empty path (or $) is the whole body", () => {
    expect(evaluateResponsePath([[1]], parseResponsePath(""))).toEqual([[1]]);
    expect(evaluateResponsePath([[1]], parseResponsePath("$"))).toEqual([[1]]);
  });

  it("keys, indexes and [*] compose", () => {
    expect(evaluateResponsePath(body, parseResponsePath("data[*].embedding"))).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect(evaluateResponsePath(body, parseResponsePath("$.data[1].embedding"))).toEqual([3, 4]);
    expect(evaluateResponsePath(body, parseResponsePath("embeddings"))).toEqual([[5], [6]]);
    expect(evaluateResponsePath([{ vector: [7] }], parseResponsePath("[*].vector"))).toEqual([[7]]);
  });

  it("a missing key gives undefined, not an exception", () => {
    expect(evaluateResponsePath(body, parseResponsePath("outputs[*].embedding"))).toBeUndefined();
  });

  it("a path it cannot read names the character", () => {
    expect(() => parseResponsePath("data[*]..embedding")).toThrowError(/character 8/);
  });
});
