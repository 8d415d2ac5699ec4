import { describe, expect, it } from "vitest";
import { backoffDelay } from "./retry-backoff.js";

describe("backoffDelay", () => {
  const settings = { baseDelayMilliseconds: 100, maxDelayMilliseconds: 1000 };
  it("draws uniformly below an exponentially growing, capped ceiling", () => {
    expect([1, 2, 3, 4, 5, 6].map((retry) => backoffDelay(retry, settings, () => 0.999))).toEqual([
      99.9, 199.8, 399.6, 799.2, 999, 999,
    ]);
    expect(backoffDelay(3, settings, () => 0)).toBe(0);
  });
  it("never comes back sooner than the provider's retry-after", () => {
    expect(backoffDelay(1, settings, () => 0.5, 3000)).toBe(3000);
    expect(backoffDelay(4, settings, () => 0.5, 10)).toBe(400);
  });
});
