import { describe, expect, it } from "vitest";
import { ProgressReporter } from "./progress-reporter.js";

function capture() {
  const chunks: string[] = [];
  return { chunks, stream: { write: (chunk: string) => chunks.push(chunk) > 0 } };
}

describe("ProgressReporter", () => {
  it("prints periodic lines, not a redrawn bar, in CI logs", () => {
    const { chunks, stream } = capture();
    let now = 0;
    const reporter = new ProgressReporter(stream, { interactive: false, now: () => now });
    const progress = reporter.start("bm25 × quickstart", 100);
    for (let done = 1; done <= 100; done++) {
      now += 100;
      progress.update(done);
    }
    progress.finish("100 texts");
    const text = chunks.join("");
    expect(text).not.toContain("\r");
    // One line at each quarter (25, 50, 75) and the final line; nothing for the other 96 updates.
    expect(text.trim().split("\n")).toHaveLength(4);
    expect(text).toContain("bm25 × quickstart: 25/100 (25%)");
    expect(text).toContain("bm25 × quickstart: done in 10 s, 100 texts");
  });

  it("redraws one line on a terminal", () => {
    const { chunks, stream } = capture();
    const reporter = new ProgressReporter(stream, { interactive: true, now: () => 0 });
    const progress = reporter.start("embed", 10);
    progress.update(5);
    const line = chunks.at(-1) ?? "";
    expect(line.startsWith("\r\u001b[2K")).toBe(true);
    expect(line.slice(5)).toMatch(/^embed █+░+ 5\/10 \(50%\)/);
  });

  it("counts only texts embedded since the start in the rate, not those found in the cache", () => {
    const { chunks, stream } = capture();
    let now = 0;
    const reporter = new ProgressReporter(stream, { interactive: false, now: () => now, intervalMs: 1000 });
    const progress = reporter.start("resume", 2000);
    progress.update(1900); // cached: there at once
    now = 2000;
    progress.update(1940, "throttled since 16:31:05 (2 s)");
    expect(chunks.at(-1)).toBe(
      "resume: 1,940/2,000 (97%), 20/s, about 3.0 s left, throttled since 16:31:05 (2 s)\n",
    );
  });

  it("removes control characters that names bring into the log", () => {
    const { chunks, stream } = capture();
    const reporter = new ProgressReporter(stream, { interactive: false });
    reporter.log("model\u001b[2J × task\u0007: failed");
    reporter.start("a\u001b[31mb", 1).finish();
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
    expect(chunks.join("")).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
  });
});
