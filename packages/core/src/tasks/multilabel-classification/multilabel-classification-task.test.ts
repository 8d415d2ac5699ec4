import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  fixtureModel,
  fixtureProvider,
  type MtebTaskFixture,
  metricDifferences,
} from "../../../test/mteb-task-fixture.js";
import { evaluateMultilabelClassification } from "./multilabel-classification-task.js";
import { type Label, undersampledMultilabelIndices } from "./multilabel-scores.js";

/**
 * Against test/fixtures/multilabel-classification (made by its generate-multilabel-classification.py:
 * MTEB's protocol restated, scored by numpy's default_rng and scikit-learn's own KNeighborsClassifier,
 * MultiLabelBinarizer and metrics; no 5th/6th-neighbour near ties, so the predictions are exact).
 */
function readFixture(name: string): MtebTaskFixture {
  const file = join(import.meta.dirname, "../../../test/fixtures/multilabel-classification", `${name}.json`);
  return JSON.parse(readFileSync(file, "utf8")) as MtebTaskFixture;
}

type Split = { text: string[]; label: Label[][] };
const rows = (split: Split) =>
  split.text.map((text, index) => ({ text, labels: split.label[index] as Label[] }));

describe.each(["multilabel_classification-1", "multilabel_classification-2"])(
  "evaluateMultilabelClassification against %s",
  (name) => {
    const fixture = readFixture(name);
    const train = fixture.inputs.train as Split;
    const test = fixture.inputs.test as Split;
    const samplesPerLabel = fixture.parameters.samples_per_label as number;

    it("draws MTEB's train rows with default_rng(42), carried across the 10 experiments", () => {
      expect(undersampledMultilabelIndices(train.label, samplesPerLabel, 10)).toEqual(
        fixture.intermediate.train_indices_per_experiment,
      );
    });

    it("reproduces every metric key, per experiment and averaged, to 1e-6", async () => {
      const provider = fixtureProvider(fixture.vectors);
      const result = await evaluateMultilabelClassification(
        { model: fixtureModel, provider },
        {
          name,
          split: "test",
          contentHash: "hash",
          warnings: [],
          train: rows(train),
          test: rows(test),
          samplesPerLabel,
        },
      );
      // Symmetric texts: no prefix, the "document" input type, the column values unchanged.
      expect(provider.calls.every((call) => call.inputType === "document")).toBe(true);
      expect(provider.calls.flatMap((call) => call.texts)).toContain(train.text[2]);
      const scores = result.scores.test?.[0] as unknown as Record<string, unknown>;
      const expected = fixture.expected.unrounded;
      expect(metricDifferences(expected, scores, 1e-6)).toEqual([]);
      expect(metricDifferences(expected, scores, 1e-12)).toEqual([]);
      const experiments = scores.scores_per_experiment as Record<string, unknown>[];
      (expected.scores_per_experiment as Record<string, unknown>[]).forEach((experiment, index) => {
        expect(metricDifferences(experiment, experiments[index] as Record<string, unknown>, 1e-12)).toEqual(
          [],
        );
      });
      expect(result.embedeval.main_metric).toBe("accuracy");
      expect(result.embedeval.task_type).toBe("MultilabelClassification");
      expect(Object.keys(result.embedeval.per_query.test ?? {})).toHaveLength(10);
    });
  },
);

describe("evaluateMultilabelClassification", () => {
  it("refuses a train split whose experiments draw fewer rows than the 5 neighbours", async () => {
    const provider = fixtureProvider({ a: [1, 0], b: [0, 1], c: [1, 1] });
    await expect(
      evaluateMultilabelClassification(
        { model: fixtureModel, provider },
        {
          name: "tiny",
          split: "test",
          contentHash: "hash",
          warnings: [],
          train: [
            { text: "a", labels: [1] },
            { text: "b", labels: [2] },
          ],
          test: [{ text: "c", labels: [1, 2] }],
        },
      ),
    ).rejects.toThrow(/fewer than the 5 neighbours/);
  });
});
