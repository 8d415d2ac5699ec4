import { findMtebBenchmark, mtebTypedTaskList } from "@embedeval/core";
import { describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli-harness.js";

describe("embedeval tasks and the other task types", () => {
  it("lists all 41 tasks of MTEB(eng, v2), with each type and whether it runs by name", async () => {
    const listed = await runCliCaptured(["tasks", "--benchmark", "MTEB(eng, v2)"], process.cwd(), {});
    expect(listed.code).toBe(0);
    const names = [
      ...(findMtebBenchmark("MTEB(eng, v2)")?.tasks ?? []),
      ...mtebTypedTaskList.map((task) => task.name),
    ];
    expect(names).toHaveLength(41);
    for (const name of names) {
      expect(listed.stdout).toMatch(new RegExp(`^${name.replace(/[.()]/g, "\\$&")}( |$)`, "m"));
    }
    expect(listed.stdout).toMatch(
      /^STS12\s+STS\s+mteb\/sts12-sts\s+a0d554a\s+default\s+test\s+cosine_spearman\s+yes$/m,
    );
    const nano = JSON.parse(
      (await runCliCaptured(["tasks", "--json", "--benchmark", "NanoBEIR"], process.cwd(), {})).stdout,
    );
    expect(nano.typedTasks).toEqual([]);
  });
});
