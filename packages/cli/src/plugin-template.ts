/**
 * The files `embedeval new-plugin NAME` writes: a publishable provider plugin package (built to JS with
 * types, exports naming the built files, the contract as a direct caret dependency), a provider for a
 * simple JSON embeddings API to edit into the author's own, a local fake of that API, the conformance
 * tests, a README and a first changeset.
 *
 * Templates are strings with placeholders (`__Provider__`...) rather than interpolations, so the generated
 * code reads exactly as written here (String.raw where it holds a backslash). They avoid backticks and
 * dollar-brace on purpose.
 */

/** The names one package name gives the generated code. */
export interface PluginNames {
  /** The npm package name, e.g. "@acme/embedeval-provider-foo-bar". */
  packageName: string;
  /** The provider's name, e.g. "foo-bar": the package name without scope and "embedeval-provider-". */
  provider: string;
  /** "FooBar", for class names. */
  pascal: string;
  /** "fooBar", for function and constant names. */
  camel: string;
  /** "FOO_BAR", for environment variables. */
  environmentPrefix: string;
}

/** Version ranges written into the generated package.json. */
export interface TemplateVersions {
  /** The provider contract version the plugin implements, e.g. "v1". */
  specificationVersion: string;
  contract: string;
  testkit: string;
}

// An npm package name: lowercase, URL-safe, optionally scoped (the rules `npm publish` enforces).
const packageNamePattern = /^(?:@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export function isValidPackageName(name: string): boolean {
  return name.length <= 214 && packageNamePattern.test(name);
}

export function pluginNames(packageName: string): PluginNames {
  const bare = packageName.replace(/^@[^/]+\//, "");
  const provider = bare.replace(/^embedeval-provider-/, "").replace(/^embedeval-/, "") || bare;
  const words = provider.split(/[^a-z0-9]+/).filter(Boolean);
  const pascal = words.map((word) => word[0]?.toUpperCase() + word.slice(1)).join("") || "Custom";
  const prefixed = /^[0-9]/.test(pascal) ? `Provider${pascal}` : pascal;
  return {
    packageName,
    provider,
    pascal: prefixed,
    camel: prefixed[0]?.toLowerCase() + prefixed.slice(1),
    environmentPrefix: words.join("_").toUpperCase() || "CUSTOM",
  };
}

function fill(template: string, names: PluginNames, versions: TemplateVersions): string {
  return template
    .replaceAll("__package__", names.packageName)
    .replaceAll("__provider__", names.provider)
    .replaceAll("__Provider__", names.pascal)
    .replaceAll("__providerCamel__", names.camel)
    .replaceAll("__PROVIDER__", names.environmentPrefix)
    .replaceAll("__specificationVersion__", versions.specificationVersion)
    .replace(/^\n/, "");
}

/** The package's files, by path relative to its folder. */
export function pluginTemplateFiles(names: PluginNames, versions: TemplateVersions): Record<string, string> {
  const manifest = {
    name: names.packageName,
    version: "0.0.0",
    description: `An embedeval provider plugin for the ${names.provider} embeddings API.`,
    license: "Apache-2.0",
    keywords: ["embedeval", "embedeval-plugin", "embeddings"],
    type: "module",
    engines: { node: ">=20.19" },
    exports: {
      ".": { types: "./dist/index.d.ts", default: "./dist/index.js" },
      "./package.json": "./package.json",
    },
    types: "./dist/index.d.ts",
    files: ["dist"],
    publishConfig: { access: "public" },
    scripts: {
      build: "tsdown",
      typecheck: "tsc -p tsconfig.json",
      // The plugin checks load the built package by its name, as embedeval does: build first.
      test: "tsdown && vitest run",
      changeset: "changeset",
      release: "tsdown && changeset publish",
      prepack: "tsdown",
    },
    dependencies: {
      // A direct dependency with a caret range, not a peer: see docs/writing-a-plugin.md.
      "@embedeval/provider-contract": versions.contract,
    },
    devDependencies: {
      "@changesets/cli": "^2.29.0",
      "@embedeval/provider-testkit": versions.testkit,
      "@types/node": "^20.19.0",
      tsdown: "^0.21.10",
      typescript: "~5.9.0",
      vitest: "^4.1.0",
    },
  };
  const files: Record<string, string> = {
    "package.json": `${JSON.stringify(manifest, null, 2)}\n`,
    "tsconfig.json": tsconfigTemplate,
    "tsdown.config.ts": tsdownConfigTemplate,
    "vitest.config.ts": vitestConfigTemplate,
    ".gitignore": "node_modules/\ndist/\n",
    "src/index.ts": indexTemplate,
    [`src/${names.provider}-embedding-provider.ts`]: providerTemplate,
    [`test/${names.provider}-server.ts`]: serverTemplate,
    [`test/${names.provider}-embedding-provider.test.ts`]: testTemplate,
    "README.md": readmeTemplate,
    ".changeset/config.json": changesetConfigTemplate,
    ".changeset/first-release.md": firstChangesetTemplate,
  };
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [path, fill(text, names, versions)]));
}

const tsconfigTemplate = `
{
  "compilerOptions": {
    "target": "ES2023",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "types": ["node"],
    "strict": true,
    "noUncheckedIndexedAccess": true,
    "isolatedModules": true,
    "verbatimModuleSyntax": true,
    "declaration": true,
    "noEmit": true,
    "skipLibCheck": true
  },
  "include": ["src", "test", "*.config.ts"]
}
`;

const tsdownConfigTemplate = `
import { defineConfig } from "tsdown";

// ESM JavaScript and type declarations in dist/, the files package.json "exports" name.
export default defineConfig({
  entry: { index: "./src/index.ts" },
  format: "esm",
  platform: "node",
  target: "node20",
  dts: true,
  clean: true,
  fixedExtension: false,
});
`;

const vitestConfigTemplate = `
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: { include: ["test/**/*.test.ts"], testTimeout: 30_000 },
});
`;

const indexTemplate = `
/**
 * __package__: the default export is the ProviderPlugin embedeval loads when a config names this
 * package as a model's provider.
 */
import type { ProviderPlugin, ProviderSettings } from "@embedeval/provider-contract";
import { __Provider__EmbeddingProvider } from "./__provider__-embedding-provider.js";

export { __Provider__EmbeddingProvider, __providerCamel__OptionNames } from "./__provider__-embedding-provider.js";

export function create__Provider__Provider(settings: ProviderSettings): __Provider__EmbeddingProvider {
  return new __Provider__EmbeddingProvider(settings);
}

export const plugin: ProviderPlugin = {
  // The provider contract version this plugin implements; embedeval refuses a plugin for another one.
  specificationVersion: "__specificationVersion__",
  name: "__provider__",
  knownModels: ["__provider__-embed-1"],
  create: create__Provider__Provider,
};

export default plugin;
`;

const providerTemplate = String.raw`
/**
 * The __provider__ provider: a pure translation between embedeval's provider contract and one HTTP call.
 * The runtime does the batching, retries, rate limiting and caching; this class only reports, through
 * ProviderError, whether a failure is worth retrying. Edit the wire format to your API's.
 *
 * Wire format (a placeholder API; replace it with yours):
 *   POST {endpoint}/v1/embeddings, "authorization: Bearer <key>",
 *   {"model", "input": [up to 128 strings], "input_type": "query" | "document", "dimensions"}
 *   -> 200 {"data": [{"index", "embedding": [...]}], "usage": {"total_tokens": n}}, header x-request-id.
 *   Errors: status and {"error": {"type", "message"}}; a 429 carries retry-after (seconds).
 */
import {
  abortReason,
  ConfigError,
  type EmbeddingProvider,
  type EmbedRequest,
  type EmbedResponse,
  estimateTokens,
  numberVector,
  objectField,
  type ProviderCapabilities,
  ProviderError,
  type ProviderSettings,
  parseJsonResponse,
  parseResponseVectors,
  readPositiveInteger,
  readString,
  redactSecrets,
  rejectUnknownOptions,
  vectorList,
} from "@embedeval/provider-contract";

export const __providerCamel__OptionNames = ["endpoint", "dimensions"] as const;
const maxInputsPerCall = 128;

/** Each model's default vector size; options.dimensions overrides it. */
const defaultDimensions: Readonly<Record<string, number>> = { "__provider__-embed-1": 256 };

/** Error types the API documents as worth sending again. */
const retryableTypes = new Set(["rate_limited", "overloaded", "server_error"]);

export class __Provider__EmbeddingProvider implements EmbeddingProvider {
  readonly specificationVersion = "__specificationVersion__" as const;
  readonly provider = "__provider__";
  readonly modelId: string;
  readonly capabilities: ProviderCapabilities;
  readonly vectorOptions: Readonly<Record<string, unknown>>;
  private readonly endpoint: string;
  private readonly apiKey: string;
  private readonly dimensions: number;

  constructor(settings: ProviderSettings) {
    const { options, environment } = settings;
    rejectUnknownOptions(options, __providerCamel__OptionNames, "the __provider__ provider");
    this.modelId = settings.model;
    const endpoint = readString(options, "endpoint") ?? environment.__PROVIDER___BASE_URL;
    if (!endpoint) {
      throw new ConfigError("The __provider__ endpoint is missing.", {
        hint: "Set options.endpoint on the model, or __PROVIDER___BASE_URL in the environment.",
      });
    }
    this.endpoint = endpoint.replace(/\/$/, "");
    const apiKey = environment.__PROVIDER___API_KEY;
    if (!apiKey) {
      throw new ConfigError("The __provider__ API key is missing.", {
        hint: "Set __PROVIDER___API_KEY in the environment (a repository secret in CI).",
      });
    }
    this.apiKey = apiKey;
    const dimensions = readPositiveInteger(options, "dimensions") ?? defaultDimensions[this.modelId];
    if (dimensions === undefined) {
      throw new ConfigError("The vector size of model " + JSON.stringify(this.modelId) + " is unknown.", {
        hint: "Set options.dimensions to the size of the vectors the model returns.",
      });
    }
    this.dimensions = dimensions;
    this.capabilities = { maxInputsPerCall, dimensions, normalized: true, supportsParallelCalls: true };
    // Every option that changes the vectors: part of the embedding cache key.
    this.vectorOptions = { dimensions };
  }

  async embed(request: EmbedRequest): Promise<EmbedResponse> {
    const { texts, inputType, signal } = request;
    if (signal?.aborted) throw abortReason(signal, "__provider__");
    const target = "model " + this.modelId;
    let response: Response;
    let text: string;
    try {
      response = await fetch(this.endpoint + "/v1/embeddings", {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer " + this.apiKey },
        body: JSON.stringify({
          model: this.modelId,
          input: texts,
          input_type: inputType,
          dimensions: this.dimensions,
        }),
        ...(signal ? { signal } : {}),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortReason(signal, "__provider__");
      // fetch puts the socket's error in "cause": the request got no complete answer, so sending it
      // again may work.
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new ProviderError(
        "__provider__ " + target + ": connection failed: " + redactSecrets(String(cause?.message ?? error), [this.apiKey]),
        { provider: this.provider, retryable: true, providerCode: cause?.code ?? "NetworkError" },
      );
    }
    const requestId = response.headers.get("x-request-id") ?? undefined;
    const context = { provider: this.provider, target, requestId, secrets: [this.apiKey] };
    if (!response.ok) throw this.apiError(response, text, context);
    const json = parseJsonResponse(text, context);
    const embeddings = parseResponseVectors(
      context,
      { dimension: "The API returned vectors of another size than options.dimensions; check the model id." },
      () => {
        const data = vectorList(objectField(json, "data"), texts.length, "data");
        // Answers may come in any order: each item says which input it belongs to.
        const ordered = new Array<Float32Array>(texts.length);
        data.forEach((item, position) => {
          const index = objectField(item, "index");
          const slot = typeof index === "number" ? index : position;
          ordered[slot] = numberVector(objectField(item, "embedding"), this.dimensions, "data[" + position + "]");
        });
        return ordered;
      },
    );
    const tokens = objectField(objectField(json, "usage"), "total_tokens");
    return {
      embeddings,
      usage:
        typeof tokens === "number"
          ? { tokens, source: "provider" }
          : { tokens: estimateTokens(texts), source: "estimated" },
      ...(requestId ? { requestIds: [requestId] } : {}),
    };
  }

  private apiError(
    response: Response,
    text: string,
    context: { target: string; requestId: string | undefined; secrets: string[] },
  ): ProviderError {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const error = objectField(body, "error");
    const type = String(objectField(error, "type") ?? "http_" + response.status);
    const message = redactSecrets(String(objectField(error, "message") ?? text).slice(0, 500), context.secrets);
    const retryAfterSeconds = Number(response.headers.get("retry-after"));
    return new ProviderError("__provider__ " + context.target + ": " + type + " (HTTP " + response.status + "): " + message, {
      provider: this.provider,
      retryable: retryableTypes.has(type) || response.status >= 500,
      throttled: response.status === 429,
      status: response.status,
      providerCode: type,
      requestId: context.requestId,
      ...(Number.isFinite(retryAfterSeconds) && retryAfterSeconds > 0 ? { retryAfterMs: retryAfterSeconds * 1000 } : {}),
      hint:
        response.status === 401
          ? "Check __PROVIDER___API_KEY."
          : response.status === 400
            ? "Check the model id and options.dimensions."
            : undefined,
    });
  }
}
`;

const serverTemplate = `
/**
 * A local fake of the __provider__ API for tests, built on @embedeval/provider-testkit: the testkit gives
 * the listening, body reading, latency and fault script; this file knows only the API's route, request
 * checks and answer shapes (see src/__provider__-embedding-provider.ts). Keep it in step with your API.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  type Fault,
  type FaultInjectingServer,
  FaultScript,
  fakeEmbedding,
  fakeTokenCount,
  parseJsonOrText,
  readBody,
  sendHalfThenReset,
  sendJson,
  sendText,
  startLocalServer,
  waitForLatency,
} from "@embedeval/provider-testkit";

export interface Recorded__Provider__Call {
  body: unknown;
  authorization: string | undefined;
  fault: Fault["kind"] | undefined;
}

export type __Provider__Server = FaultInjectingServer<Recorded__Provider__Call>;

/** How the API reports each fault: status and error type. */
const faultAnswers: Partial<Record<Fault["kind"], { status: number; type: string }>> = {
  throttle: { status: 429, type: "rate_limited" },
  "internal-server": { status: 500, type: "server_error" },
  "service-unavailable": { status: 503, type: "overloaded" },
  validation: { status: 400, type: "invalid_request" },
};

function sendError(response: ServerResponse, status: number, type: string, message: string): void {
  sendJson(response, status, { error: { type, message } }, status === 429 ? { "retry-after": "1" } : {});
}

function answer(body: unknown, fault: Fault | undefined): unknown {
  const { model, input, input_type: inputType, dimensions = 256 } = (body ?? {}) as Record<string, unknown>;
  if (model !== "__provider__-embed-1") return undefined;
  if (!Array.isArray(input) || input.length === 0 || input.length > 128) return undefined;
  if (inputType !== "query" && inputType !== "document") return undefined;
  if (typeof dimensions !== "number") return undefined;
  const size = fault?.kind === "wrong-dimension" ? dimensions - 1 : dimensions;
  const texts = input as string[];
  return {
    // Queries get a prefix, as instruction-tuned models do, so the two input types differ.
    data: texts.map((text, index) => ({
      index,
      embedding: fakeEmbedding(inputType === "query" ? "query: " + text : text, size, { normalize: true }),
    })),
    usage: { total_tokens: texts.reduce((sum, text) => sum + fakeTokenCount(text), 0) },
  };
}

export async function start__Provider__Server(options: { apiKey: string }): Promise<__Provider__Server> {
  const calls: Recorded__Provider__Call[] = [];
  const script = new FaultScript<Recorded__Provider__Call>({});

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const call: Recorded__Provider__Call = {
      body: parseJsonOrText(await readBody(request)),
      authorization: request.headers.authorization,
      fault: undefined,
    };
    calls.push(call);
    const fault = script.next(call);
    call.fault = fault?.kind;
    if (!(await waitForLatency(script, fault, response))) return;
    const faultAnswer = fault ? faultAnswers[fault.kind] : undefined;
    if (faultAnswer) return sendError(response, faultAnswer.status, faultAnswer.type, "Injected " + fault?.kind + ".");
    if (request.method !== "POST" || request.url !== "/v1/embeddings") {
      return sendError(response, 404, "not_found", "No route " + request.method + " " + request.url + ".");
    }
    if (request.headers.authorization !== "Bearer " + options.apiKey) {
      return sendError(response, 401, "unauthorized", "Invalid API key.");
    }
    const result = answer(call.body, fault);
    if (result === undefined) return sendError(response, 400, "invalid_request", "Malformed request.");
    const headers = { "x-request-id": "req-" + calls.length };
    if (fault?.kind === "malformed-json") sendText(response, 200, '{"data": [{"embedding": [0.1,', headers);
    else if (fault?.kind === "connection-reset") sendHalfThenReset(response, JSON.stringify(result), headers);
    else sendJson(response, 200, result, headers);
  }

  const server = await startLocalServer(handle, (response, error) =>
    sendError(response, 500, "server_error", "Test server bug: " + String(error)),
  );
  return { url: server.url, calls, queueFaults: (...faults) => script.queue(...faults), close: server.close };
}
`;

const testTemplate = `
import { join } from "node:path";
import {
  commonFaultExpectations,
  describePluginConformance,
  describeProviderConformance,
  type FaultQueue,
  faultErrorCase,
} from "@embedeval/provider-testkit/conformance";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { create__Provider__Provider, plugin } from "../src/index.js";
import { type __Provider__Server, start__Provider__Server } from "./__provider__-server.js";

const apiKey = "__provider__-test-key-do-not-leak-1234";
let server: __Provider__Server;
beforeAll(async () => {
  server = await start__Provider__Server({ apiKey });
});
afterAll(() => server.close());
beforeEach(() => {
  server.calls.length = 0;
});

const settings = () => ({
  model: "__provider__-embed-1",
  options: { endpoint: server.url },
  baseDirectory: ".",
  environment: { __PROVIDER___API_KEY: apiKey },
});
const liveServer: FaultQueue = { queueFaults: (...faults) => server.queueFaults(...faults) };

// The provider contract: vectors, order, usage, abort, and each failure as the right ProviderError.
describeProviderConformance({
  name: "__provider__",
  createProvider: () => create__Provider__Provider(settings()),
  secrets: [apiKey],
  arrangeSlowCall: () => server.queueFaults({ kind: "delay", milliseconds: 2_000 }),
  errorCases: [
    faultErrorCase(liveServer, { kind: "throttle" }, { retryable: true, throttled: true, status: 429, providerCode: "rate_limited" }),
    faultErrorCase(liveServer, { kind: "validation" }, { retryable: false, status: 400, providerCode: "invalid_request" }),
    faultErrorCase(liveServer, { kind: "internal-server" }, { retryable: true, status: 500 }),
    ...commonFaultExpectations.map(({ fault, expected }) => faultErrorCase(liveServer, fault, expected)),
  ],
});

// The package as embedeval meets it: the exported plugin, the model it creates, and the built package
// loaded by its name in plain Node (the test script builds first).
describePluginConformance({
  plugin,
  packageDirectory: join(import.meta.dirname, ".."),
  settings,
});

it("sends the documented request", async () => {
  const provider = create__Provider__Provider(settings());
  await provider.embed({ texts: ["a", "b"], inputType: "query" });
  expect(server.calls[0]?.body).toEqual({ model: "__provider__-embed-1", input: ["a", "b"], input_type: "query", dimensions: 256 });
  expect(server.calls[0]?.authorization).toBe("Bearer " + apiKey);
});
`;

const readmeTemplate = `
# __package__

An [embedeval](https://github.com/embedeval/embedeval) provider plugin for the __provider__ embeddings
API: evaluate its models on MTEB tasks and your own datasets, and guard them in CI, like any other.

## Use

    npm install --save-dev @embedeval/cli __package__

In embedeval.yml:

    models:
      - id: __provider__
        provider: "__package__"
        model: __provider__-embed-1
        options: { endpoint: https://api.example.com, dimensions: 256 }

The API key is read from __PROVIDER___API_KEY (a repository secret in CI); the endpoint from
options.endpoint or __PROVIDER___BASE_URL.

| option | meaning |
| --- | --- |
| endpoint | base URL of the API |
| dimensions | vector size (default: the model's) |

## Develop

    npm install
    npm test          # builds, then runs the provider and plugin conformance suites against a local fake API
    npm run typecheck

- src/__provider__-embedding-provider.ts translates embedeval's provider contract into one HTTP call;
  edit its wire format (request body, response parsing, error types) to match your API.
- test/__provider__-server.ts is a local fake of the API the tests run against; keep it in step.
- This package implements provider contract __specificationVersion__ (specificationVersion in src/index.ts and
  on the provider). It depends on @embedeval/provider-contract directly, with a caret range.

## Release

    npx changeset     # describe the change; commit the file it writes
    npx changeset version && npm run release

The guide: https://github.com/embedeval/embedeval/blob/main/docs/writing-a-plugin.md
`;

const changesetConfigTemplate = `
{
  "$schema": "https://unpkg.com/@changesets/config@3.1.1/schema.json",
  "changelog": "@changesets/cli/changelog",
  "commit": false,
  "access": "public",
  "baseBranch": "main",
  "updateInternalDependencies": "patch",
  "ignore": []
}
`;

const firstChangesetTemplate = `
---
"__package__": minor
---

First release: an embedeval provider plugin for the __provider__ embeddings API (provider contract __specificationVersion__).
`;
