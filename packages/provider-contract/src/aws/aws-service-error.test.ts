import { describe, expect, it } from "vitest";
import { ProviderError } from "../errors.js";
import { type AwsErrorContext, classifyAwsError, retryAfterMs } from "./aws-service-error.js";

const context: AwsErrorContext = {
  provider: "acme",
  target: "model m1",
  secrets: ["superSecretValue123"],
  serviceErrors: {
    SlowDown: { retryable: true, throttled: true, hint: "Lower the rate." },
    BadInput: { retryable: false },
  },
};

/** The plain shape an AWS SDK v3 ServiceException has; no SDK is needed to build one. */
function serviceError(name: string, status: number, extra: Record<string, unknown> = {}) {
  return Object.assign(new Error(`${name} happened`), {
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, requestId: "req-1" },
    ...extra,
  });
}

describe("classifyAwsError", () => {
  it("uses the service's table for known names", () => {
    const error = classifyAwsError(serviceError("SlowDown", 400), context);
    expect(ProviderError.isProviderError(error)).toBe(true);
    expect(error).toMatchObject({
      provider: "acme",
      retryable: true,
      throttled: true,
      status: 400,
      providerCode: "SlowDown",
      requestId: "req-1",
      hint: "Lower the rate.",
    });
    expect(error.message).toBe("acme model m1: SlowDown (HTTP 400): SlowDown happened");
    expect(classifyAwsError(serviceError("BadInput", 400), context).retryable).toBe(false);
  });

  it("knows the authentication errors every AWS service shares, unless the service's table says otherwise", () => {
    // A 403 that is not in the service's table would not be retried either, but would say nothing useful.
    const expired = classifyAwsError(serviceError("ExpiredTokenException", 403), context);
    expect(expired).toMatchObject({
      retryable: false,
      hint: "The AWS session expired; refresh it (aws sso login).",
    });
    const signature = classifyAwsError(serviceError("InvalidSignatureException", 403), context);
    expect(signature.hint).toBe("Check the AWS credentials and the machine's clock.");
    const overridden = classifyAwsError(serviceError("ExpiredTokenException", 403), {
      ...context,
      serviceErrors: { ExpiredTokenException: { retryable: false, hint: "Service-specific advice." } },
    });
    expect(overridden.hint).toBe("Service-specific advice.");
  });

  it("falls back on the status for unknown names: 429 throttles, 5xx retries, other 4xx do not", () => {
    expect(classifyAwsError(serviceError("Unknown", 429), context)).toMatchObject({
      retryable: true,
      throttled: true,
    });
    expect(classifyAwsError(serviceError("Unknown", 502), context)).toMatchObject({
      retryable: true,
      throttled: false,
    });
    expect(classifyAwsError(serviceError("Unknown", 409), context)).toMatchObject({ retryable: false });
  });

  it("reads Retry-After from the raw response", () => {
    const error = classifyAwsError(
      serviceError("SlowDown", 429, { $response: { headers: { "retry-after": "3" } } }),
      context,
    );
    expect(error.retryAfterMs).toBe(3000);
    expect(retryAfterMs({ "Retry-After": "soon" })).toBeUndefined();
  });

  it("retries network failures, not other client-side errors", () => {
    const reset = Object.assign(new Error("read ECONNRESET"), { code: "ECONNRESET" });
    expect(classifyAwsError(reset, context)).toMatchObject({ retryable: true, providerCode: "ECONNRESET" });
    expect(classifyAwsError(new TypeError("bad"), context)).toMatchObject({
      retryable: false,
      providerCode: "TypeError",
    });
    expect(classifyAwsError("a string", context).message).toBe("acme model m1: call failed: a string");
  });

  it("says how to fix missing credentials", () => {
    const missing = Object.assign(new Error("Could not load credentials"), {
      name: "CredentialsProviderError",
    });
    const error = classifyAwsError(missing, context);
    expect(error.retryable).toBe(false);
    expect(error.hint).toContain("AWS_PROFILE");
  });

  it("masks known secrets and never keeps the SDK error (and its signed request) as cause", () => {
    const error = classifyAwsError(
      serviceError("BadInput", 400, { message: "echo superSecretValue123" }),
      context,
    );
    expect(error.message).not.toContain("superSecretValue123");
    expect(error.message).toContain("[redacted]");
    expect(error.cause).toBeUndefined();
  });
});
