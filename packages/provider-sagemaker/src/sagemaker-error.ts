/**
 * Maps what the AWS SDK throws for InvokeEndpoint to a ProviderError the runtime can act on: the
 * container's ModelError here, everything else through the contract's classifyAwsError.
 * https://docs.aws.amazon.com/sagemaker/latest/APIReference/API_runtime_InvokeEndpoint.html#API_runtime_InvokeEndpoint_Errors
 *
 * A container's own failure arrives as ModelError (HTTP 424) carrying the container's status in
 * OriginalStatusCode: retryable when that is 5xx or 429 (the container was overloaded or crashed),
 * not for 4xx (it rejected the input, and will again). SageMaker's own ModelNotReadyException,
 * ServiceUnavailable, InternalFailure and InternalDependencyException are retryable.
 * The SDK's error is not attached as `cause`: its `$response` reaches the signed request.
 */
import { ProviderError, redactSecrets } from "@embedeval/provider-contract";
import {
  type AwsCallContext,
  type AwsErrorClassification,
  awsErrorShape,
  classifyAwsError,
  isAwsServiceError,
} from "@embedeval/provider-contract/aws";

export const sagemakerServiceErrors: Readonly<Record<string, AwsErrorClassification>> = {
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
};

/** ModelError's extra fields: the container's own status and message. */
interface ModelErrorShape {
  OriginalStatusCode?: number;
  OriginalMessage?: string;
}

export function classifySagemakerError(error: unknown, context: AwsCallContext): ProviderError {
  const { provider } = context;
  const shape = awsErrorShape(error);
  if (!isAwsServiceError(shape) || shape.name !== "ModelError") {
    return classifyAwsError(error, { ...context, serviceErrors: sagemakerServiceErrors });
  }
  const { OriginalStatusCode: original, OriginalMessage: originalMessage } = shape as ModelErrorShape;
  const message = redactSecrets(
    String(originalMessage ?? shape.message ?? error).slice(0, 1000),
    context.secrets,
  );
  const retryable = original !== undefined && (original >= 500 || original === 429);
  return new ProviderError(
    `${provider} ${context.target}: the container answered ${original ?? "an error"}: ${message}`,
    {
      provider,
      retryable,
      throttled: original === 429,
      status: shape.$metadata?.httpStatusCode,
      providerCode: original === undefined ? "ModelError" : `ModelError:${original}`,
      requestId: shape.$metadata?.requestId,
      hint: retryable
        ? undefined
        : "The model container rejected the request; check `options.format` and the request it expects (see the endpoint's CloudWatch logs).",
    },
  );
}
