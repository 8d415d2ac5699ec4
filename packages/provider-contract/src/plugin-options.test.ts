import { describe, expect, it } from "vitest";
import { ConfigError } from "./errors.js";
import { readChoice, readPositiveInteger, readString, rejectUnknownOptions } from "./plugin-options.js";

function configError(action: () => unknown): ConfigError {
  try {
    action();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("plugin options", () => {
  it("reads valid values and leaves absent ones undefined", () => {
    expect(readString({ region: "us-east-1" }, "region")).toBe("us-east-1");
    expect(readString({}, "region")).toBeUndefined();
    expect(readPositiveInteger({ batchSize: 8 }, "batchSize")).toBe(8);
    expect(readChoice({ truncate: "end" }, "truncate", ["NONE", "START", "END"] as const, "Cohere")).toBe(
      "END",
    );
  });

  it("names the key and what was expected", () => {
    const error = configError(() => readPositiveInteger({ batchSize: 0 }, "batchSize"));
    expect(error.key).toBe("options.batchSize");
    expect(error.message).toBe("`options.batchSize` must be a positive integer, got 0.");
  });

  it("suggests the closest choice and the closest known option", () => {
    const choice = configError(() =>
      readChoice({ dimensions: 500 }, "dimensions", [256, 512, 1024], "Titan v2"),
    );
    expect(choice.hint).toBe("Did you mean 512?");
    const unknown = configError(() =>
      rejectUnknownOptions({ dimension: 256 }, ["dimensions", "normalize"], "Titan v2"),
    );
    expect(unknown.message).toBe("Unknown option `options.dimension` for Titan v2.");
    expect(unknown.hint).toBe("Did you mean `dimensions`? Options for this model: dimensions, normalize.");
  });
});
