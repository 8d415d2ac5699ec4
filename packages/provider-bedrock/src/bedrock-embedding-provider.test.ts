import { BedrockRuntimeClient } from "@aws-sdk/client-bedrock-runtime";
import { EmbedEvalError, type ProviderSettings } from "@embedeval/provider-contract";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import defaultExport, { createBedrockProvider, listPricePerMillionTokens, plugin } from "./index.js";
import {
  type BedrockServer,
  fakeEmbedding,
  fakeTokenCount,
  packSignBits,
  quantizeInt8,
  startBedrockServer,
} from "./testing/index.js";

// A fake secret that must never show up in any error, message or inspected object.
const fakeSecretKey = "fakeSecretKeyDoNotLeak/9f8e7d6c5b4a+ZYXWVU";

let server: BedrockServer;
beforeAll(async () => {
  server = await startBedrockServer();
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  server.calls.length = 0;
});

function settings(model: string, options: Record<string, unknown> = {}, url = server.url): ProviderSettings {
  return {
    model,
    options: { region: "us-east-1", endpoint: url, ...options },
    baseDirectory: "/tmp",
    environment: { AWS_ACCESS_KEY_ID: "test", AWS_SECRET_ACCESS_KEY: fakeSecretKey },
  };
}

function float32(values: readonly number[]): number[] {
  return Array.from(Float32Array.from(values));
}

describe("Titan text embeddings", () => {
  it("v1 sends only inputText and reads the body's token count", async () => {
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v1"));
    const result = await provider.embed({ texts: ["Aspirin lowers fever."], inputType: "document" });
    expect(server.calls).toHaveLength(1);
    const [call] = server.calls;
    expect(call?.path).toBe("/model/amazon.titan-embed-text-v1/invoke");
    expect(call?.body).toEqual({ inputText: "Aspirin lowers fever." });
    expect(call?.headers["content-type"]).toBe("application/json");
    expect(call?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=test\//);
    expect(result.embeddings).toHaveLength(1);
    expect(Array.from(result.embeddings[0] ?? [])).toEqual(
      float32(fakeEmbedding("Aspirin lowers fever.", 1536, { normalize: false })),
    );
    expect(result.usage).toEqual({ tokens: fakeTokenCount("Aspirin lowers fever."), source: "provider" });
    expect(result.requestIds).toHaveLength(1);
    expect(provider.capabilities).toMatchObject({ maxInputsPerCall: 1, dimensions: 1536, normalized: false });
    expect(provider.vectorOptions).toEqual({});
    await provider.close();
  });

  it("v2 sends dimensions, normalize and embeddingTypes, defaults filled in", async () => {
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v2:0"));
    await provider.embed({ texts: ["query text"], inputType: "query" });
    expect(server.calls[0]?.path).toBe("/model/amazon.titan-embed-text-v2%3A0/invoke");
    expect(server.calls[0]?.body).toEqual({
      inputText: "query text",
      dimensions: 1024,
      normalize: true,
      embeddingTypes: ["float"],
    });
    expect(provider.vectorOptions).toEqual({ dimensions: 1024, normalize: true, embeddingType: "float" });
    expect(provider.capabilities).toMatchObject({
      dimensions: 1024,
      normalized: true,
      maxCharactersPerInput: 50_000,
    });
    await provider.close();
  });

  it("v2 at 256 dimensions without normalisation returns exactly what the service sent", async () => {
    const provider = createBedrockProvider(
      settings("amazon.titan-embed-text-v2:0", { dimensions: 256, normalize: false }),
    );
    const result = await provider.embed({ texts: ["short"], inputType: "document" });
    expect(server.calls[0]?.body).toMatchObject({ dimensions: 256, normalize: false });
    expect(Array.from(result.embeddings[0] ?? [])).toEqual(
      float32(fakeEmbedding("short", 256, { normalize: false })),
    );
    expect(provider.capabilities.normalized).toBe(false);
    await provider.close();
  });

  it("v2 binary vectors are 0/1 floats, one per dimension", async () => {
    const provider = createBedrockProvider(
      settings("amazon.titan-embed-text-v2:0", { dimensions: 512, embeddingType: "binary" }),
    );
    const result = await provider.embed({ texts: ["binary please"], inputType: "document" });
    expect(server.calls[0]?.body).toMatchObject({ embeddingTypes: ["binary"], dimensions: 512 });
    const expected = fakeEmbedding("binary please", 512, { normalize: true }).map((value) =>
      value > 0 ? 1 : 0,
    );
    expect(Array.from(result.embeddings[0] ?? [])).toEqual(expected);
    expect(provider.capabilities.normalized).toBe(false);
    expect(provider.vectorOptions).toMatchObject({ embeddingType: "binary" });
    await provider.close();
  });

  it("refuses more than one text per call without calling the service", async () => {
    const provider = createBedrockProvider(settings("amazon.titan-embed-text-v2:0"));
    const error = await provider
      .embed({ texts: ["a", "b"], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(EmbedEvalError.is(error) && error.code).toBe("internal");
    expect(server.calls).toHaveLength(0);
    await provider.close();
  });
});

describe("Cohere Embed", () => {
  const texts = ["first document about cells", "second one, about proteins", "third: gene expression"];

  it("v3 english maps input types, keeps input order and reads the token-count header", async () => {
    const provider = createBedrockProvider(settings("cohere.embed-english-v3"));
    const documents = await provider.embed({ texts, inputType: "document" });
    const queries = await provider.embed({ texts: ["what do cells do"], inputType: "query" });
    expect(server.calls.map((call) => call.body)).toEqual([
      { texts, input_type: "search_document", truncate: "END", embedding_types: ["float"] },
      {
        texts: ["what do cells do"],
        input_type: "search_query",
        truncate: "END",
        embedding_types: ["float"],
      },
    ]);
    expect(documents.embeddings.map((vector) => Array.from(vector))).toEqual(
      texts.map((text) => float32(fakeEmbedding(text, 1024, { normalize: true }))),
    );
    const tokens = texts.reduce((sum, text) => sum + fakeTokenCount(text), 0);
    expect(documents.usage).toEqual({ tokens, source: "provider" });
    expect(queries.usage).toEqual({ tokens: fakeTokenCount("what do cells do"), source: "provider" });
    expect(provider.capabilities).toMatchObject({
      maxInputsPerCall: 96,
      maxCharactersPerInput: 2048,
      dimensions: 1024,
    });
    expect(provider.vectorOptions).toEqual({ embeddingType: "float", truncate: "END" });
    await provider.close();
  });

  it("captures the token-count header per request when calls overlap", async () => {
    const provider = createBedrockProvider(settings("cohere.embed-multilingual-v3"));
    const batches = [["one"], ["two words"], ["three little words"], ["a b c d"], texts];
    const results = await Promise.all(
      batches.map((batch) => provider.embed({ texts: batch, inputType: "document" })),
    );
    results.forEach((result, index) => {
      const batch = batches[index] ?? [];
      expect(result.usage.tokens).toBe(batch.reduce((sum, text) => sum + fakeTokenCount(text), 0));
    });
    await provider.close();
  });

  it("v3 int8 and binary vectors are unpacked to floats", async () => {
    const int8 = createBedrockProvider(
      settings("cohere.embed-english-v3", { embeddingType: "int8", truncate: "none" }),
    );
    const int8Result = await int8.embed({ texts: ["quantised"], inputType: "document" });
    expect(server.calls[0]?.body).toMatchObject({ embedding_types: ["int8"], truncate: "NONE" });
    expect(Array.from(int8Result.embeddings[0] ?? [])).toEqual(
      quantizeInt8(fakeEmbedding("quantised", 1024, { normalize: true })).map((value) => value + 0),
    );
    const binary = createBedrockProvider(settings("cohere.embed-english-v3", { embeddingType: "binary" }));
    const binaryResult = await binary.embed({ texts: ["packed bits"], inputType: "query" });
    const vector = fakeEmbedding("packed bits", 1024, { normalize: true });
    expect(packSignBits(vector, true)).toHaveLength(128);
    expect(Array.from(binaryResult.embeddings[0] ?? [])).toEqual(vector.map((value) => (value > 0 ? 1 : 0)));
    await int8.close();
    await binary.close();
  });

  it("v3 cuts texts over 2,048 characters on the side truncate names, with a warning", async () => {
    const long = `${"a".repeat(1500)} ${"b".repeat(1500)}`;
    const end = createBedrockProvider(settings("cohere.embed-english-v3"));
    const result = await end.embed({ texts: ["short", long], inputType: "document" });
    expect(server.calls[0]?.texts).toEqual(["short", long.slice(0, 2048)]);
    expect(result.warnings?.[0]).toMatch(/1 text\(s\) over Cohere Embed v3's 2048-character limit/);
    const start = createBedrockProvider(settings("cohere.embed-english-v3", { truncate: "START" }));
    await start.embed({ texts: [long], inputType: "document" });
    expect(server.calls[1]?.texts).toEqual([long.slice(-2048)]);
    // NONE sends the text as is, and the service rejects it: not retryable.
    const none = createBedrockProvider(settings("cohere.embed-english-v3", { truncate: "NONE" }));
    const error = await none
      .embed({ texts: [long], inputType: "document" })
      .catch((caught: unknown) => caught);
    expect(server.calls[2]?.texts).toEqual([long]);
    expect(error).toMatchObject({ retryable: false, status: 400, providerCode: "ValidationException" });
    await Promise.all([end.close(), start.close(), none.close()]);
  });

  it("v4 through a global inference profile sends output_dimension and its own truncate values", async () => {
    const provider = createBedrockProvider(
      settings("global.cohere.embed-v4:0", { dimensions: 512, maxTokens: 2048 }),
    );
    const result = await provider.embed({ texts: texts.slice(0, 2), inputType: "query" });
    expect(server.calls[0]?.path).toBe("/model/global.cohere.embed-v4%3A0/invoke");
    expect(server.calls[0]?.body).toEqual({
      texts: texts.slice(0, 2),
      input_type: "search_query",
      truncate: "RIGHT",
      embedding_types: ["float"],
      output_dimension: 512,
      max_tokens: 2048,
    });
    expect(result.embeddings.map((vector) => vector.length)).toEqual([512, 512]);
    expect(provider.vectorOptions).toEqual({
      embeddingType: "float",
      truncate: "RIGHT",
      dimensions: 512,
      maxTokens: 2048,
    });
    await provider.close();
  });
});

describe("Nova multimodal embeddings", () => {
  it("sends the documented text schema with a purpose per input type and estimates tokens", async () => {
    const provider = createBedrockProvider(
      settings("us.amazon.nova-2-multimodal-embeddings-v1:0", { dimensions: 1024 }),
    );
    const query = await provider.embed({ texts: ["find papers on sleep"], inputType: "query" });
    await provider.embed({ texts: ["A paper on sleep."], inputType: "document" });
    expect(server.calls.map((call) => call.body)).toEqual([
      {
        schemaVersion: "nova-multimodal-embed-v1",
        taskType: "SINGLE_EMBEDDING",
        singleEmbeddingParams: {
          embeddingPurpose: "GENERIC_RETRIEVAL",
          embeddingDimension: 1024,
          text: { truncationMode: "END", value: "find papers on sleep" },
        },
      },
      {
        schemaVersion: "nova-multimodal-embed-v1",
        taskType: "SINGLE_EMBEDDING",
        singleEmbeddingParams: {
          embeddingPurpose: "GENERIC_INDEX",
          embeddingDimension: 1024,
          text: { truncationMode: "END", value: "A paper on sleep." },
        },
      },
    ]);
    expect(Array.from(query.embeddings[0] ?? [])).toEqual(
      float32(fakeEmbedding("find papers on sleep", 1024, { normalize: true })),
    );
    expect(query.usage).toEqual({
      tokens: Math.ceil("find papers on sleep".length / 4),
      source: "estimated",
    });
    await provider.close();
  });
});

describe("configuration errors", () => {
  it("an unknown model lists the supported families", () => {
    const error = (() => {
      try {
        createBedrockProvider(settings("amazon.titan-embed-image-v1"));
      } catch (caught) {
        return caught;
      }
    })();
    expect(EmbedEvalError.is(error) && error.code).toBe("config");
    expect(EmbedEvalError.is(error) && error.hint).toMatch(/Titan Text Embeddings v2.*Cohere Embed v3.*Nova/);
  });

  it("an unsupported dimension suggests the closest valid one", () => {
    expect(() =>
      createBedrockProvider(settings("amazon.titan-embed-text-v2:0", { dimensions: 500 })),
    ).toThrowError(
      expect.objectContaining({ code: "config", key: "options.dimensions", hint: "Did you mean 512?" }),
    );
  });

  it("a misspelt option is rejected with a suggestion", () => {
    expect(() =>
      createBedrockProvider(settings("amazon.titan-embed-text-v2:0", { dimension: 512 })),
    ).toThrowError(
      expect.objectContaining({
        code: "config",
        key: "options.dimension",
        hint: expect.stringContaining("`dimensions`"),
      }),
    );
  });

  it("no region anywhere is a config error that says where to set it", () => {
    const bare: ProviderSettings = {
      model: "cohere.embed-v4:0",
      options: {},
      baseDirectory: "/tmp",
      environment: {},
    };
    expect(() => createBedrockProvider(bare)).toThrowError(
      expect.objectContaining({ code: "config", key: "options.region" }),
    );
  });

  it("modelFamily names the family of an ARN that does not carry it", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123";
    const provider = createBedrockProvider(settings(arn, { modelFamily: "titan-text-v2", dimensions: 256 }));
    expect(provider.family.id).toBe("titan-text-v2");
    expect(provider.capabilities.dimensions).toBe(256);
  });
});

describe("plugin", () => {
  it("is the default export and creates providers from settings", async () => {
    expect(defaultExport).toBe(plugin);
    expect(plugin).toMatchObject({ specificationVersion: "v1", name: "bedrock" });
    const provider = await plugin.create(settings("amazon.titan-embed-text-v2:0", { dimensions: 512 }));
    expect(provider).toMatchObject({ provider: "bedrock", modelId: "amazon.titan-embed-text-v2:0" });
  });

  it("takes region, endpoint and keys from the environment it is given", async () => {
    const provider = createBedrockProvider({
      model: "amazon.titan-embed-text-v1",
      options: {},
      baseDirectory: "/tmp",
      environment: {
        AWS_DEFAULT_REGION: "eu-central-1",
        AWS_ENDPOINT_URL: server.url,
        AWS_ACCESS_KEY_ID: "test",
        AWS_SECRET_ACCESS_KEY: fakeSecretKey,
        AWS_SESSION_TOKEN: "fake-session-token-value",
      },
    });
    await provider.embed({ texts: ["from the environment"], inputType: "document" });
    const headers = server.calls[0]?.headers;
    expect(headers?.authorization).toMatch(/Credential=test\/\d{8}\/eu-central-1\/bedrock\/aws4_request/);
    expect(headers?.["x-amz-security-token"]).toBe("fake-session-token-value");
    await provider.close();
  });

  it("answers an empty call without calling Bedrock, with zero tokens counted", async () => {
    const provider = createBedrockProvider(settings("cohere.embed-english-v3"));
    const result = await provider.embed({ texts: [], inputType: "document" });
    expect(result).toEqual({ embeddings: [], usage: { tokens: 0, source: "provider" } });
    expect(server.calls).toHaveLength(0);
    await provider.close();
  });

  it("calls through a client it is given, and leaves destroying it to the caller", async () => {
    const client = new BedrockRuntimeClient({
      region: "us-east-1",
      endpoint: server.url,
      credentials: { accessKeyId: "given", secretAccessKey: fakeSecretKey },
      maxAttempts: 1,
      // The local server speaks HTTP/1.1, as the plugin's own client does; the SDK's default is HTTP/2.
      requestHandler: new NodeHttpHandler(),
    });
    let destroyed = 0;
    const destroy = client.destroy.bind(client);
    client.destroy = () => {
      destroyed += 1;
      destroy();
    };
    // The settings name no region and no endpoint: with a client given, they are not read.
    const provider = createBedrockProvider(
      { model: "amazon.titan-embed-text-v1", options: {}, baseDirectory: "/tmp", environment: {} },
      { client },
    );
    await provider.embed({ texts: ["through the given client"], inputType: "document" });
    expect(server.calls[0]?.headers.authorization).toMatch(/Credential=given\//);
    await provider.close();
    expect(destroyed).toBe(0);
    client.destroy();
  });

  it("knows list prices, inference-profile ids included", () => {
    expect(listPricePerMillionTokens("amazon.titan-embed-text-v2:0")).toBe(0.02);
    expect(listPricePerMillionTokens("us.cohere.embed-v4:0")).toBe(0.12);
    expect(listPricePerMillionTokens("cohere.embed-english-v3")).toBe(0.1);
    expect(listPricePerMillionTokens("amazon.nova-2-multimodal-embeddings-v1:0")).toBeUndefined();
  });
});
