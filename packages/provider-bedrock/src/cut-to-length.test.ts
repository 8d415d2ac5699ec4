import { describe, expect, it } from "vitest";
import { cutToLength } from "./cut-to-length.js";

describe("cutToLength", () => {
  it("leaves short texts alone and keeps the requested side of long ones", () => {
    expect(cutToLength("abc", 5, "keep-start")).toBe("abc");
    expect(cutToLength("abcdef", 4, "keep-start")).toBe("abcd");
    expect(cutToLength("abcdef", 4, "keep-end")).toBe("cdef");
  });

  it("never splits a surrogate pair", () => {
    const text = "ab😀cd"; // 😀 is two UTF-16 code units at positions 2 and 3
    expect(cutToLength(text, 3, "keep-start")).toBe("ab");
    expect(cutToLength(text, 3, "keep-end")).toBe("cd");
  });
});
