import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRunOutcome, runOutcomeFileName, writeRunOutcome } from "./run-outcome.js";

let directory: string;
beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), "embedeval-outcome-"));
});
afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const write = (text: string) => writeFile(join(directory, runOutcomeFileName), text);

describe("run outcome file", () => {
  it("reads back what was written", async () => {
    const outcome = {
      failures: [
        { model: "titan", task: "SciFact", message: "AccessDeniedException" },
        { model: "cohere", message: "x" },
      ],
      models: ["titan", "cohere"],
      tasks: ["SciFact"],
    };
    await writeRunOutcome(directory, outcome);
    expect(await readRunOutcome(directory)).toEqual(outcome);
  });

  it("is ignored when absent, not JSON, or of the wrong shape (an older action, or a file made by hand)", async () => {
    expect(await readRunOutcome(directory)).toBeUndefined();
    for (const text of [
      "{not json",
      "null",
      "[]",
      '{"failures": [], "models": "titan", "tasks": []}',
      '{"failures": [], "models": ["titan"], "tasks": [1]}',
      '{"failures": {}, "models": [], "tasks": []}',
    ]) {
      await write(text);
      expect(await readRunOutcome(directory), text).toBeUndefined();
    }
  });

  it("keeps only well-formed failures and only the fields it knows", async () => {
    await write(
      JSON.stringify({
        models: ["titan"],
        tasks: ["SciFact"],
        failures: [
          { model: "titan", message: "throttled", task: "SciFact", cost: 1e9, html: "<script>" },
          { model: "titan", message: 42 },
          { model: ["titan"], message: "wrong model type" },
          { model: "titan", message: "no task", task: null },
          { model: "titan", message: "task of the wrong type", task: 7 },
          null,
          "titan failed",
        ],
      }),
    );
    expect(await readRunOutcome(directory)).toEqual({
      models: ["titan"],
      tasks: ["SciFact"],
      failures: [
        { model: "titan", message: "throttled", task: "SciFact" },
        { model: "titan", message: "no task" },
      ],
    });
  });
});
