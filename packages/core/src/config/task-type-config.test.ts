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

  it("takes a registered MTEB task of another type by name, with its hub dataset and pinned revision", () => {
    const config = parseConfig(withTask("  - name: STS12"), "/repo/embedeval.yml");
    expect(config.tasks[0]).toMatchObject({
      type: "sts",
      hub: "mteb/sts12-sts",
      revision: "a0d554a64d88156834ff5ae9920b964011b16384",
      splits: ["test"],
    });
  });

  it("asks for a path when a task of another type has none and is not a registered MTEB task", () => {
    let caught: unknown;
    try {
      parseConfig(withTask("  - name: my-sts\n    type: sts"), "/repo/embedeval.yml");
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
