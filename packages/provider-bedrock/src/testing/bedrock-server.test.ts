/**
 * The local Bedrock server itself, spoken to with plain fetch: it must reject what the real service
 * rejects, or the plugin tests that assert on accepted bodies would prove nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BedrockServer, startBedrockServer } from "./index.js";

let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(async () => {
  await server.close();
});

async function invoke(modelId: string, body: unknown) {
  const response = await fetch(`${server.url}/model/${encodeURIComponent(modelId)}/invoke`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return {
    status: response.status,
    errorType: response.headers.get("x-amzn-errortype"),
    body: (await response.json()) as Record<string, unknown>,
  };
}

describe("local Bedrock server", () => {
  it("rejects keys, values and sizes the documentation does not allow, as ValidationException", async () => {
    const rejected = [
      await invoke("amazon.titan-embed-text-v1", { inputText: "x", dimensions: 512 }),
      await invoke("amazon.titan-embed-text-v2:0", { inputText: "x", dimensions: 300 }),
      await invoke("amazon.titan-embed-text-v2:0", { inputText: "x", embeddingTypes: ["int8"] }),
      await invoke("cohere.embed-english-v3", { texts: ["x"] }),
      await invoke("cohere.embed-english-v3", {
        texts: ["x"],
        input_type: "search_query",
        truncate: "RIGHT",
      }),
      await invoke("cohere.embed-english-v3", { texts: Array(97).fill("x"), input_type: "search_query" }),
      await invoke("cohere.embed-v4:0", { texts: ["x"], input_type: "search_query", output_dimension: 768 }),
      await invoke("amazon.nova-2-multimodal-embeddings-v1:0", { taskType: "SINGLE_EMBEDDING" }),
      await invoke("amazon.titan-embed-image-v1", { inputText: "x" }),
    ];
    for (const answer of rejected) {
      expect(answer.status).toBe(400);
      expect(answer.errorType).toMatch(/^ValidationException:/);
      expect(answer.body.message).toEqual(expect.any(String));
    }
  });

  it("answers Cohere with embeddings_floats or embeddings_by_type and the token-count header", async () => {
    const floats = await fetch(`${server.url}/model/cohere.embed-english-v3/invoke`, {
      method: "POST",
      body: JSON.stringify({ texts: ["a b", "c"], input_type: "search_document" }),
    });
    expect(floats.headers.get("x-amzn-bedrock-input-token-count")).toBe("3");
    expect(floats.headers.get("x-amzn-requestid")).toMatch(/^[0-9a-f-]{36}$/);
    const floatsBody = (await floats.json()) as Record<string, unknown>;
    expect(floatsBody.response_type).toBe("embeddings_floats");
    expect(floatsBody.embeddings).toHaveLength(2);
    const byType = await invoke("cohere.embed-english-v3", {
      texts: ["a"],
      input_type: "search_query",
      embedding_types: ["int8", "ubinary"],
    });
    expect(byType.body.response_type).toBe("embeddings_by_type");
    const embeddings = byType.body.embeddings as Record<string, number[][]>;
    expect(embeddings.int8?.[0]).toHaveLength(1024);
    expect(embeddings.ubinary?.[0]).toHaveLength(128);
  });

  it("scripted faults apply in order, one per request, and are logged", async () => {
    server.calls.length = 0;
    server.queueFaults({ kind: "throttle" }, { kind: "model-error", originalStatusCode: 500 });
    const first = await invoke("amazon.titan-embed-text-v1", { inputText: "x" });
    const second = await invoke("amazon.titan-embed-text-v1", { inputText: "x" });
    const third = await invoke("amazon.titan-embed-text-v1", { inputText: "x" });
    expect([first.status, second.status, third.status]).toEqual([429, 424, 200]);
    expect(first.errorType).toBe("ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/");
    expect(second.body).toMatchObject({ originalStatusCode: 500 });
    expect(server.calls.map((call) => call.fault)).toEqual(["throttle", "model-error", undefined]);
  });
});
