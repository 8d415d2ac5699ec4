import { describe, expect, it } from "vitest";
import { exactPairedPermutationPValue, pairedPermutationPValue } from "./paired-permutation-test.js";

/** Independent reference: enumerate every sign vector recursively and count |sum| >= |observed|. */
function enumerate(differences: number[]): number {
  const observed = Math.abs(differences.reduce((sum, value) => sum + value, 0));
  let hits = 0;
  let total = 0;
  const walk = (index: number, sum: number) => {
    if (index === differences.length) {
      total++;
      if (Math.abs(sum) >= observed - 1e-12) hits++;
      return;
    }
    walk(index + 1, sum + (differences[index] as number));
    walk(index + 1, sum - (differences[index] as number));
  };
  walk(0, 0);
  return hits / total;
}

describe("pairedPermutationPValue", () => {
  it("is 1 when every difference is zero", () => {
    expect(pairedPermutationPValue(new Float64Array(30), { permutations: 10_000, seed: 1 })).toBe(1);
    expect(exactPairedPermutationPValue(new Float64Array(8))).toBe(1);
  });

  it("matches exact enumeration of all 256 sign flips for n = 8", () => {
    const differences = [0.12, 0.05, -0.02, 0.08, 0.1, 0.03, -0.04, 0.07];
    const exact = enumerate(differences);
    // Integer check (x100): sum 39; 14 of the 256 flip subsets reach |sum| >= 39.
    expect(exact).toBeCloseTo(14 / 256, 12);
    expect(exactPairedPermutationPValue(differences)).toBeCloseTo(exact, 12);
    const monteCarlo = pairedPermutationPValue(differences, { permutations: 20_000, seed: 9 });
    // Monte Carlo standard error sqrt(p(1-p)/B) is about 0.0018 here; allow four of them.
    expect(Math.abs(monteCarlo - exact)).toBeLessThan(0.008);
  });

  it("gives the smallest possible p-value, 1/(B+1), for a constant shift on many queries", () => {
    const differences = new Array(100).fill(-0.02);
    expect(pairedPermutationPValue(differences, { permutations: 10_000, seed: 2 })).toBe(1 / 10_001);
  });

  it("is deterministic for a seed", () => {
    const differences = [0.3, -0.1, 0.2, -0.25, 0.05, 0.4, -0.3, 0.1, 0.15, -0.05];
    const first = pairedPermutationPValue(differences, { permutations: 5000, seed: 4 });
    expect(pairedPermutationPValue(differences, { permutations: 5000, seed: 4 })).toBe(first);
  });

  it("refuses exact enumeration beyond 20 queries", () => {
    expect(() => exactPairedPermutationPValue(new Array(21).fill(1))).toThrow(RangeError);
  });
});
