/**
 * Maps what the AWS SDK throws for InvokeModel to a ProviderError the runtime can act on.
 * Bedrock's error types: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors
 *
 * Decisions (the runtime is the only retry layer; the SDK client runs with maxAttempts 1):
 * - ModelTimeoutException (408) is retryable: an embedding call that timed out inside the model is
 *   almost always load, not the input; the runtime's capped retries bound the cost of being wrong.
 * - ModelNotReadyException (429) is retryable but not `throttled`: the model is warming up, which
 *   says nothing about our request rate, so the runtime should back off without lowering its rate.
 * - ServiceQuotaExceededException is not retryable: a quota is not lifted by waiting seconds.
 */
import { ProviderError } from "@embedeval/core";
import { redactSecrets } from "./redact-secrets.js";

interface Classification {
  retryable: boolean;
  throttled?: boolean;
  hint?: string;
}

const serviceErrors: Record<string, Classification> = {
  ThrottlingException: {
    retryable: true,
    throttled: true,
    hint: "Bedrock limits embedding models by requests per minute; lower `runtime.requestsPerMinute` or request a quota increase.",
  },
  ModelNotReadyException: {
    retryable: true,
    hint: "The model is loading; the call is retried after a pause.",
  },
  InternalServerException: { retryable: true },
  ServiceUnavailableException: { retryable: true },
  ModelTimeoutException: { retryable: true },
  ValidationException: {
    retryable: false,
    hint: "The request body was rejected; check the model's options (dimensions, truncate, embeddingType) against its documentation.",
  },
  AccessDeniedException: {
    retryable: false,
    hint: "Enable access to this model in the Bedrock console for this region, and allow bedrock:InvokeModel on its ARN.",
  },
  ResourceNotFoundException: {
    retryable: false,
    hint: "Check the model id and the region: not every model is offered in every region.",
  },
  ServiceQuotaExceededException: {
    retryable: false,
    hint: "An account quota was exceeded; request an increase in Service Quotas or run with fewer documents.",
  },
  ModelErrorException: {
    retryable: false,
    hint: "The model rejected the input; check the text and options.",
  },
  ConflictException: { retryable: false },
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

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  $response?: { headers?: Record<string, string | undefined> };
}

export interface ErrorContext {
  /** The provider name as in config. */
  provider: string;
  /** What was called, for the message: `model amazon.titan-embed-text-v2:0`. */
  target: string;
  /** Credential values to mask if they ever appear in a message. */
  secrets: readonly string[];
}

function retryAfterMs(headers: Record<string, string | undefined> | undefined): number | undefined {
  const value = headers?.["retry-after"] ?? headers?.["Retry-After"];
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/**
 * The SDK's error is deliberately not attached as `cause`: its `$response` holds the raw socket and,
 * through it, the signed request with its Authorization header. Everything useful is copied out.
 */
export function classifySdkError(error: unknown, context: ErrorContext): ProviderError {
  const shape = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = shape.name ?? "Error";
  const rawMessage = redactSecrets(String(shape.message ?? error).slice(0, 1000), context.secrets);
  const status = shape.$metadata?.httpStatusCode;
  const requestId = shape.$metadata?.requestId;
  const isServiceError = shape.$metadata !== undefined && shape.$fault !== undefined;

  if (isServiceError) {
    const known = serviceErrors[name];
    const retryable = known?.retryable ?? (status === 429 || (status !== undefined && status >= 500));
    const throttled = known ? (known.throttled ?? false) : status === 429;
    return new ProviderError(
      `${context.provider} ${context.target}: ${name}${status ? ` (HTTP ${status})` : ""}: ${rawMessage}`,
      {
        provider: context.provider,
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
    return new ProviderError(
      `${context.provider} ${context.target}: no usable AWS credentials: ${rawMessage}`,
      {
        provider: context.provider,
        retryable: false,
        providerCode: name,
        hint: "Set AWS_PROFILE (or `options.profile`), run `aws sso login`, or provide AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
      },
    );
  }

  const transient =
    (shape.code !== undefined && transientNetworkCodes.has(shape.code)) ||
    transientNetworkNames.has(name) ||
    transientNetworkMessages.test(rawMessage);
  return new ProviderError(
    `${context.provider} ${context.target}: ${transient ? "connection failed" : "call failed"}: ${rawMessage}`,
    {
      provider: context.provider,
      retryable: transient,
      providerCode: shape.code ?? name,
      status,
      requestId,
      hint: transient ? undefined : "Check `options.endpoint` and `options.region`.",
    },
  );
}

export type { Classification as ErrorClassification };
export { serviceErrors as bedrockServiceErrors };
