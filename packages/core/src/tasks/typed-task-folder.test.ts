import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  fixtureModel,
  fixtureProvider,
  type MtebTaskFixture,
  readMtebTaskFixture,
} from "../../test/mteb-task-fixture.js";
import { evaluateTypedTask } from "./evaluate-typed-task.js";
import { loadTypedTaskFolder } from "./typed-task-folder.js";

const folder = mkdtempSync(join(tmpdir(), "typed-task-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const jsonLines = (rows: unknown[]) => `${rows.map((row) => JSON.stringify(row)).join("\n")}\n`;

describe("loadTypedTaskFolder", () => {
  it("runs a local STS folder end to end with MTEB's main score", async () => {
    const fixture = readMtebTaskFixture("sts-1");
    const inputs = fixture.inputs as { sentence1: string[]; sentence2: string[]; score: number[] };
    const rows = inputs.sentence1.map((sentence1, index) => ({
      sentence1,
      sentence2: inputs.sentence2[index],
      score: inputs.score[index],
    }));
    writeFileSync(join(folder, "test.jsonl"), jsonLines(rows));
    const typed = await loadTypedTaskFolder({ type: "sts", folder, split: "test", name: "my-sts" });
    const result = await evaluateTypedTask(
      { model: fixtureModel, provider: fixtureProvider(fixture.vectors) },
      typed,
    );
    expect(result.task_name).toBe("my-sts");
    expect(result.scores.test?.[0]?.main_score).toBeCloseTo(
      fixture.expected.unrounded.cosine_spearman as number,
      9,
    );
    expect(result.dataset_revision).toMatch(/^[0-9a-f]{64}$/);
  });

  it("reads classification's train and evaluated splits and names a row with a missing column", async () => {
    const classification = join(folder, "classification");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(classification);
    writeFileSync(
      join(classification, "train.jsonl"),
      jsonLines([
        { text: "a", label: 0 },
        { text: "b", label: 1 },
      ]),
    );
    writeFileSync(
      join(classification, "test.jsonl"),
      jsonLines([
        { text: "c", label: 0 },
        { txt: "d", label: 1 },
      ]),
    );
    await expect(
      loadTypedTaskFolder({ type: "classification", folder: classification, split: "test", name: "c" }),
    ).rejects.toMatchObject({ line: 2, message: expect.stringContaining("`text`") });
  });

  it("runs a local multilabel classification folder (label lists, train.jsonl) with MTEB's scores", async () => {
    const fixture = JSON.parse(
      readFileSync(
        join(
          import.meta.dirname,
          "../../test/fixtures/multilabel-classification/multilabel_classification-2.json",
        ),
        "utf8",
      ),
    ) as MtebTaskFixture;
    const multilabel = join(folder, "multilabel");
    mkdirSync(multilabel);
    for (const split of ["train", "test"]) {
      const { text, label } = fixture.inputs[split] as { text: string[]; label: string[][] };
      writeFileSync(
        join(multilabel, `${split}.jsonl`),
        jsonLines(text.map((value, index) => ({ text: value, label: label[index] }))),
      );
    }
    const typed = await loadTypedTaskFolder({
      type: "multilabel-classification",
      folder: multilabel,
      split: "test",
      name: "my-multilabel",
    });
    if (typed.type === "multilabel-classification") {
      typed.dataset.samplesPerLabel = fixture.parameters.samples_per_label as number;
    }
    const result = await evaluateTypedTask(
      { model: fixtureModel, provider: fixtureProvider(fixture.vectors) },
      typed,
    );
    expect(result.scores.test?.[0]?.main_score).toBeCloseTo(
      fixture.expected.unrounded.accuracy as number,
      12,
    );
    expect(result.scores.test?.[0]?.lrap).toBeCloseTo(fixture.expected.unrounded.lrap as number, 12);
  });

  it("flattens cluster sets into one row per document", async () => {
    const clustering = join(folder, "clustering");
    const { mkdirSync } = await import("node:fs");
    mkdirSync(clustering);
    writeFileSync(
      join(clustering, "test.jsonl"),
      jsonLines([
        { sentences: ["x", "y"], labels: ["a", "b"] },
        { sentences: ["z"], labels: ["a"] },
      ]),
    );
    const typed = await loadTypedTaskFolder({
      type: "clustering",
      folder: clustering,
      split: "test",
      name: "k",
    });
    expect(typed.type === "clustering" && typed.dataset.rows).toEqual([
      { sentence: "x", label: "a" },
      { sentence: "y", label: "b" },
      { sentence: "z", label: "a" },
    ]);
  });
});
