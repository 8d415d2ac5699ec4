import { describe, expect, it } from "vitest";
import {
  classifyErrorResponse,
  classifyNetworkError,
  type ErrorContext,
  readErrorBody,
} from "./openai-error.js";

const context: ErrorContext = {
  provider: "openai",
  target: "model m at http://127.0.0.1:1/v1",
  secrets: ["the-secret-api-key-value"],
  credential: "bearer",
  credentialVariable: "OPENAI_API_KEY",
  api: "openai",
  texts: ["short", "a much longer text than the others in this call", "mid length"],
};

describe("readErrorBody", () => {
  it("reads every server's error shape", () => {
    expect(
      readErrorBody(
        '{"error": {"message": "m", "type": "invalid_request_error", "param": null, "code": "c"}}',
      ),
    ).toEqual({ message: "m", type: "invalid_request_error", code: "c" });
    expect(readErrorBody('{"error": {"code": "429", "message": "Azure says wait"}}')).toEqual({
      message: "Azure says wait",
      type: undefined,
      code: "429",
    });
    // Text Embeddings Inference
    expect(readErrorBody('{"error": "Input validation error", "error_type": "Validation"}')).toEqual({
      message: "Input validation error",
      type: "Validation",
      code: undefined,
    });
    // older vLLM, with a numeric code
    expect(
      readErrorBody('{"object": "error", "message": "too long", "type": "BadRequestError", "code": 400}'),
    ).toEqual({ message: "too long", type: "BadRequestError", code: "400" });
    // FastAPI
    expect(
      readErrorBody('{"detail": [{"loc": ["body", "input"], "msg": "field required"}]}').message,
    ).toContain("field required");
    // a proxy's page
    expect(readErrorBody("<html><body><h1>502 Bad Gateway</h1></body></html>").message).toBe(
      "502 Bad Gateway",
    );
  });
});

describe("classifyErrorResponse", () => {
  const classify = (status: number, body: unknown, headers: Record<string, string> = {}) =>
    classifyErrorResponse(
      status,
      new Headers(headers),
      typeof body === "string" ? body : JSON.stringify(body),
      "req_1",
      context,
    );

  it("never retries 401 and 403, even when the server asks for a wait", () => {
    for (const status of [401, 403]) {
      const error = classify(status, { error: { message: "no" } }, { "retry-after": "1" });
      expect(error).toMatchObject({ retryable: false, throttled: false, status, retryAfterMs: undefined });
    }
  });

  it("retries 408, 409 and 5xx; 429 also lowers the rate, unless the account is out of quota", () => {
    for (const status of [408, 409, 500, 502, 503])
      expect(classify(status, {}).retryable, String(status)).toBe(true);
    expect(classify(429, { error: { code: "rate_limit_exceeded" } })).toMatchObject({
      retryable: true,
      throttled: true,
    });
    expect(
      classify(429, { error: { type: "insufficient_quota", code: "insufficient_quota" } }),
    ).toMatchObject({
      retryable: false,
      throttled: false,
      providerCode: "insufficient_quota",
    });
    expect(classify(404, {}).retryable).toBe(false);
  });

  it("names the text a too-long 400 is about: the one the message names, else the longest", () => {
    const longest = classify(400, {
      error: {
        message: "This model's maximum context length is 8192 tokens, however you requested 9000 tokens",
      },
    });
    expect(longest.message).toContain("input 2 of 3 in this call (47 characters");
    expect(longest.hint).toContain("maxCharactersPerInput");
    const named = classify(400, {
      error: { message: "Invalid 'input[2]': maximum input length is 8192 tokens." },
    });
    expect(named.message).toContain("input 3 of 3");
  });

  it("masks the key, whole or in OpenAI's partly starred form", () => {
    const error = classify(401, {
      error: {
        message: "Incorrect API key provided: sk-proj-abc********wxyz. Echo: the-secret-api-key-value",
      },
    });
    expect(error.message).not.toContain("sk-proj");
    expect(error.message).not.toContain("the-secret-api-key-value");
    expect(error.hint).toContain("OPENAI_API_KEY");
  });

  it("refuses to follow a redirect, and says where it pointed without its query", () => {
    const error = classify(307, "", { location: "https://elsewhere.example/v1/embeddings?sig=abc" });
    expect(error).toMatchObject({ retryable: false, status: 307 });
    expect(error.message).toContain("https://elsewhere.example/v1/embeddings");
    expect(error.message).not.toContain("sig=abc");
  });
});

describe("classifyNetworkError", () => {
  it("retries refused and reset connections, naming Node's code from the fetch error's cause", () => {
    const refused = new TypeError("fetch failed", {
      cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
    });
    expect(classifyNetworkError(refused, false, context)).toMatchObject({
      retryable: true,
      providerCode: "ECONNREFUSED",
    });
    expect(classifyNetworkError(new TypeError("terminated"), false, context)).toMatchObject({
      retryable: true,
      providerCode: "NetworkError",
    });
    expect(classifyNetworkError(new DOMException("t", "TimeoutError"), true, context).providerCode).toBe(
      "RequestTimeout",
    );
  });
});
