import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { EmbedEvalError, type ProviderSettings } from "@embedeval/provider-contract";
import { fakeEmbedding, fakeTokenCount } from "@embedeval/provider-testkit";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import defaultExport, { createOpenAIProvider, plugin, pricesPerMillionTokens } from "./index.js";
import { type OpenAIServer, startOpenAIServer } from "./testing/index.js";

// The wire format, credentials, options at work and errors, against the local server.
// Fake credentials that must never appear in an error, message or inspected object.
const apiKey = "sk-proj-fakeKeyDoNotLeak0123456789abcdefWXYZ";
const azureApiKey = "azureFakeKeyDoNotLeak0123456789";
const entraToken = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0In0.fakeSignatureDoNotLeak";
const gatewayToken = "gateway-token-do-not-leak-42";

const compatibleModel = "BAAI/bge-small-en-v1.5";

let server: OpenAIServer;
let localServer: OpenAIServer;
beforeAll(async () => {
  server = await startOpenAIServer({
    apiKey,
    azureApiKey,
    azureEntraToken: entraToken,
    deployments: {
      "emb-small": "text-embedding-3-small",
      "text-embedding-3-large": "text-embedding-3-large",
    },
  });
  // A local OpenAI-compatible server (vLLM, TEI, Ollama): no key, an open model, extra body fields.
  localServer = await startOpenAIServer({
    models: {
      [compatibleModel]: {
        dimensions: 384,
        acceptsDimensions: false,
        normalize: false,
        extraFields: ["truncate_prompt_tokens"],
      },
    },
    maxTokensPerInput: 512,
  });
});
afterAll(async () => {
  await server.close();
  await localServer.close();
});
beforeEach(() => {
  server.calls.length = 0;
  localServer.calls.length = 0;
});

function openAISettings(
  model: string,
  options: Record<string, unknown> = {},
  environment: Record<string, string> = {},
): ProviderSettings {
  return {
    model,
    options: { baseURL: server.baseURL, apiKeyVariable: "TEST_OPENAI_KEY", ...options },
    baseDirectory: "/tmp",
    environment: { TEST_OPENAI_KEY: apiKey, ...environment },
  };
}

function azureSettings(
  model: string,
  options: Record<string, unknown> = {},
  environment: Record<string, string> = { AZURE_OPENAI_API_KEY: azureApiKey },
): ProviderSettings {
  return {
    model,
    options: { api: "azure", endpoint: server.url, ...options },
    baseDirectory: "/tmp",
    environment,
  };
}

function localSettings(options: Record<string, unknown> = {}, environment: Record<string, string> = {}) {
  return {
    model: compatibleModel,
    options: { baseURL: localServer.baseURL, ...options },
    baseDirectory: "/tmp",
    environment,
  };
}

function float32(values: readonly number[]): number[] {
  return Array.from(Float32Array.from(values));
}

describe("OpenAI", () => {
  it("sends the documented body and headers and decodes base64 float32 vectors", async () => {
    const provider = createOpenAIProvider(
      openAISettings(
        "text-embedding-3-small",
        { dimensions: 256, organization: "org-test", project: "proj_test" },
        { OPENAI_ORG_ID: "org-not-sent-elsewhere" },
      ),
    );
    const texts = ["Aspirin lowers fever.", "Vaccines train the immune system."];
    const result = await provider.embed({ texts, inputType: "document" });
    expect(server.calls).toHaveLength(1);
    const [call] = server.calls;
    expect(call?.path).toBe("/v1/embeddings");
    expect(call?.body).toEqual({
      model: "text-embedding-3-small",
      input: texts,
      encoding_format: "base64",
      dimensions: 256,
    });
    expect(call?.headers.authorization).toBe(`Bearer ${apiKey}`);
    expect(call?.headers["openai-organization"]).toBe("org-test");
    expect(call?.headers["openai-project"]).toBe("proj_test");
    expect(call?.headers["content-type"]).toBe("application/json");
    expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => float32(fakeEmbedding(text, 256, { normalize: true }))),
    );
    expect(result.usage).toEqual({
      tokens: fakeTokenCount(texts[0] as string) + fakeTokenCount(texts[1] as string),
      source: "provider",
    });
    expect(result.requestIds?.[0]).toMatch(/^req_[0-9a-f]{32}$/);
    expect(provider.capabilities).toEqual({
      maxInputsPerCall: 2048,
      maxTokensPerInput: 8191,
      maxRequestBytes: 300_000 + 1024,
      dimensions: 256,
      normalized: false,
      supportsParallelCalls: true,
    });
    expect(provider.vectorOptions).toEqual({ dimensions: 256, server: server.baseURL });
  });

  it("float and base64 answers give the same float32 vectors", async () => {
    const texts = ["heart disease", "photosynthesis turns sunlight into sugar"];
    const base64 = await createOpenAIProvider(openAISettings("text-embedding-3-large")).embed({
      texts,
      inputType: "query",
    });
    const float = await createOpenAIProvider(
      openAISettings("text-embedding-3-large", { encodingFormat: "float" }),
    ).embed({ texts, inputType: "query" });
    expect(server.calls.map((call) => (call.body as { encoding_format: string }).encoding_format)).toEqual([
      "base64",
      "float",
    ]);
    expect(float.embeddings.map((vector) => Array.from(vector))).toEqual(
      base64.embeddings.map((vector) => Array.from(vector)),
    );
    expect(base64.embeddings[0]).toHaveLength(3072);
  });

  it("orders vectors by each item's index, not by their place in the answer", async () => {
    const reversed = await startOpenAIServer({ reverseData: true });
    try {
      const provider = createOpenAIProvider({
        model: "text-embedding-ada-002",
        options: { baseURL: reversed.baseURL },
        baseDirectory: "/tmp",
        environment: {},
      });
      const texts = ["first text", "second text", "third text"];
      const result = await provider.embed({ texts, inputType: "document" });
      expect(result.embeddings.map((vector) => Array.from(vector))).toEqual(
        texts.map((text) => float32(fakeEmbedding(text, 1536, { normalize: true }))),
      );
    } finally {
      await reversed.close();
    }
  });
});

describe("Azure OpenAI", () => {
  it("calls the deployment's URL with api-version and the api-key header, not Authorization", async () => {
    const provider = createOpenAIProvider(
      azureSettings("text-embedding-3-small", { deployment: "emb-small" }),
    );
    const result = await provider.embed({ texts: ["a query"], inputType: "query" });
    const [call] = server.calls;
    expect(call?.route).toBe("azure");
    expect(call?.path).toBe("/openai/deployments/emb-small/embeddings");
    expect(call?.apiVersion).toBe("2024-10-21");
    expect(call?.headers["api-key"]).toBe(azureApiKey);
    expect(call?.headers.authorization).toBeUndefined();
    expect(Array.from(result.embeddings[0] ?? [])).toEqual(
      float32(fakeEmbedding("a query", 1536, { normalize: true })),
    );
    expect(result.requestIds).toHaveLength(1);
    expect(provider.capabilities).toMatchObject({
      maxInputsPerCall: 2048,
      normalized: true,
      dimensions: 1536,
    });
    expect(provider.vectorOptions).toEqual({ dimensions: 1536, deployment: "emb-small" });
  });

  it("sends a Microsoft Entra token from the environment as a bearer token; the deployment defaults to the model", async () => {
    const provider = createOpenAIProvider(
      azureSettings(
        "text-embedding-3-large",
        { apiVersion: "2025-01-01-preview" },
        { AZURE_OPENAI_AD_TOKEN: entraToken },
      ),
    );
    await provider.embed({ texts: ["document"], inputType: "document" });
    const [call] = server.calls;
    expect(call?.path).toBe("/openai/deployments/text-embedding-3-large/embeddings");
    expect(call?.apiVersion).toBe("2025-01-01-preview");
    expect(call?.headers.authorization).toBe(`Bearer ${entraToken}`);
    expect(call?.headers["api-key"]).toBeUndefined();
  });
});

describe("OpenAI-compatible servers", () => {
  it("never sends an OpenAI key, organization or project from the environment to another server unless told to", async () => {
    const openAIEnvironment = {
      OPENAI_API_KEY: apiKey,
      OPENAI_ORG_ID: "org-env",
      OPENAI_PROJECT_ID: "proj_env",
    };
    const provider = createOpenAIProvider(localSettings({}, openAIEnvironment));
    await provider.embed({ texts: ["local"], inputType: "document" });
    expect(localServer.calls[0]?.headers.authorization).toBeUndefined();
    const told = createOpenAIProvider(
      localSettings({ apiKeyVariable: "LOCAL_KEY" }, { ...openAIEnvironment, LOCAL_KEY: "local-key-123456" }),
    );
    await told.embed({ texts: ["local"], inputType: "document" });
    expect(localServer.calls[1]?.headers.authorization).toBe("Bearer local-key-123456");
    expect(localServer.calls[1]?.headers["openai-organization"]).toBeUndefined();
    expect(localServer.calls[1]?.headers["openai-project"]).toBeUndefined();
  });

  it("adds prefixes by input type, extra body fields and custom headers; estimates usage a server does not report", async () => {
    const noUsage = await startOpenAIServer({
      reportUsage: false,
      models: {
        [compatibleModel]: {
          dimensions: 384,
          acceptsDimensions: false,
          normalize: false,
          extraFields: ["truncate_prompt_tokens"],
        },
      },
    });
    try {
      const provider = createOpenAIProvider({
        model: compatibleModel,
        options: {
          baseURL: noUsage.baseURL,
          queryPrefix: "query: ",
          documentPrefix: "passage: ",
          extraBody: { truncate_prompt_tokens: 512 },
          encodingFormat: "float",
          headers: { "X-Title": "embedeval" },
          headerVariables: { "cf-aig-authorization": "GATEWAY_TOKEN" },
        },
        baseDirectory: "/tmp",
        environment: { GATEWAY_TOKEN: gatewayToken },
      });
      const query = await provider.embed({ texts: ["what lowers fever"], inputType: "query" });
      await provider.embed({ texts: ["Aspirin lowers fever."], inputType: "document" });
      expect(noUsage.calls.map((call) => call.body)).toEqual([
        {
          model: compatibleModel,
          input: ["query: what lowers fever"],
          encoding_format: "float",
          truncate_prompt_tokens: 512,
        },
        {
          model: compatibleModel,
          input: ["passage: Aspirin lowers fever."],
          encoding_format: "float",
          truncate_prompt_tokens: 512,
        },
      ]);
      expect(noUsage.calls[0]?.headers["x-title"]).toBe("embedeval");
      expect(noUsage.calls[0]?.headers["cf-aig-authorization"]).toBe(gatewayToken);
      expect(Array.from(query.embeddings[0] ?? [])).toEqual(
        float32(fakeEmbedding("query: what lowers fever", 384, { normalize: false })),
      );
      expect(query.usage).toEqual({
        tokens: Math.ceil("query: what lowers fever".length / 4),
        source: "estimated",
      });
      expect(provider.capabilities).toEqual({
        maxInputsPerCall: 2048,
        normalized: false,
        supportsParallelCalls: true,
      });
      expect(provider.vectorOptions).toEqual({
        queryPrefix: "query: ",
        documentPrefix: "passage: ",
        extraBody: { truncate_prompt_tokens: 512 },
        server: noUsage.baseURL,
      });
    } finally {
      await noUsage.close();
    }
  });

  it("cuts texts over maxCharactersPerInput, without splitting a surrogate pair, and says so", async () => {
    const provider = createOpenAIProvider(localSettings({ maxCharactersPerInput: 5 }));
    const result = await provider.embed({ texts: ["abcd😀xyz", "short", "abcdefgh"], inputType: "document" });
    expect(localServer.calls[0]?.texts).toEqual(["abcd", "short", "abcde"]);
    expect(result.warnings).toEqual([
      "2 text(s) over 5 characters were cut to 5 characters (the end dropped, per `maxCharactersPerInput`).",
    ]);
    expect(provider.vectorOptions).toMatchObject({ maxCharactersPerInput: 5 });
  });
});

describe("errors", () => {
  it("a wrong key is not retried and the error holds no part of it", async () => {
    const provider = createOpenAIProvider(
      openAISettings("text-embedding-3-small", {}, { TEST_OPENAI_KEY: "sk-wrongKey0123456789abcd" }),
    );
    const error = await provider
      .embed({ texts: ["x"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: false, status: 401, providerCode: "invalid_api_key" });
    expect(String((error as Error).message)).not.toMatch(/sk-wrong|abcd\./);
    expect((error as EmbedEvalError).hint).toContain("TEST_OPENAI_KEY");
  });

  it("a text over the model's token limit: not retried, names the text and how to cut it", async () => {
    const long = Array.from({ length: 600 }, (_, index) => `word${index}`).join(" ");
    const provider = createOpenAIProvider(localSettings());
    const error = await provider
      .embed({ texts: ["short one", long, "another short one"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect((error as Error).message).toContain("maximum context length is 512 tokens");
    expect((error as Error).message).toContain(
      `input 2 of 3 in this call (${long.length.toLocaleString("en-US")} characters`,
    );
    expect((error as EmbedEvalError).hint).toContain("maxCharactersPerInput");
    expect((error as EmbedEvalError).hint).toContain("truncate_prompt_tokens");
  });

  it("a 429 carries the wait the server asked for, from whichever header it used", async () => {
    for (const [headers, expected] of [
      [["retry-after-ms", "retry-after"], 700],
      [["retry-after"], 1000],
      [["x-ratelimit"], 700],
    ] as const) {
      const limited = await startOpenAIServer({
        retryAfterMs: 700,
        retryAfterHeaders: headers,
        faults: [{ kind: "throttle" }],
      });
      try {
        const provider = createOpenAIProvider({
          model: "text-embedding-3-small",
          options: { baseURL: limited.baseURL },
          baseDirectory: "/tmp",
          environment: {},
        });
        const error = await provider
          .embed({ texts: ["x"], inputType: "document" })
          .catch((caught: unknown) => caught);
        expect(error, headers.join(",")).toMatchObject({
          retryable: true,
          throttled: true,
          retryAfterMs: expected,
        });
      } finally {
        await limited.close();
      }
    }
  });

  it("a response slower than requestTimeoutMs is a retryable timeout", async () => {
    const provider = createOpenAIProvider(
      openAISettings("text-embedding-3-small", { requestTimeoutMs: 100 }),
    );
    server.queueFaults({ kind: "delay", milliseconds: 2_000 });
    const error = await provider
      .embed({ texts: ["slow"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: true, providerCode: "RequestTimeout" });
  });

  it("a refused connection is retryable", async () => {
    const closed = await startOpenAIServer();
    await closed.close();
    const provider = createOpenAIProvider(localSettings({ baseURL: closed.baseURL }));
    const error = await provider
      .embed({ texts: ["x"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "provider", retryable: true, providerCode: "ECONNREFUSED" });
  });

  it("a redirect is not followed, so the key never reaches another address", async () => {
    let followed = 0;
    const target = createServer((_request, response) => {
      followed += 1;
      response.end("{}");
    });
    const redirecting = createServer((_request, response) => {
      const { port } = target.address() as AddressInfo;
      response.writeHead(307, { location: `http://127.0.0.1:${port}/v1/embeddings` });
      response.end();
    });
    await new Promise<void>((resolve) => target.listen(0, "127.0.0.1", resolve));
    await new Promise<void>((resolve) => redirecting.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const provider = createOpenAIProvider(azureSettings("m", { endpoint: `http://127.0.0.1:${port}` }));
      const error = await provider
        .embed({ texts: ["x"], inputType: "document" })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ retryable: false, status: 307 });
      expect(followed).toBe(0);
    } finally {
      redirecting.closeAllConnections();
      target.closeAllConnections();
      await new Promise((resolve) => redirecting.close(resolve));
      await new Promise((resolve) => target.close(resolve));
    }
  });

  it("an empty text the server refuses: not retried, and the hint says the input is empty", async () => {
    const provider = createOpenAIProvider(openAISettings("text-embedding-3-small"));
    const error = await provider
      .embed({ texts: ["a text", ""], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ retryable: false, status: 400 });
    expect((error as EmbedEvalError).hint).toContain("An input is empty");
  });

  it("refuses more texts than a call takes without calling the server", async () => {
    const provider = createOpenAIProvider(localSettings({ maxInputsPerRequest: 2 }));
    const error = await provider
      .embed({ texts: ["a", "b", "c"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(EmbedEvalError.is(error) && error.code).toBe("internal");
    expect(localServer.calls).toHaveLength(0);
  });
});

describe("plugin", () => {
  it("is the default export, named openai, with OpenAI's list prices", async () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin).toMatchObject({ specificationVersion: "v1", name: "openai" });
    expect(pricesPerMillionTokens).toEqual({
      "text-embedding-3-small": 0.02,
      "text-embedding-3-large": 0.13,
      "text-embedding-ada-002": 0.1,
    });
    expect(plugin.knownModels).toEqual([
      "text-embedding-3-small",
      "text-embedding-3-large",
      "text-embedding-ada-002",
    ]);
    const provider = await plugin.create(openAISettings("text-embedding-3-small"));
    expect(provider).toMatchObject({ provider: "openai", modelId: "text-embedding-3-small" });
  });
});
