import { describe, expect, it } from "vitest";
import { VirtualClock } from "../testing/virtual-clock.js";
import { AdaptiveRateLimiter } from "./adaptive-rate-limiter.js";

describe("AdaptiveRateLimiter", () => {
  it("halves on a throttle and climbs back to the ceiling in recoverySuccesses steps", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ requestsPerMinute: 1200, recoverySuccesses: 20 }, clock);
    const started = await limiter.acquire();
    limiter.onThrottle(started, 4);
    expect(limiter.snapshot()).toEqual({ requestsPerMinute: 600, decreases: 1 });
    for (let success = 0; success < 19; success += 1) limiter.onSuccess(clock.now());
    expect(limiter.snapshot().requestsPerMinute).toBeCloseTo(1170, 9);
    limiter.onSuccess(clock.now());
    limiter.onSuccess(clock.now());
    expect(limiter.snapshot().requestsPerMinute).toBe(1200);
  });

  it("ignores throttles of calls sent before the last decrease", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ requestsPerMinute: 600, recoverySuccesses: 20 }, clock);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    limiter.onThrottle(second, 4);
    limiter.onThrottle(first, 4);
    expect(limiter.snapshot()).toEqual({ requestsPerMinute: 300, decreases: 1 });
    // A success at the new pace closes the episode (and adds one step: 300 / 20).
    limiter.onSuccess(await limiter.acquire());
    const third = await limiter.acquire();
    limiter.onThrottle(third, 4);
    expect(limiter.snapshot()).toEqual({ requestsPerMinute: 157.5, decreases: 2 });
  });

  it("decreases once per throttling episode, however many calls the burst throttles", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ requestsPerMinute: 6000, window: 20 }, clock);
    // A burst: every call refused for ten seconds, each batch throttled again and again.
    while (clock.now() < 10_000) {
      const started = await limiter.acquire();
      limiter.onThrottle(started, 6);
    }
    expect(limiter.snapshot()).toEqual({ requestsPerMinute: 3000, decreases: 1 });
  });

  it("recovers in proportion to the pace before the episode, not to the pace it fell to", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({ window: 20, recoverySuccesses: 20 }, clock);
    // 6,000 calls a minute accepted, then a real limit far below: three episodes in a row.
    for (let call = 0; call < 20; call += 1) {
      limiter.onSuccess(await limiter.acquire());
      await clock.sleep(10);
    }
    const paces: number[] = [];
    for (let episode = 0; episode < 3; episode += 1) {
      limiter.onThrottle(await limiter.acquire(), 4);
      paces.push(limiter.snapshot().requestsPerMinute);
      limiter.onSuccess(await limiter.acquire()); // closes the episode
    }
    expect(limiter.snapshot().decreases).toBe(3);
    expect(paces[0]).toBeCloseTo(3000, 0);
    expect(paces[2]).toBeLessThan(1000);
    // Back to the pace before the first episode (6,000 a minute) in steps of that episode's size
    // (3,000 / 20 a success), not of the collapsed pace's (which took hundreds of successes).
    let successes = 0;
    const before = paces[0] as number;
    while (limiter.snapshot().requestsPerMinute < before * 2 && successes < 200) {
      limiter.onSuccess(await limiter.acquire());
      successes += 1;
    }
    expect(successes).toBeLessThanOrEqual(40);
  });

  it("without a configured ceiling, starts pacing at half the observed rate once throttled", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter({}, clock);
    for (let call = 0; call < 10; call += 1) {
      await limiter.acquire();
      await clock.sleep(10);
    }
    expect(limiter.snapshot().requestsPerMinute).toBe(Number.POSITIVE_INFINITY);
    limiter.onThrottle(clock.now(), 4);
    // Ten starts in 100 ms: 6,000 a minute observed, 3,000 after the decrease.
    expect(limiter.snapshot().requestsPerMinute).toBe(3000);
  });

  it("absorbs a steady few percent of throttles but halves once the recent share passes the threshold", async () => {
    const clock = new VirtualClock();
    const limiter = new AdaptiveRateLimiter(
      { requestsPerMinute: 6000, window: 20, throttleShare: 0.25 },
      clock,
    );
    // One throttle in ten, for 200 calls: below the threshold, so the pace never drops.
    for (let call = 0; call < 200; call += 1) {
      const started = await limiter.acquire();
      if (call % 10 === 9) limiter.onThrottle(started);
      else limiter.onSuccess(started);
    }
    expect(limiter.snapshot()).toEqual({ requestsPerMinute: 6000, decreases: 0 });
    // Then every other call: by the time half the window is throttled the share is over 25%.
    let calls = 0;
    while (limiter.snapshot().decreases === 0 && calls < 40) {
      const started = await limiter.acquire();
      if (calls % 2 === 0) limiter.onThrottle(started);
      else limiter.onSuccess(started);
      calls += 1;
    }
    expect(limiter.snapshot().decreases).toBe(1);
    expect(calls).toBeLessThan(20);
  });
});
