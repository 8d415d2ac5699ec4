import { describe, expect, it } from "vitest";
import { fixtureVector, readMtebTaskFixture } from "../../../test/mteb-task-fixture.js";
import { clusteringDownsample, labelsAtLevels, scoreClustering } from "./clustering-scores.js";

describe.each(["clustering-1", "clustering-2"])("clustering against %s", (name) => {
  it("draws MTEB's documents and cluster counts, and lands within a point of its V-measure and AMI", () => {
    const fixture = readMtebTaskFixture(name);
    const sentences = fixture.inputs.sentences as string[];
    const { indices, random } = clusteringDownsample(sentences.length);
    expect(indices).toEqual(fixture.intermediate.downsample_indices);
    const vectors = indices.map((index) => fixtureVector(fixture.vectors, sentences[index] as string));
    const allLevels = labelsAtLevels(fixture.inputs.labels);
    const levels = allLevels.map((labels) => indices.map((index) => labels[index] as string));
    expect(
      Object.fromEntries(levels.map((labels, level) => [`Level ${level}`, new Set(labels).size])),
    ).toEqual(fixture.intermediate.n_clusters_per_level);
    // The bootstrap rows: the same CPython stream, continued, level by level and experiment by experiment.
    const replay = clusteringDownsample(sentences.length).random;
    const bootstrap = fixture.intermediate.bootstrap_indices as Record<
      string,
      { first_10: number[]; last_5: number[]; sum: number }[]
    >;
    for (const experiments of Object.values(bootstrap)) {
      for (const expected of experiments) {
        const rows = replay.choicesRange(indices.length, 16384);
        expect({
          first_10: rows.slice(0, 10),
          last_5: rows.slice(-5),
          sum: rows.reduce((sum, row) => sum + row, 0),
        }).toEqual(expected);
      }
    }
    const result = scoreClustering(vectors, levels, random);
    const expected = fixture.expected.unrounded;
    // Measured: clustering-1 0.7803 against 0.7790, clustering-2 0.8115 against 0.8135; several single
    // experiments equal MTEB's to 4 decimals, others differ where float32 BLAS rounding breaks a near-tie.
    expect(Math.abs((result.scores.v_measure as number) - (expected.v_measure as number))).toBeLessThan(0.01);
    expect(Math.abs((result.scores.ami as number) - (expected.ami as number))).toBeLessThan(0.01);
  });
});
