import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localTaskTypes } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCliCaptured } from "../../test/cli-harness.js";

describe("embedeval init --task-type", () => {
  let workspace: string;
  beforeAll(async () => {
    workspace = await mkdtemp(join(tmpdir(), "embedeval-init-type-"));
  });
  afterAll(async () => {
    await rm(workspace, { recursive: true, force: true });
  });

  it.each(localTaskTypes)("writes a %s example that runs as it is", async (type) => {
    const folder = join(workspace, type);
    const init = await runCliCaptured(
      ["init", "--task-type", type, "--config", join(folder, "embedeval.yml")],
      workspace,
    );
    expect(init.code).toBe(0);
    expect(await readFile(join(folder, "embedeval.yml"), "utf8")).toContain(`type: ${type}`);
    const run = await runCliCaptured(["run", "--model", "tfidf"], folder);
    expect(run.code).toBe(0);
    const result = JSON.parse(
      await readFile(join(folder, `embedeval-results/tfidf/no_revision_available/my-${type}.json`), "utf8"),
    );
    expect(typeof result.scores.test[0].main_score).toBe("number");
  });

  it("refuses an unknown type", async () => {
    const init = await runCliCaptured(["init", "--task-type", "stss"], workspace);
    expect(init.code).not.toBe(0);
    expect(init.stderr).toContain("unknown task type");
  });
});
