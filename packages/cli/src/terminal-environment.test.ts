import { describe, expect, it } from "vitest";
import { ProgressReporter } from "./progress-reporter.js";
import { colorEnabled, isContinuousIntegration } from "./terminal-environment.js";

describe("isContinuousIntegration", () => {
  it("is true for any non-empty CI value but false and 0", () => {
    for (const value of ["true", "1", "yes", "TRUE", "woodpecker"]) {
      expect(isContinuousIntegration({ CI: value }), `CI=${value}`).toBe(true);
    }
    for (const value of [undefined, "", "  ", "false", "FALSE", "0"]) {
      expect(isContinuousIntegration({ CI: value }), `CI=${value}`).toBe(false);
    }
  });

  it("turns the redrawn progress bar into plain lines on a terminal in CI", () => {
    const written: string[] = [];
    const terminal = { isTTY: true, columns: 80, write: (chunk: string) => written.push(chunk) > 0 };
    new ProgressReporter(terminal, { environment: { CI: "1" } }).log("hello");
    expect(written).toEqual(["hello\n"]);
    written.length = 0;
    new ProgressReporter(terminal, { environment: { CI: "0" } }).log("hello");
    expect(written[0]).toBe("\r\u001b[2K");
  });
});

describe("colorEnabled", () => {
  it("colours a terminal unless NO_COLOR is set to a non-empty value, and never a pipe", () => {
    expect(colorEnabled({ isTTY: true }, {})).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "" })).toBe(true);
    expect(colorEnabled({ isTTY: true }, { NO_COLOR: "1" })).toBe(false);
    expect(colorEnabled({}, {})).toBe(false);
  });
});
