import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = resolve(import.meta.dirname, "../../..");
const actionFile = join(root, "actions/evaluate/action.yml");

interface ActionMetadata {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
  runs: { using: string; main: string };
}

interface Workflow {
  jobs: Record<string, { steps: { uses?: string; with?: Record<string, unknown> }[] }>;
}

describe("action.yml, the example workflows and the docs agree", async () => {
  const action = parse(await readFile(actionFile, "utf8")) as ActionMetadata;
  const inputs = Object.keys(action.inputs);

  it("runs the bundled file on node24 with kebab-case inputs", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist/index.js" });
    for (const name of [...inputs, ...Object.keys(action.outputs)])
      expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    // A GitHub expression, not a JavaScript template: the literal text of the default.
    expect(action.inputs["github-token"]?.default).toBe(["$", "{{ github.token }}"].join(""));
    expect(Object.keys(action.outputs).sort()).toEqual([
      "comment-id",
      "html-report-path",
      "matrix",
      "regressed",
      "report-path",
      "results-directory",
      "shards-directory",
    ]);
  });

  it("uses only declared inputs in every example workflow", async () => {
    for (const file of [
      "embedeval.yml",
      "embedeval-fork-evaluate.yml",
      "embedeval-fork-comment.yml",
      "embedeval-sharded.yml",
    ]) {
      const workflow = parse(await readFile(join(root, "examples/workflows", file), "utf8")) as Workflow;
      const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
      const ours = steps.filter((step) => step.uses?.includes("actions/evaluate"));
      expect(ours.length, file).toBeGreaterThan(0);
      for (const step of ours) {
        for (const key of Object.keys(step.with ?? {})) expect(inputs, `${file}: ${key}`).toContain(key);
      }
    }
  });

  it("documents every input and output in docs/action.md", async () => {
    const docs = await readFile(join(root, "docs/action.md"), "utf8");
    for (const name of [...inputs, ...Object.keys(action.outputs)]) expect(docs).toContain(`| \`${name}\``);
  });
});
