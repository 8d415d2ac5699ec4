import { defaultCompareRule } from "@embedeval/core";
import { describe, expect, it } from "vitest";
import { repositoryPath, ruleChanges } from "./base-rules.js";

describe("ruleChanges", () => {
  it("names each compare key the pull request changes, with the base's value first", () => {
    const head = {
      ...defaultCompareRule,
      maxDrop: { kind: "relative" as const, amount: 0.05 },
      significance: 0.01,
      overrides: [{ model: "bm25", level: "off" as const }],
    };
    expect(ruleChanges(defaultCompareRule, head)).toEqual([
      "maxDrop: 1 points → 5%",
      "significance: 0.05 → 0.01",
      "overrides: 0 overrides → 1 override",
    ]);
    expect(ruleChanges(head, { ...head, overrides: [{ model: "bm25", level: "warn" }] })).toEqual([
      "overrides: 1 override changed",
    ]);
    expect(ruleChanges(head, structuredClone(head))).toEqual([]);
  });
});

describe("repositoryPath", () => {
  it("is the config's path inside the checkout, with forward slashes", () => {
    expect(repositoryPath("/work/repo", "/work/repo/configs/eval.yml")).toBe("configs/eval.yml");
  });
});
