import { describe, expect, it } from "vitest";
import { readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import { undersampledTrainIndices } from "./undersample.js";

describe.each(["classification-1", "classification-2"])("undersampling against %s", (name) => {
  it("draws MTEB's training rows for all ten experiments, in fitting order", () => {
    const fixture = readMtebTaskFixture(name);
    const indices = undersampledTrainIndices(
      fixture.inputs.train.label as number[],
      fixture.parameters.samples_per_label as number,
      10,
    );
    expect(indices).toEqual(fixture.intermediate.train_indices_per_experiment);
  });
});
