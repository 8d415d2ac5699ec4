/**
 * Maps what the AWS SDK throws for InvokeEndpoint to a ProviderError the runtime can act on.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
 *
 * A container's own failure arrives as ModelError (HTTP 424) carrying the container's status in
 * OriginalStatusCode: retryable when that is 5xx or 429 (the container was overloaded or crashed),
 * not for 4xx (it rejected the input, and will again). SageMaker's own ModelNotReadyException,
 * ServiceUnavailable, InternalFailure and InternalDependencyException are retryable.
 * The SDK's error is not attached as `cause`: its `$response` reaches the signed request.
 */
import { ProviderError } from "@embedeval/core";
import { redactSecrets } from "./redact-secrets.js";

interface Classification {
  retryable: boolean;
  throttled?: boolean;
  hint?: string;
}

const serviceErrors: Record<string, Classification> = {
  ModelNotReadyException: {
    retryable: true,
    hint: "The endpoint's model is loading or scaling; the call is retried.",
  },
  ServiceUnavailable: { retryable: true },
  InternalFailure: { retryable: true },
  InternalDependencyException: { retryable: true },
  ThrottlingException: {
    retryable: true,
    throttled: true,
    hint: "Lower `runtime.requestsPerMinute`, or add instances to the endpoint.",
  },
  ValidationError: {
    retryable: false,
    hint: "Check `options.endpointName` and the region: the endpoint must exist and be InService.",
  },
  AccessDeniedException: {
    retryable: false,
    hint: "Allow sagemaker:InvokeEndpoint on the endpoint's ARN for these credentials.",
  },
  UnrecognizedClientException: { retryable: false, hint: "Check the AWS credentials." },
  InvalidSignatureException: { retryable: false, hint: "Check the AWS credentials and the machine's clock." },
  ExpiredTokenException: { retryable: false, hint: "The AWS session expired; refresh it (aws sso login)." },
};

const transientNetworkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "EAI_AGAIN",
]);
const transientNetworkNames = new Set(["TimeoutError", "RequestTimeout"]);
const transientNetworkMessages = /socket hang up|aborted|ECONNRESET|timed out|timeout/i;

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number; requestId?: string };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

export interface ErrorContext {
  target: string;
  secrets: readonly string[];
}

export function classifySagemakerError(error: unknown, context: ErrorContext): ProviderError {
  const provider = "sagemaker";
  const shape = (typeof error === "object" && error !== null ? error : {}) as SdkErrorShape;
  const name = shape.name ?? "Error";
  const clean = (text: string) => redactSecrets(text.slice(0, 1000), context.secrets);
  const message = clean(String(shape.message ?? error));
  const status = shape.$metadata?.httpStatusCode;
  const requestId = shape.$metadata?.requestId;

  if (shape.$metadata !== undefined && shape.$fault !== undefined) {
    if (name === "ModelError") {
      const original = shape.OriginalStatusCode;
      const retryable = original !== undefined && (original >= 500 || original === 429);
      return new ProviderError(
        `${provider} ${context.target}: the container answered ${original ?? "an error"}: ${clean(String(shape.OriginalMessage ?? message))}`,
        {
          provider,
          retryable,
          throttled: original === 429,
          status,
          providerCode: original === undefined ? "ModelError" : `ModelError:${original}`,
          requestId,
          hint: retryable
            ? undefined
            : "The model container rejected the request; check `options.format` and the request it expects (see the endpoint's CloudWatch logs).",
        },
      );
    }
    const known = serviceErrors[name];
    const retryable = known?.retryable ?? (status === 429 || (status !== undefined && status >= 500));
    return new ProviderError(
      `${provider} ${context.target}: ${name}${status ? ` (HTTP ${status})` : ""}: ${message}`,
      {
        provider,
        retryable,
        throttled: known ? (known.throttled ?? false) : status === 429,
        status,
        providerCode: name,
        requestId,
        hint: known?.hint,
      },
    );
  }

  if (name === "CredentialsProviderError" || name === "TokenProviderError") {
    return new ProviderError(`${provider} ${context.target}: no usable AWS credentials: ${message}`, {
      provider,
      retryable: false,
      providerCode: name,
      hint: "Set AWS_PROFILE (or `options.profile`), run `aws sso login`, or provide AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.",
    });
  }

  const transient =
    (shape.code !== undefined && transientNetworkCodes.has(shape.code)) ||
    transientNetworkNames.has(name) ||
    transientNetworkMessages.test(message);
  return new ProviderError(
    `${provider} ${context.target}: ${transient ? "connection failed" : "call failed"}: ${message}`,
    {
      provider,
      retryable: transient,
      providerCode: shape.code ?? name,
      status,
      requestId,
      hint: transient ? undefined : "Check `options.endpoint` and `options.region`.",
    },
  );
}
