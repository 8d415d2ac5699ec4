import { describe, expect, it } from "vitest";
import { ConfigError, EmbedEvalError, formatError, ProviderError } from "./errors.js";

describe("errors", () => {
  it("recognises embedeval errors by marker and formats file, line and hint", () => {
    const error = new ConfigError("unknown provider `bedroc`; did you mean `bedrock`?", {
      file: "embedeval.yml",
      line: 4,
      key: "models[0].provider",
      hint: "Use one of: bedrock, sagemaker, openai.",
    });
    expect(EmbedEvalError.is(error)).toBe(true);
    expect(EmbedEvalError.is(new Error("x"))).toBe(false);
    expect(formatError(error)).toBe(
      "error: embedeval.yml:4: unknown provider `bedroc`; did you mean `bedrock`?\n  hint: Use one of: bedrock, sagemaker, openai.",
    );
  });

  it("carries retry information on provider errors", () => {
    const error = new ProviderError("Too many requests", {
      provider: "bedrock",
      retryable: true,
      throttled: true,
      status: 429,
      providerCode: "ThrottlingException",
    });
    expect(ProviderError.isProviderError(error)).toBe(true);
    expect(error.throttled).toBe(true);
    expect(error.status).toBe(429);
  });
});
