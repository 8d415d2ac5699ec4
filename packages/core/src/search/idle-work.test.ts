import { describe, expect, it } from "vitest";
import { IdleWork } from "./idle-work.js";

describe("IdleWork", () => {
  it("runs steps while the awaited promise is pending, and stops once it settles", async () => {
    const idle = new IdleWork();
    let steps = 0;
    let finish: (value: string) => void = () => {};
    const answer = new Promise<string>((resolve) => {
      finish = resolve;
    });
    idle.set(() => {
      steps += 1;
      if (steps === 3) finish("done");
      return true; // always more to do: only the promise ends the waiting
    });
    await expect(idle.until(answer)).resolves.toBe("done");
    expect(steps).toBe(3);
  });

  it("drops work that is finished, and does not delay an answer that is already there", async () => {
    const idle = new IdleWork();
    let steps = 0;
    idle.set(() => ++steps < 2);
    await expect(idle.until(Promise.resolve(1))).resolves.toBe(1);
    expect(steps).toBe(0);
    await idle.until(new Promise((resolve) => setTimeout(resolve, 20)));
    expect(steps).toBe(2);
    expect(idle.runStep()).toBe(false);
  });

  it("passes a rejection through", async () => {
    const idle = new IdleWork();
    idle.set(() => true);
    await expect(idle.until(Promise.reject(new Error("backend failed")))).rejects.toThrow("backend failed");
  });
});
