import { describe, expect, it } from "vitest";
import { formatCount } from "./format-count.js";

describe("formatCount", () => {
  it("writes what toLocaleString('en-US') writes for whole numbers, rounded", () => {
    for (const value of [0, 7, 999, 1000, 101_000, 1_234_567, 10_000_000_000, -1234, -999, 2.5, 1234.4]) {
      expect(formatCount(value)).toBe(Math.round(value).toLocaleString("en-US"));
    }
  });
});
