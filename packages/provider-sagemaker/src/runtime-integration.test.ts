/**
 * The runtime (packages/core/src/runtime), the real plugin with the real AWS SDK client, and the
 * local SageMaker server injecting faults. Nothing is mocked.
 */
import { embedTexts } from "@embedeval/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSagemakerProvider } from "./sagemaker-plugin.js";
import { fakeEmbedding, type SagemakerServer, startSagemakerServer } from "./testing/index.js";

let server: SagemakerServer;
beforeAll(async () => {
  server = await startSagemakerServer({ endpoints: { "e5-tei": { format: "tei", dimensions: 96 } } });
});
afterAll(async () => {
  await server.close();
});

function provider() {
  return createSagemakerProvider({
    model: "e5-tei",
    options: { region: "us-west-2", endpoint: server.url, dimensions: 96, batchSize: 16 },
    baseDirectory: ".",
    environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: "test" },
  });
}

const runtime = { maxConcurrency: 2, timeoutSeconds: 10, maxRetries: 3 };
const fastBackoff = { baseDelayMilliseconds: 5, maxDelayMilliseconds: 20 };

describe("runtime + SageMaker plugin + faulty endpoint", () => {
  it("container 5xx and 429, a reset and SageMaker's own errors are retried to a complete result", async () => {
    server.calls.length = 0;
    server.queueFaults(
      { kind: "model-error", originalStatusCode: 503 },
      { kind: "model-error", originalStatusCode: 429 },
      { kind: "connection-reset" },
      { kind: "model-not-ready" },
      { kind: "internal-server" },
    );
    const texts = Array.from({ length: 100 }, (_, index) => `passage ${index} about topic ${index % 9}`);
    const embedding = provider();
    const result = await embedTexts({
      provider: embedding,
      texts,
      inputType: "document",
      settings: runtime,
      backoff: fastBackoff,
    });
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => Array.from(Float32Array.from(fakeEmbedding(text, 96, { normalize: true })))),
    );
    const answered = server.calls
      .filter((call) => call.status === 200 && call.fault === undefined)
      .flatMap((call) => call.texts);
    expect(answered.sort()).toEqual([...texts].sort());
    expect(result.usage.retries).toBe(5);
    expect(result.usage.tokensSource).toBe("estimated");
    await embedding.close();
  });

  it("a container 4xx is not retried: the run stops with the container's message", async () => {
    server.calls.length = 0;
    server.queueFaults({ kind: "model-error", originalStatusCode: 400, originalMessage: "bad input shape" });
    const embedding = provider();
    const error = await embedTexts({
      provider: embedding,
      texts: ["only one"],
      inputType: "query",
      settings: runtime,
      backoff: fastBackoff,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: false, providerCode: "ModelError:400" });
    expect(String((error as Error).message)).toContain("bad input shape");
    expect(server.calls).toHaveLength(1);
    await embedding.close();
  });
});
