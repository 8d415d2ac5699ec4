/**
 * Checks an AWS plugin adds to the conformance suite's error cases, run against a testkit server that
 * records each request's headers: the SDK made exactly one attempt (the runtime is the only retry
 * layer), the request was SigV4-signed, the error names the model and carries the service's request
 * id, and neither the signature nor the Authorization header leaks into the error.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import type { IncomingHttpHeaders } from "node:http";
import type { EmbeddingProvider, ProviderError } from "@embedeval/provider-contract";
import { expect } from "vitest";
import { commonFaultExpectations, type FaultExpectation } from "./describe-provider-conformance.js";

/**
 * commonFaultExpectations as an AWS SDK v3 client reports them: it reads responses with node:http,
 * so a connection dropped mid-body surfaces as ECONNRESET.
 */
export const awsFaultExpectations: readonly FaultExpectation[] = commonFaultExpectations.map((expectation) =>
  expectation.fault.kind === "connection-reset"
    ? { ...expectation, expected: { ...expectation.expected, providerCode: "ECONNRESET" } }
    : expectation,
);

/** A local server that records the headers of every request it received. */
export interface RecordingServer {
  calls: ReadonlyArray<{ headers: IncomingHttpHeaders }>;
}

/** The last request's Authorization header and the SigV4 signature in it. */
export function lastRequestSignature(server: RecordingServer): { authorization: string; signature?: string } {
  const authorization = String(server.calls.at(-1)?.headers.authorization ?? "");
  const signature = /Signature=([0-9a-f]+)/.exec(authorization)?.[1];
  return signature === undefined ? { authorization } : { authorization, signature };
}

/** For `secrets`: the given values plus the last request's Authorization header and signature. */
export function awsRequestSecrets(server: RecordingServer, secrets: readonly string[]): () => string[] {
  return () => {
    const { authorization, signature } = lastRequestSignature(server);
    return [...secrets, authorization, signature ?? ""];
  };
}

/**
 * For an error case's `check`. The server's calls must be cleared before each test (a `beforeEach`
 * setting `server.calls.length = 0`), so that "one call" means this test's call.
 */
export function checkAwsServiceError(
  server: RecordingServer,
): (error: ProviderError, provider: EmbeddingProvider) => void {
  return (error, provider) => {
    if (error.status !== undefined && error.status !== 200)
      expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(error.message).toContain(provider.modelId);
    // maxAttempts 1: the SDK never retried on its own.
    expect(server.calls).toHaveLength(1);
    expect(
      lastRequestSignature(server).signature,
      "the request was signed, so the secret check means something",
    ).toMatch(/^[0-9a-f]{64}$/);
  };
}
