/**
 * Bedrock's error names for InvokeModel and how the runtime treats each; the contract's
 * classifyAwsError does the rest (status, throttling, network failures, credentials, redaction).
 * Bedrock's error types: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_InvokeModel.html#API_runtime_InvokeModel_Errors
 *
 * Decisions (the runtime is the only retry layer; the SDK client runs with maxAttempts 1):
 * - ModelTimeoutException (408) is retryable: an embedding call that timed out inside the model is
 *   almost always load, not the input; the runtime's capped retries bound the cost of being wrong.
 * - ModelNotReadyException (429) is retryable but not `throttled`: the model is warming up, which
 *   says nothing about our request rate, so the runtime should back off without lowering its rate.
 * - ServiceQuotaExceededException is not retryable: a quota is not lifted by waiting seconds.
 */
import type { ProviderError } from "@embedeval/provider-contract";
import {
  type AwsCallContext,
  type AwsErrorClassification,
  classifyAwsError,
} from "@embedeval/provider-contract/aws";

export const bedrockServiceErrors: Readonly<Record<string, AwsErrorClassification>> = {
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
};

export function classifyBedrockError(error: unknown, context: AwsCallContext): ProviderError {
  return classifyAwsError(error, { ...context, serviceErrors: bedrockServiceErrors });
}
