import { ConfigError } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { parseConfig } from "./load-config.js";

const withTask = (task: string) => `
models:
  - id: tfidf
    provider: tfidf
tasks:
${task}
compare:
  metric: main_score
`;

describe("task types in the config", () => {
  it("reads the type of a local task, retrieval by default", () => {
    const config = parseConfig(
      withTask("  - name: my-sts\n    type: sts\n    path: ./sts\n  - name: docs\n    path: ./docs"),
      "/repo/embedeval.yml",
    );
    expect(config.tasks.map((task) => [task.name, task.type, task.path])).toEqual([
      ["my-sts", "sts", "/repo/sts"],
      ["docs", "retrieval", "/repo/docs"],
    ]);
  });

  it("asks for a path when a task of another type has none", () => {
    let caught: unknown;
    try {
      parseConfig(withTask("  - name: STS12\n    type: sts"), "/repo/embedeval.yml");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain("add `path:`");
  });

  it("rejects an unknown type and accepts the type's metrics in compare overrides", () => {
    expect(() =>
      parseConfig(withTask("  - name: x\n    type: stss\n    path: ./x"), "/repo/embedeval.yml"),
    ).toThrow(ConfigError);
    const config = parseConfig(
      `${withTask("  - name: x\n    type: sts\n    path: ./x")}  overrides:\n    - task: x\n      metric: cosine_spearman\n      maxDrop: 0.01\n`,
      "/repo/embedeval.yml",
    );
    expect(config.compare.overrides[0]?.metric).toBe("cosine_spearman");
  });
});
