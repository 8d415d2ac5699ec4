/**
 * The plugin's `options:` read once, checked, and turned into what a call needs: the URL, the headers
 * (credentials included), the body's fixed fields, the limits the runtime batches by, and the options
 * that change the vectors. Every server difference is an option here, never a fork of the plugin.
 *
 * Credentials come from the environment only (never from the config file, which is committed):
 * - OpenAI: `OPENAI_API_KEY` as `Authorization: Bearer`, plus `OpenAI-Organization`/`OpenAI-Project`
 *   from `organization`/`project` or OPENAI_ORG_ID/OPENAI_PROJECT_ID, as the official SDK sends them.
 * - Azure OpenAI: `AZURE_OPENAI_API_KEY` as the `api-key` header, or else a Microsoft Entra access token
 *   from `AZURE_OPENAI_AD_TOKEN` as `Authorization: Bearer` (the names the official SDKs read).
 * - Any other server: only the variable named by `apiKeyVariable`, so that an OpenAI key in the
 *   environment is never sent to a third party's server by accident. OPENAI_BASE_URL with
 *   OPENAI_API_KEY, both from the environment, are taken as a pair the user set up together.
 */
import {
  ConfigError,
  type PluginOptions,
  type ProviderSettings,
  readBoolean,
  readChoice,
  readPositiveInteger,
  readString,
  rejectUnknownOptions,
} from "@embedeval/provider-contract";
import { knownModel, openAIRequestLimits } from "./known-models.js";

export const optionNames = [
  "api",
  "baseURL",
  "resource",
  "endpoint",
  "deployment",
  "apiVersion",
  "apiKeyVariable",
  "entraTokenVariable",
  "organization",
  "project",
  "headers",
  "headerVariables",
  "dimensions",
  "encodingFormat",
  "queryPrefix",
  "documentPrefix",
  "maxCharactersPerInput",
  "extraBody",
  "maxInputsPerRequest",
  "maxTokensPerRequest",
  "maxTokensPerInput",
  "normalized",
  "requestTimeoutMs",
] as const;

const openAIOnly = ["baseURL", "organization", "project"] as const;
const azureOnly = ["resource", "endpoint", "deployment", "apiVersion", "entraTokenVariable"] as const;

export const defaultBaseURL = "https://api.openai.com/v1";
/** A generally available Azure OpenAI data-plane version that has `dimensions`; `apiVersion` overrides. */
export const defaultAzureApiVersion = "2024-10-21";

/** Body fields the plugin sets itself; `extraBody` may not replace them. */
const reservedBodyFields = ["input", "model", "encoding_format", "dimensions"];

/** Headers whose literal values are treated as secrets in messages. */
const sensitiveHeaderName = /auth|key|token|secret|cookie|password/i;

export interface OpenAIOptions {
  api: "openai" | "azure";
  /** POST target: `{baseURL}/embeddings`, or Azure's deployment URL with `api-version`. */
  url: string;
  /** Where calls go, for messages: no query, no credentials. */
  displayURL: string;
  /** Every request header but Content-Type. */
  headers: Readonly<Record<string, string>>;
  /** Values to mask in any message. */
  secrets: readonly string[];
  /** Which credential is sent, for error hints. */
  credential: "api-key" | "entra-token" | "bearer" | "none";
  /** The variable the credential came from, for hints. */
  credentialVariable: string | undefined;
  /** OpenAI's own API or Azure OpenAI: OpenAI's limits and normalised vectors apply. */
  isOpenAIService: boolean;
  deployment: string | undefined;
  dimensions: number | undefined;
  encodingFormat: "base64" | "float";
  queryPrefix: string;
  documentPrefix: string;
  maxCharactersPerInput: number | undefined;
  extraBody: Readonly<Record<string, unknown>>;
  maxInputsPerRequest: number;
  maxTokensPerRequest: number | undefined;
  maxTokensPerInput: number | undefined;
  normalized: boolean;
  requestTimeoutMs: number | undefined;
  /** Every option that changes the vectors, defaults filled in: part of the cache key. */
  vectorOptions: Readonly<Record<string, unknown>>;
}

function plainObject(options: PluginOptions, key: string): Record<string, unknown> | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "object" || Array.isArray(value)) {
    throw new ConfigError(`\`options.${key}\` must be a mapping, got ${JSON.stringify(value)}.`, {
      key: `options.${key}`,
    });
  }
  return value as Record<string, unknown>;
}

function stringMapping(options: PluginOptions, key: string): Record<string, string> {
  const mapping = plainObject(options, key) ?? {};
  for (const [name, value] of Object.entries(mapping)) {
    if (typeof value !== "string" || value.length === 0) {
      throw new ConfigError(
        `\`options.${key}.${name}\` must be a non-empty string, got ${JSON.stringify(value)}.`,
        { key: `options.${key}.${name}` },
      );
    }
  }
  return mapping as Record<string, string>;
}

/** A string option that may also be the empty string (a prefix may be ""). */
function readText(options: PluginOptions, key: string): string | undefined {
  const value = options[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new ConfigError(`\`options.${key}\` must be a string, got ${JSON.stringify(value)}.`, {
      key: `options.${key}`,
    });
  }
  return value;
}

function parseHttpURL(text: string, key: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`\`${key}\` is not a URL: ${JSON.stringify(text)}.`, {
      key,
      hint: "Write the full address, e.g. http://localhost:8000/v1.",
    });
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`\`${key}\` must be an http or https URL, got ${JSON.stringify(url.protocol)}.`, {
      key,
    });
  }
  if (url.username || url.password) {
    throw new ConfigError(`\`${key}\` must not contain a user name or password.`, {
      key,
      hint: "Put credentials in the environment: `options.apiKeyVariable` or `options.headerVariables` name the variables.",
    });
  }
  return url;
}

function displayOf(url: URL): string {
  return `${url.origin}${url.pathname}`.replace(/\/$/, "");
}

function isOpenAIHost(url: URL): boolean {
  return url.hostname === "api.openai.com" || url.hostname.endsWith(".api.openai.com");
}

interface Endpoint {
  api: "openai" | "azure";
  url: URL;
  displayURL: string;
  isOpenAIService: boolean;
  deployment: string | undefined;
  /** The base URL when it is not OpenAI's: a server is part of what the vectors depend on. */
  server: string | undefined;
  baseURLFromEnvironment: boolean;
}

function readEndpoint(settings: ProviderSettings, api: "openai" | "azure"): Endpoint {
  const { options, environment } = settings;
  const misplaced = (api === "azure" ? openAIOnly : azureOnly).find((key) => options[key] !== undefined);
  if (misplaced) {
    throw new ConfigError(
      `\`options.${misplaced}\` is for ${api === "azure" ? "OpenAI and OpenAI-compatible servers" : "Azure OpenAI"}.`,
      {
        key: `options.${misplaced}`,
        hint:
          api === "azure"
            ? "With `api: azure` the address comes from `resource` or `endpoint`."
            : "Set `api: azure` for an Azure OpenAI resource.",
      },
    );
  }
  if (api === "openai") {
    const fromOptions = readString(options, "baseURL");
    const fromEnvironment = environment.OPENAI_BASE_URL || undefined;
    const base = parseHttpURL(
      fromOptions ?? fromEnvironment ?? defaultBaseURL,
      fromOptions ? "options.baseURL" : "OPENAI_BASE_URL",
    );
    const url = new URL(base);
    url.pathname = `${base.pathname.replace(/\/+$/, "")}/embeddings`;
    const isOpenAIService = isOpenAIHost(base);
    return {
      api,
      url,
      displayURL: displayOf(base),
      isOpenAIService,
      deployment: undefined,
      server: isOpenAIService ? undefined : displayOf(base),
      baseURLFromEnvironment: fromOptions === undefined && fromEnvironment !== undefined,
    };
  }
  const resource = readString(options, "resource");
  const endpointOption = readString(options, "endpoint");
  if (resource && endpointOption) {
    throw new ConfigError("Set `options.resource` or `options.endpoint`, not both.", {
      key: "options.endpoint",
    });
  }
  if (resource && !/^[A-Za-z0-9][A-Za-z0-9-]*$/.test(resource)) {
    throw new ConfigError(
      `\`options.resource\` must be an Azure resource name, got ${JSON.stringify(resource)}.`,
      {
        key: "options.resource",
        hint: "The name only (my-resource for https://my-resource.openai.azure.com); use `endpoint` for a full address.",
      },
    );
  }
  const endpointText =
    (resource ? `https://${resource}.openai.azure.com` : endpointOption) ||
    environment.AZURE_OPENAI_ENDPOINT ||
    undefined;
  if (!endpointText) {
    throw new ConfigError("No Azure OpenAI resource to call.", {
      key: "options.resource",
      hint: "Set `options.resource` (the resource name) or `options.endpoint` (https://my-resource.openai.azure.com), or AZURE_OPENAI_ENDPOINT in the environment.",
    });
  }
  const endpoint = parseHttpURL(
    endpointText,
    endpointOption || resource ? "options.endpoint" : "AZURE_OPENAI_ENDPOINT",
  );
  const deployment = readString(options, "deployment") ?? settings.model;
  const apiVersion =
    readString(options, "apiVersion") ?? (environment.OPENAI_API_VERSION || defaultAzureApiVersion);
  const url = new URL(endpoint);
  url.pathname = `${endpoint.pathname.replace(/\/+$/, "")}/openai/deployments/${encodeURIComponent(deployment)}/embeddings`;
  url.searchParams.set("api-version", apiVersion);
  return {
    api,
    url,
    displayURL: displayOf(url),
    isOpenAIService: true,
    deployment,
    server: undefined,
    baseURLFromEnvironment: false,
  };
}

interface Credentials {
  headers: Record<string, string>;
  secrets: string[];
  credential: OpenAIOptions["credential"];
  credentialVariable: string | undefined;
}

function readCredentials(settings: ProviderSettings, endpoint: Endpoint): Credentials {
  const { options, environment } = settings;
  const keyVariable = readString(options, "apiKeyVariable");
  if (keyVariable !== undefined && !environment[keyVariable]) {
    throw new ConfigError(`\`options.apiKeyVariable\` names ${keyVariable}, which is not set.`, {
      key: "options.apiKeyVariable",
      hint: `Set ${keyVariable} in the environment (in GitHub Actions, from a secret), or remove \`apiKeyVariable\`.`,
    });
  }
  if (endpoint.api === "azure") {
    const keyName = keyVariable ?? "AZURE_OPENAI_API_KEY";
    const key = environment[keyName];
    if (key)
      return {
        headers: { "api-key": key },
        secrets: [key],
        credential: "api-key",
        credentialVariable: keyName,
      };
    const tokenName = readString(options, "entraTokenVariable") ?? "AZURE_OPENAI_AD_TOKEN";
    const token = environment[tokenName];
    if (token) {
      return {
        headers: { Authorization: `Bearer ${token}` },
        secrets: [token],
        credential: "entra-token",
        credentialVariable: tokenName,
      };
    }
    throw new ConfigError("No credentials for Azure OpenAI.", {
      key: "options.apiKeyVariable",
      hint: `Set ${keyName} (an API key), or ${tokenName} to a Microsoft Entra access token (az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv).`,
    });
  }
  // OpenAI's key goes only to OpenAI, or to a base URL set beside it in the environment.
  const keyName =
    keyVariable ??
    (endpoint.isOpenAIService || endpoint.baseURLFromEnvironment ? "OPENAI_API_KEY" : undefined);
  const key = keyName ? environment[keyName] : undefined;
  if (!key) {
    if (endpoint.isOpenAIService) {
      throw new ConfigError("No OpenAI API key.", {
        key: "options.apiKeyVariable",
        hint: "Set OPENAI_API_KEY in the environment (in GitHub Actions, from a secret), or name another variable in `options.apiKeyVariable`.",
      });
    }
    // A local server (vLLM, TEI, Ollama, LM Studio) usually needs no key.
    return { headers: {}, secrets: [], credential: "none", credentialVariable: undefined };
  }
  const headers: Record<string, string> = { Authorization: `Bearer ${key}` };
  // Set in options, they go wherever the options point; from the environment, only to OpenAI.
  const fromEnvironment = (name: string) =>
    endpoint.isOpenAIService ? environment[name] || undefined : undefined;
  const organization = readString(options, "organization") ?? fromEnvironment("OPENAI_ORG_ID");
  const project = readString(options, "project") ?? fromEnvironment("OPENAI_PROJECT_ID");
  if (organization) headers["OpenAI-Organization"] = organization;
  if (project) headers["OpenAI-Project"] = project;
  return { headers, secrets: [key], credential: "bearer", credentialVariable: keyName };
}

function readCustomHeaders(settings: ProviderSettings): {
  headers: Record<string, string>;
  secrets: string[];
} {
  const { options, environment } = settings;
  const literal = stringMapping(options, "headers");
  const fromEnvironment = stringMapping(options, "headerVariables");
  const headers: Record<string, string> = { ...literal };
  const secrets = Object.entries(literal)
    .filter(([name]) => sensitiveHeaderName.test(name))
    .map(([, value]) => value);
  for (const [name, variable] of Object.entries(fromEnvironment)) {
    const value = environment[variable];
    if (!value) {
      throw new ConfigError(`\`options.headerVariables.${name}\` names ${variable}, which is not set.`, {
        key: `options.headerVariables.${name}`,
        hint: `Set ${variable} in the environment.`,
      });
    }
    headers[name] = value;
    secrets.push(value);
  }
  try {
    new Headers(headers);
  } catch {
    throw new ConfigError("`options.headers` holds a header name or value HTTP does not allow.", {
      key: "options.headers",
      hint: "Header names are letters, digits and -; values are one line of visible characters.",
    });
  }
  return { headers, secrets };
}

function readExtraBody(options: PluginOptions): Record<string, unknown> {
  const extraBody = plainObject(options, "extraBody") ?? {};
  const reserved = Object.keys(extraBody).find((key) => reservedBodyFields.includes(key));
  if (reserved) {
    throw new ConfigError(`\`options.extraBody.${reserved}\` is set by the plugin.`, {
      key: `options.extraBody.${reserved}`,
      hint:
        reserved === "dimensions" || reserved === "encoding_format"
          ? `Use \`options.${reserved === "dimensions" ? "dimensions" : "encodingFormat"}\`.`
          : "`model` comes from the model's `model:`; `input` from the texts.",
    });
  }
  return extraBody;
}

function readDimensions(settings: ProviderSettings): number | undefined {
  const dimensions = readPositiveInteger(settings.options, "dimensions");
  const known = knownModel(settings.model);
  if (dimensions === undefined || known === undefined) return dimensions;
  if (!known.acceptsDimensions) {
    throw new ConfigError(`${settings.model} has a fixed ${known.defaultDimensions} dimensions.`, {
      key: "options.dimensions",
      hint: "Remove `options.dimensions`, or use text-embedding-3-small or -large, which can be shortened.",
    });
  }
  if (dimensions > known.defaultDimensions) {
    throw new ConfigError(
      `\`options.dimensions\` for ${settings.model} must be at most ${known.defaultDimensions}, got ${dimensions}.`,
      { key: "options.dimensions" },
    );
  }
  return dimensions;
}

export function readOpenAIOptions(settings: ProviderSettings): OpenAIOptions {
  const { options, model } = settings;
  rejectUnknownOptions(options, optionNames, `provider \`openai\` (model ${model})`);
  const api = readChoice(options, "api", ["openai", "azure"] as const, "provider `openai`") ?? "openai";
  const endpoint = readEndpoint(settings, api);
  const credentials = readCredentials(settings, endpoint);
  const custom = readCustomHeaders(settings);
  const known = knownModel(model);
  // OpenAI's models keep their limits behind a proxy too; limits only narrow batches, so they are safe
  // to assume for a local model that borrows the name (LocalAI does). Unit length is not assumed there.
  const limits = endpoint.isOpenAIService || known !== undefined ? openAIRequestLimits : undefined;
  const dimensions = readDimensions(settings);
  const queryPrefix = readText(options, "queryPrefix") ?? "";
  const documentPrefix = readText(options, "documentPrefix") ?? "";
  const maxCharactersPerInput = readPositiveInteger(options, "maxCharactersPerInput");
  const extraBody = readExtraBody(options);
  const maxInputsPerRequest =
    readPositiveInteger(options, "maxInputsPerRequest") ?? openAIRequestLimits.maxInputsPerRequest;
  const vectorOptions: Record<string, unknown> = {};
  const shownDimensions = dimensions ?? known?.defaultDimensions;
  if (shownDimensions !== undefined) vectorOptions.dimensions = shownDimensions;
  if (queryPrefix) vectorOptions.queryPrefix = queryPrefix;
  if (documentPrefix) vectorOptions.documentPrefix = documentPrefix;
  if (maxCharactersPerInput !== undefined) vectorOptions.maxCharactersPerInput = maxCharactersPerInput;
  if (Object.keys(extraBody).length > 0) vectorOptions.extraBody = extraBody;
  // Compatible servers often serve a model under a generic name ("default", "embed"): the server is part
  // of what the name means, so two servers never share cached vectors. An Azure deployment picks the model.
  if (endpoint.server !== undefined) vectorOptions.server = endpoint.server;
  if (endpoint.deployment !== undefined) vectorOptions.deployment = endpoint.deployment;
  return {
    api,
    url: endpoint.url.href,
    displayURL: endpoint.displayURL,
    headers: {
      Accept: "application/json",
      ...credentials.headers,
      ...custom.headers,
    },
    secrets: [...credentials.secrets, ...custom.secrets],
    credential: credentials.credential,
    credentialVariable: credentials.credentialVariable,
    isOpenAIService: endpoint.isOpenAIService,
    deployment: endpoint.deployment,
    dimensions,
    encodingFormat:
      readChoice(options, "encodingFormat", ["base64", "float"] as const, "provider `openai`") ?? "base64",
    queryPrefix,
    documentPrefix,
    maxCharactersPerInput,
    extraBody,
    maxInputsPerRequest,
    maxTokensPerRequest: readPositiveInteger(options, "maxTokensPerRequest") ?? limits?.maxTokensPerRequest,
    maxTokensPerInput: readPositiveInteger(options, "maxTokensPerInput") ?? limits?.maxTokensPerInput,
    // OpenAI's embeddings are unit length (shortened ones too); other servers' are declared by the user.
    normalized: readBoolean(options, "normalized") ?? (endpoint.isOpenAIService && known !== undefined),
    requestTimeoutMs: readPositiveInteger(options, "requestTimeoutMs"),
    vectorOptions: Object.freeze(vectorOptions),
  };
}
