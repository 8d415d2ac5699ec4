/**
 * Maps what an AWS SDK v3 client throws to a ProviderError the runtime can act on. It reads the plain
 * shape every SDK v3 error has (`name`, `$fault`, `$metadata.httpStatusCode`, `$response.headers`, or
 * Node's `code` for a network failure), so core needs no AWS SDK and every AWS plugin (Bedrock,
 * SageMaker, a third party's) classifies the same way; each passes its service's table of error names.
 * https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/handling-exceptions.html
 *
 * The SDK's error is deliberately not attached as `cause`: its `$response` holds the raw socket and,
 * through it, the signed request with its Authorization header. Everything useful is copied out.
 */
import { ProviderError } from "../errors.js";
import { redactSecrets } from "../redact-secrets.js";

/** How one service error name is treated. */
export interface AwsErrorClassification {
  retryable: boolean;
  /** The service said "slow down": the runtime lowers its rate, not only waits. */
  throttled?: boolean;
  hint?: string;
}

/** The fields of an AWS SDK v3 error (a ServiceException, or a Node/SDK client-side error) read here. */
export interface AwsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
}

/** Which call failed: what a plugin's classifier gets from the call path. */
export interface AwsCallContext {
  /** The provider name as in config, e.g. "bedrock". */
  provider: string;
  /** What was called, for the message: `model amazon.titan-embed-text-v2:0`. */
  target: string;
  /** Credential values to mask if they ever appear in a message. */
  secrets: readonly string[];
}

export interface AwsErrorContext extends AwsCallContext {
  /**
   * The service's error names; names not listed (nor among the authentication errors every service
   * shares) are retryable for 429 and 5xx.
   */
  serviceErrors: Readonly<Record<string, AwsErrorClassification>>;
}

/**
 * Errors of AWS's request signing and authentication, the same for every service: no retry helps.
 * A service's own table (`serviceErrors`) is consulted first.
 */
const authenticationErrors: Readonly<Record<string, AwsErrorClassification>> = {
  UnrecognizedClientException: { retryable: false, hint: "Check the AWS credentials." },
  InvalidSignatureException: { retryable: false, hint: "Check the AWS credentials and the machine's clock." },
  ExpiredTokenException: { retryable: false, hint: "The AWS session expired; refresh it (aws sso login)." },
};

/** Node and SDK errors that mean the connection failed or stalled: worth another attempt. */
const transientNetworkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
]);
const transientNetworkNames = new Set(["TimeoutError", "RequestTimeout"]);
const transientNetworkMessages = /socket hang up|aborted|ECONNRESET|timed out|timeout/i;

/** The error's fields, whatever was thrown (a string, undefined, an object without a prototype). */
export function awsErrorShape(error: unknown): AwsErrorShape {
  return (typeof error === "object" && error !== null ? error : {}) as AwsErrorShape;
}

/** True for an error the service answered (it has HTTP metadata and a client/server fault), not a network failure. */
export function isAwsServiceError(shape: AwsErrorShape): boolean {
  return shape.$metadata !== undefined && shape.$fault !== undefined;
}

/** The `Retry-After` header, in seconds or as an HTTP date, in milliseconds. */
export function retryAfterMs(headers: Record<string, string | undefined> | undefined): number | undefined {
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export function classifyAwsError(error: unknown, context: AwsErrorContext): ProviderError {
  const { provider, target } = context;
  const shape = awsErrorShape(error);
  const name = shape.name ?? "Error";
  const message = redactSecrets(String(shape.message ?? error).slice(0, 1000), context.secrets);
  const status = shape.$metadata?.httpStatusCode;
  const requestId = shape.$metadata?.requestId;

  if (isAwsServiceError(shape)) {
    const known = context.serviceErrors[name] ?? authenticationErrors[name];
    const retryable = known?.retryable ?? (status === 429 || (status !== undefined && status >= 500));
    const throttled = known ? (known.throttled ?? false) : status === 429;
    return new ProviderError(
      `${provider} ${target}: ${name}${status ? ` (HTTP ${status})` : ""}: ${message}`,
      {
        provider,
        retryable,
        throttled,
        status,
        providerCode: name,
        requestId,
        retryAfterMs: retryAfterMs(shape.$response?.headers),
        hint: known?.hint,
      },
    );
  }

  if (name === "CredentialsProviderError" || name === "TokenProviderError") {
    return new ProviderError(`${provider} ${target}: no usable AWS credentials: ${message}`, {
      provider,
      retryable: false,
      providerCode: name,
      hint: "Set AWS_PROFILE (or `options.profile`), run `aws sso login`, or provide AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    });
  }

  // An answer the SDK could not parse (a proxy's HTML 502 page) keeps the status but has no `$fault`:
  // a 5xx (or 429) is the server's trouble all the same, worth another attempt.
  const serverTrouble = status !== undefined && (status >= 500 || status === 429);
  const transient =
    serverTrouble ||
    (shape.code !== undefined && transientNetworkCodes.has(shape.code)) ||
    transientNetworkNames.has(name) ||
    transientNetworkMessages.test(message);
  const what = serverTrouble
    ? `unreadable answer (HTTP ${status})`
    : transient
      ? "connection failed"
      : "call failed";
  return new ProviderError(`${provider} ${target}: ${what}: ${message}`, {
    provider,
    retryable: transient,
    throttled: status === 429,
    providerCode: shape.code ?? name,
    status,
    requestId,
    hint: transient ? undefined : "Check `options.endpoint` and `options.region`.",
  });
}
