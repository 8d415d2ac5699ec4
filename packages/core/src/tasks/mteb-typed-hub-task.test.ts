import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeHuggingFaceHub } from "../datasets/fake-hugging-face-hub.js";
import { loadMtebTypedTask, loadsFromHub } from "./mteb-typed-hub-task.js";
import { findMtebTypedTask, mtebTypedTaskList } from "./mteb-typed-tasks.js";

const jsonLines = (rows: unknown[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;

describe("MTEB tasks of other types from the hub", () => {
  const hub = new FakeHuggingFaceHub();
  const cache = mkdtempSync(join(tmpdir(), "typed-hub-"));
  const sts12 = findMtebTypedTask("STS12");
  const sprint = findMtebTypedTask("SprintDuplicateQuestions");
  const banking = findMtebTypedTask("Banking77Classification");

  beforeAll(async () => {
    await hub.start();
    hub.addDataset("mteb/sts12-sts", {
      commit: sts12?.revision as string,
      files: {
        "test.jsonl.gz": gzipSync(
          jsonLines([
            { sentence1: "a b", sentence2: "a c", score: 3.2 },
            { sentence1: "x", sentence2: "y", score: 0.4 },
          ]),
        ),
        "train.jsonl.gz": gzipSync(jsonLines([{ sentence1: "t", sentence2: "u", score: 1 }])),
      },
    });
    hub.addDataset("mteb/sprintduplicatequestions-pairclassification", {
      commit: sprint?.revision as string,
      files: {
        "test.json.gz": gzipSync(JSON.stringify([{ sent1: ["p", "q"], sent2: ["p2", "r"], labels: [1, 0] }])),
      },
    });
    hub.addDataset("mteb/banking77", {
      commit: banking?.revision as string,
      files: {
        "train.jsonl": jsonLines([{ text: "card lost", label: 3, label_text: "lost_card" }]),
        "test.jsonl": jsonLines([{ text: "my card is gone", label: 3, label_text: "lost_card" }]),
      },
    });
  });
  afterAll(async () => {
    await hub.stop();
    rmSync(cache, { recursive: true, force: true });
  });

  const environment = () => ({
    HF_ENDPOINT: hub.endpoint,
    HF_HUB_CACHE: cache,
    HF_TOKEN_PATH: join(cache, "no-token"),
  });

  it("loads an STS task's split file at the pinned revision, recording the commit", async () => {
    const typed = await loadMtebTypedTask(sts12 as NonNullable<typeof sts12>, {
      split: "test",
      environment: environment(),
    });
    expect(typed.type).toBe("sts");
    expect(typed.type === "sts" && typed.dataset.rows).toEqual([
      { sentence1: "a b", sentence2: "a c", score: 3.2 },
      { sentence1: "x", sentence2: "y", score: 0.4 },
    ]);
    expect(typed.dataset.hubRevision).toBe(sts12?.revision);
  });

  it("expands the one-row-of-lists pair classification file and renames sent1/sent2", async () => {
    const typed = await loadMtebTypedTask(sprint as NonNullable<typeof sprint>, {
      split: "test",
      environment: environment(),
    });
    expect(typed.type === "pair-classification" && typed.dataset.rows).toEqual([
      { sentence1: "p", sentence2: "p2", label: 1 },
      { sentence1: "q", sentence2: "r", label: 0 },
    ]);
  });

  it("reads classification's train split too", async () => {
    const typed = await loadMtebTypedTask(banking as NonNullable<typeof banking>, {
      split: "test",
      environment: environment(),
    });
    expect(
      typed.type === "classification" && [typed.dataset.train.length, typed.dataset.test.length],
    ).toEqual([1, 1]);
  });

  it("says every registered task loads by name (mteb-eng-v2-by-name.test.ts loads each)", () => {
    expect(mtebTypedTaskList.filter(loadsFromHub)).toHaveLength(mtebTypedTaskList.length);
  });
});
