import { ConfigError, type ProviderSettings } from "@embedeval/provider-contract";
import { describe, expect, it } from "vitest";
import { createOpenAIProvider } from "./openai-plugin.js";

// Options only: nothing here makes a call, so the addresses need no server behind them.
const apiKey = "sk-proj-fakeKeyDoNotLeak0123456789abcdefWXYZ";
const azureApiKey = "azureFakeKeyDoNotLeak0123456789";
const compatibleModel = "BAAI/bge-small-en-v1.5";
const serverURL = "http://127.0.0.1:9";

function openAISettings(model: string, options: Record<string, unknown> = {}): ProviderSettings {
  return {
    model,
    options: { baseURL: `${serverURL}/v1`, apiKeyVariable: "TEST_OPENAI_KEY", ...options },
    baseDirectory: "/tmp",
    environment: { TEST_OPENAI_KEY: apiKey },
  };
}

function azureSettings(
  model: string,
  options: Record<string, unknown> = {},
  environment: Record<string, string> = { AZURE_OPENAI_API_KEY: azureApiKey },
): ProviderSettings {
  return {
    model,
    options: { api: "azure", endpoint: serverURL, ...options },
    baseDirectory: "/tmp",
    environment,
  };
}

function localSettings(options: Record<string, unknown> = {}): ProviderSettings {
  return {
    model: compatibleModel,
    options: { baseURL: `${serverURL}/v1`, ...options },
    baseDirectory: "/tmp",
    environment: {},
  };
}

function configError(create: () => unknown): ConfigError {
  try {
    create();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("OpenAI", () => {
  it("on api.openai.com takes OPENAI_API_KEY and declares OpenAI's limits and unit-length vectors", () => {
    const provider = createOpenAIProvider({
      model: "text-embedding-3-large",
      options: {},
      baseDirectory: "/tmp",
      environment: { OPENAI_API_KEY: apiKey, OPENAI_ORG_ID: "org-env", OPENAI_PROJECT_ID: "proj_env" },
    });
    expect(provider.options.url).toBe("https://api.openai.com/v1/embeddings");
    expect(provider.options.headers).toMatchObject({
      Authorization: `Bearer ${apiKey}`,
      "OpenAI-Organization": "org-env",
      "OpenAI-Project": "proj_env",
    });
    expect(provider.capabilities).toMatchObject({
      dimensions: 3072,
      normalized: true,
      maxTokensPerInput: 8191,
    });
    // No server in the cache key for OpenAI itself; the default dimension filled in.
    expect(provider.vectorOptions).toEqual({ dimensions: 3072 });
  });
});

describe("Azure OpenAI", () => {
  it("builds the address from a resource name and reads endpoint and version from the environment", () => {
    const byResource = createOpenAIProvider(
      azureSettings("m", { endpoint: undefined, resource: "my-resource" }),
    );
    expect(byResource.options.url).toBe(
      "https://my-resource.openai.azure.com/openai/deployments/m/embeddings?api-version=2024-10-21",
    );
    const fromEnvironment = createOpenAIProvider({
      model: "m",
      options: { api: "azure", deployment: "d 1" },
      baseDirectory: "/tmp",
      environment: {
        AZURE_OPENAI_ENDPOINT: "https://res.openai.azure.com/",
        OPENAI_API_VERSION: "2024-06-01",
        AZURE_OPENAI_API_KEY: azureApiKey,
      },
    });
    expect(fromEnvironment.options.url).toBe(
      "https://res.openai.azure.com/openai/deployments/d%201/embeddings?api-version=2024-06-01",
    );
  });

  it("says which credentials are missing", () => {
    const error = configError(() => createOpenAIProvider(azureSettings("m", {}, {})));
    expect(error.message).toContain("No credentials for Azure OpenAI");
    expect(error.hint).toContain("AZURE_OPENAI_API_KEY");
    expect(error.hint).toContain("AZURE_OPENAI_AD_TOKEN");
  });
});

describe("OpenAI-compatible servers", () => {
  it("takes OPENAI_BASE_URL with OPENAI_API_KEY as a pair set up together", () => {
    const provider = createOpenAIProvider({
      model: compatibleModel,
      options: {},
      baseDirectory: "/tmp",
      environment: { OPENAI_BASE_URL: "http://127.0.0.1:9/v1/", OPENAI_API_KEY: apiKey },
    });
    expect(provider.options.url).toBe("http://127.0.0.1:9/v1/embeddings");
    expect(provider.options.headers.Authorization).toBe(`Bearer ${apiKey}`);
  });

  it("declares the server's limits from options; prefixes come off the request budget", () => {
    const provider = createOpenAIProvider(
      localSettings({
        maxInputsPerRequest: 32,
        maxTokensPerRequest: 16_384,
        maxTokensPerInput: 512,
        normalized: true,
        queryPrefix: "query: ",
      }),
    );
    expect(provider.capabilities).toEqual({
      maxInputsPerCall: 32,
      maxTokensPerInput: 512,
      maxRequestBytes: 16_384 - 7 * 32 + 1024,
      normalized: true,
      supportsParallelCalls: true,
    });
  });
});

describe("option checks", () => {
  it("rejects unknown options with the closest known one", () => {
    const error = configError(() =>
      createOpenAIProvider(openAISettings("text-embedding-3-small", { dimension: 256 })),
    );
    expect(error.key).toBe("options.dimension");
    expect(error.hint).toContain("Did you mean `dimensions`?");
  });

  it("checks dimensions against OpenAI's models", () => {
    expect(
      configError(() => createOpenAIProvider(openAISettings("text-embedding-ada-002", { dimensions: 512 })))
        .message,
    ).toBe("text-embedding-ada-002 has a fixed 1536 dimensions.");
    expect(
      configError(() => createOpenAIProvider(openAISettings("text-embedding-3-small", { dimensions: 2048 })))
        .message,
    ).toContain("at most 1536");
  });

  it("keeps Azure options and OpenAI options apart", () => {
    expect(configError(() => createOpenAIProvider(openAISettings("m", { deployment: "d" }))).hint).toContain(
      "api: azure",
    );
    expect(configError(() => createOpenAIProvider(azureSettings("m", { baseURL: "http://x/v1" }))).key).toBe(
      "options.baseURL",
    );
  });

  it("asks for a key for OpenAI itself, and for the variable it was told to read", () => {
    const missing = configError(() =>
      createOpenAIProvider({
        model: "text-embedding-3-small",
        options: {},
        baseDirectory: "/tmp",
        environment: {},
      }),
    );
    expect(missing.hint).toContain("OPENAI_API_KEY");
    const unset = configError(() => createOpenAIProvider(localSettings({ apiKeyVariable: "NOT_SET" })));
    expect(unset.message).toContain("NOT_SET");
  });

  it("refuses credentials in a URL, fields the plugin sets in extraBody, and invalid headers", () => {
    expect(
      configError(() => createOpenAIProvider(localSettings({ baseURL: "http://user:pw@127.0.0.1/v1" })))
        .message,
    ).toContain("user name or password");
    expect(
      configError(() => createOpenAIProvider(localSettings({ extraBody: { dimensions: 3 } }))).hint,
    ).toContain("options.dimensions");
    expect(
      configError(() => createOpenAIProvider(localSettings({ headers: { "bad header": "x" } }))).key,
    ).toBe("options.headers");
  });
});
