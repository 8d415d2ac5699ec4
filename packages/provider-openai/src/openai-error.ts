/**
 * What the server's error answers and the network's failures mean for the runtime. The runtime is the
 * only retry layer, so this decides `retryable` and `throttled` and reads how long to wait:
 *
 * - 401 and 403 are never retried: a wrong key or a missing permission does not fix itself.
 * - 429 is retried and `throttled` (the runtime lowers its rate), with the headers' wait, unless the
 *   body says `insufficient_quota`: an account out of credit stays out of credit.
 * - 408, 409 and 5xx are retried, as the official SDK retries them (408 request timeout, 409 lock timeout).
 * - Other 4xx are not: the same body would be rejected again. A 400 for a text over the model's token
 *   limit says which text and how to cut long texts.
 * - A refused, reset or timed-out connection is retried; a redirect is not (it is refused, so the API
 *   key is never sent on to another address).
 *
 * Error bodies differ by server: OpenAI and Azure send `{"error": {"message", "type", "param", "code"}}`
 * (https://platform.openai.com/docs/guides/error-codes), TEI `{"error": "...", "error_type": "..."}`,
 * older vLLM `{"object": "error", "message", "type", "code"}`, FastAPI servers `{"detail": ...}`, and a
 * proxy may answer HTML. All of them are read; the message is redacted and shortened.
 */
import { ProviderError } from "@embedeval/provider-contract";
import { retryAfterFromHeaders } from "./rate-limit-headers.js";
import { redactApiKeys } from "./redact-api-keys.js";

export interface ErrorContext {
  /** The provider name as in config. */
  provider: string;
  /** What was called, for the message: `model text-embedding-3-small at https://api.openai.com/v1`. */
  target: string;
  /** Values to mask in every message. */
  secrets: readonly string[];
  /** Which credential was sent and from which variable, for the hint of a 401. */
  credential: "api-key" | "entra-token" | "bearer" | "none";
  credentialVariable: string | undefined;
  api: "openai" | "azure";
  /** The texts of the failed call, as sent, to name the one a 400 is about. */
  texts: readonly string[];
}

export interface ErrorBody {
  message: string | undefined;
  type: string | undefined;
  code: string | undefined;
}

function text(value: unknown): string | undefined {
  if (typeof value === "string" && value.length > 0) return value;
  if (typeof value === "number") return String(value);
  return undefined;
}

/** The message, type and code of an error body, whichever server's shape it has. */
export function readErrorBody(body: string): ErrorBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    // HTML or plain text from a proxy: its visible words.
    const words = body
      .replace(/<[^>]*>/g, " ")
      .replace(/\s+/g, " ")
      .trim();
    return { message: words || undefined, type: undefined, code: undefined };
  }
  if (typeof parsed !== "object" || parsed === null) {
    return { message: text(parsed), type: undefined, code: undefined };
  }
  const record = parsed as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "object" && error !== null) {
    const nested = error as Record<string, unknown>;
    return {
      message: text(nested.message) ?? JSON.stringify(nested.message ?? nested),
      type: text(nested.type),
      code: text(nested.code),
    };
  }
  if (typeof error === "string") {
    return { message: error, type: text(record.error_type), code: text(record.code) };
  }
  const detail = record.detail;
  return {
    message:
      text(record.message) ?? (detail === undefined ? undefined : (text(detail) ?? JSON.stringify(detail))),
    type: text(record.type),
    code: text(record.code),
  };
}

function shorten(message: string, limit = 600): string {
  return message.length > limit ? `${message.slice(0, limit)}...` : message;
}

const tooLongPattern =
  /maximum (?:context|input) length|context[_ ]length[_ ]exceeded|too long|must have less than \d+ tokens|exceeds? .*\btokens?\b|tokens? exceed|input length/i;

/** The position of the text a too-long error is about: the one the message names, else the longest. */
function suspectText(message: string, texts: readonly string[]): number {
  const named = /input\[(\d+)\]|index (\d+)/i.exec(message);
  const index = named ? Number(named[1] ?? named[2]) : Number.NaN;
  if (Number.isInteger(index) && index >= 0 && index < texts.length) return index;
  let longest = 0;
  texts.forEach((candidate, position) => {
    if (candidate.length > (texts[longest]?.length ?? 0)) longest = position;
  });
  return longest;
}

function describeText(texts: readonly string[], index: number): string {
  const chosen = texts[index] ?? "";
  const start = JSON.stringify(chosen.slice(0, 60).replace(/\s+/g, " "));
  return `input ${index + 1} of ${texts.length} in this call (${chosen.length.toLocaleString("en-US")} characters, starting ${start})`;
}

const truncationHint =
  "Cut long texts before they are sent: `options.maxCharactersPerInput` (e.g. 20000, about 5,000 tokens of English; OpenAI's models take 8,191 tokens), or let the server truncate: `options.extraBody: { truncate_prompt_tokens: 512 }` on vLLM, `--auto-truncate` when starting TEI.";

function hintFor(status: number, body: ErrorBody, context: ErrorContext, quota: boolean): string | undefined {
  const message = body.message ?? "";
  if (status === 401) {
    if (context.credential === "none") {
      return "The server wants an API key: name the environment variable that holds it in `options.apiKeyVariable`.";
    }
    if (context.credential === "entra-token") {
      return `The Microsoft Entra token in ${context.credentialVariable} was refused or has expired (they last about an hour): get a new one with az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv.`;
    }
    return `The API key in ${context.credentialVariable} was refused: check that it is current and meant for this server.`;
  }
  if (status === 403) {
    return context.api === "azure"
      ? "The key or token may not call this deployment: with Entra ID, the identity needs the Cognitive Services OpenAI User role on the resource."
      : "The key may not use this model: check the project's model permissions, organization and project (options.organization, options.project).";
  }
  if (status === 404) {
    return context.api === "azure"
      ? "Check `options.deployment` (the deployment's name, not the model's), the resource and `options.apiVersion`."
      : "Check the model id and `options.baseURL` (it ends in /v1 for most servers); GET {baseURL}/models lists what the server serves.";
  }
  if (status === 429) {
    return quota
      ? "The account is out of credit or over its budget: check billing. Retrying does not help."
      : "The server's rate limit was reached: lower `runtime.maxConcurrency` or `runtime.requestsPerMinute`, or raise the account's limits.";
  }
  if (status === 413) {
    return "The request was too large for the server: lower `options.maxTokensPerRequest`, `options.maxInputsPerRequest` or `runtime.batchSize`.";
  }
  if (status >= 400 && status < 500) {
    if (tooLongPattern.test(message)) return truncationHint;
    if (/batch size|too many inputs|maximum \d+ items|max(?:imum)? number of inputs/i.test(message)) {
      return "The server takes fewer texts per request: set `options.maxInputsPerRequest` (TEI's default is 32).";
    }
    if (/dimension/i.test(message)) {
      return "This model or server may not take `dimensions`: remove `options.dimensions` or pick a size it supports.";
    }
    if (/encoding_format|base64/i.test(message))
      return "This server may not know base64: set `options.encodingFormat: float`.";
    if (/empty|\$\.input/i.test(message) && context.texts.some((candidate) => candidate.length === 0)) {
      return "An input is empty and the server rejects empty strings: remove empty texts from the dataset.";
    }
    return "The server rejected the request: check the model id and the options (dimensions, encodingFormat, extraBody) against its documentation.";
  }
  return undefined;
}

/** A non-2xx answer as a ProviderError. */
export function classifyErrorResponse(
  status: number,
  headers: Headers,
  bodyText: string,
  requestId: string | undefined,
  context: ErrorContext,
): ProviderError {
  const { provider, target } = context;
  if (status >= 300 && status < 400) {
    const location = headers.get("location");
    const where = location ? ` to ${redactApiKeys(location.split("?")[0] ?? "", context.secrets)}` : "";
    return new ProviderError(
      `${provider} ${target}: the server redirected the call${where} (HTTP ${status}).`,
      {
        provider,
        retryable: false,
        status,
        providerCode: `HTTP ${status}`,
        requestId,
        hint: "Set the final address as `options.baseURL` (or `endpoint`); redirects are not followed so credentials stay with the server they were meant for.",
      },
    );
  }
  const body = readErrorBody(bodyText);
  const quota = body.code === "insufficient_quota" || body.type === "insufficient_quota";
  const retryable =
    status === 401 || status === 403
      ? false
      : status === 429
        ? !quota
        : status === 408 || status === 409 || status >= 500;
  const throttled = status === 429 && !quota;
  const providerCode = body.code ?? body.type ?? `HTTP ${status}`;
  const message = redactApiKeys(shorten(body.message ?? "(no message)"), context.secrets);
  let which = "";
  if (status >= 400 && status < 500 && tooLongPattern.test(body.message ?? "") && context.texts.length > 0) {
    which = ` The text is probably ${describeText(context.texts, suspectText(body.message ?? "", context.texts))}.`;
  }
  const retryAfterMs = retryable ? retryAfterFromHeaders(headers) : undefined;
  const label = [body.code, body.type]
    .filter((part, index, all) => part && all.indexOf(part) === index)
    .join(" ");
  return new ProviderError(
    `${provider} ${target}: HTTP ${status}${label ? ` ${label}` : ""}: ${message}${which}${requestId ? ` (request ${requestId})` : ""}`,
    {
      provider,
      retryable,
      throttled,
      status,
      providerCode,
      requestId,
      ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
      hint: hintFor(status, body, context, quota),
    },
  );
}

/** Node's network error codes, found on the error or its causes (fetch wraps them in a TypeError). */
function networkCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string") return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function messageChain(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    parts.push(current instanceof Error ? current.message : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return parts.join(": ");
}

/**
 * A call that got no complete answer: refused, reset, cut off mid-body, timed out by `requestTimeoutMs`.
 * The request may not have reached the server, or its answer was lost: either way another attempt may
 * succeed. (Invalid URLs and headers are refused when the options are read, so a failure here is the
 * network's.) The cause is not attached: nothing of the request, headers included, is kept.
 */
export function classifyNetworkError(
  error: unknown,
  timedOut: boolean,
  context: ErrorContext,
): ProviderError {
  const { provider, target } = context;
  const code = timedOut ? "RequestTimeout" : (networkCode(error) ?? "NetworkError");
  const detail = timedOut
    ? "no complete answer within options.requestTimeoutMs"
    : redactApiKeys(shorten(messageChain(error), 300), context.secrets);
  return new ProviderError(`${provider} ${target}: the call failed (${code}): ${detail}`, {
    provider,
    retryable: true,
    providerCode: code,
    hint:
      code === "ECONNREFUSED"
        ? "Nothing answers at this address: is the server running, and is `options.baseURL` (or `endpoint`) right?"
        : undefined,
  });
}
