import { describe, expect, it } from "vitest";
import { ProviderError } from "./errors.js";
import {
  binaryVector,
  checkDimensions,
  numberVector,
  parseJsonResponse,
  parseResponseVectors,
  UnexpectedResponseError,
} from "./response-vectors.js";

const context = {
  provider: "acme",
  target: "model m1",
  requestId: "req-9",
  secrets: ["superSecretValue123"],
};

describe("response vectors", () => {
  it("turns a JSON array into a checked Float32Array", () => {
    expect(Array.from(numberVector([0.5, -1], 2, "embedding"))).toEqual([0.5, -1]);
    expect(() => numberVector([0.5, "x"], 2, "embedding")).toThrow(
      'embedding[1] is "x", not a finite number.',
    );
    expect(() => numberVector([0.5], 2, "embedding")).toThrow(UnexpectedResponseError);
    expect(Array.from(binaryVector([-128], 8, "binary"))).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(() => checkDimensions([new Float32Array(3), new Float32Array(2)], undefined)).toThrow(
      "vector 1 has 2 dimensions; expected 3.",
    );
  });

  it("a body that is not JSON is a retryable ProviderError that quotes its start without secrets", () => {
    const error = (() => {
      try {
        return parseJsonResponse('{"token": "superSecretValue123", "embedding": [', context);
      } catch (caught) {
        return caught;
      }
    })() as ProviderError;
    expect(ProviderError.isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      retryable: true,
      providerCode: "MalformedResponse",
      status: 200,
      requestId: "req-9",
    });
    expect(error.message).not.toContain("superSecretValue123");
  });

  it("a vector of the wrong size becomes a non-retryable WrongDimension with the plugin's hint", () => {
    const hints = {
      about: " for format x",
      dimension: "Check `options.dimensions`.",
      shape: "Check the format.",
    };
    const wrongSize = () => parseResponseVectors(context, hints, () => numberVector([1], 2, "embedding"));
    expect(wrongSize).toThrow(
      "acme model m1: unexpected response for format x: embedding has 1 dimensions; expected 2.",
    );
    expect(() => wrongSize()).toThrow(
      expect.objectContaining({ retryable: false, providerCode: "WrongDimension", hint: hints.dimension }),
    );
    const wrongShape = () => parseResponseVectors(context, hints, () => numberVector("no", 2, "embedding"));
    expect(wrongShape).toThrow(
      expect.objectContaining({ providerCode: "UnexpectedResponse", hint: hints.shape }),
    );
    expect(() =>
      parseResponseVectors(context, hints, () => {
        throw new RangeError("a bug");
      }),
    ).toThrow(RangeError);
  });
});
