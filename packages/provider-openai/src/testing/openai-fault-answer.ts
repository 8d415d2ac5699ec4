import type { Fault } from "@embedeval/provider-testkit";
import { azureError, type ErrorAnswer, openAIError, retryAfterHeaders } from "./openai-error-answer.js";
import type { OpenAIServerOptions, RecordedOpenAICall } from "./openai-server-options.js";

/** The answer OpenAI (or Azure OpenAI) gives for a scripted fault; undefined for faults not answered with an error. */
export function faultAnswer(
  fault: Fault,
  route: RecordedOpenAICall["route"],
  model: string,
  options: OpenAIServerOptions,
): ErrorAnswer | undefined {
  const azure = route === "azure";
  const wait = options.retryAfterMs ?? 20;
  switch (fault.kind) {
    case "throttle": {
      const answer = azure
        ? azureError(
            429,
            "429",
            `Requests to the Embeddings_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded call rate limit of your current OpenAI S0 pricing tier. Please retry after ${Math.ceil(wait / 1000)} second.`,
          )
        : openAIError(
            429,
            `Rate limit reached for ${model} in organization org-test on requests per min (RPM): Limit 3000, Used 3000, Requested 1. Please try again in ${wait}ms.`,
            "requests",
            "rate_limit_exceeded",
          );
      return {
        ...answer,
        headers: retryAfterHeaders(
          wait,
          options.retryAfterHeaders ?? ["retry-after-ms", "retry-after", "x-ratelimit"],
        ),
      };
    }
    case "model-not-ready":
      return openAIError(503, "Model is loading, please retry.", "server_error", "model_not_ready");
    case "internal-server":
      return openAIError(
        500,
        "The server had an error while processing your request. Sorry about that!",
        "server_error",
      );
    case "service-unavailable":
      return openAIError(503, "The server is overloaded or not ready yet.", "server_error");
    case "validation":
      return openAIError(400, fault.message ?? "Invalid request.", "invalid_request_error");
    case "access-denied":
      return azure
        ? azureError(403, "PermissionDenied", "The principal lacks the required data action.")
        : openAIError(
            403,
            "You are not allowed to sample from this model.",
            "invalid_request_error",
            "model_not_allowed",
          );
    case "resource-not-found":
      return azure
        ? azureError(404, "DeploymentNotFound", "The API deployment for this resource does not exist.")
        : openAIError(
            404,
            `The model \`${model}\` does not exist or you do not have access to it.`,
            "invalid_request_error",
            "model_not_found",
          );
    case "service-quota-exceeded":
      return openAIError(
        429,
        "You exceeded your current quota, please check your plan and billing details.",
        "insufficient_quota",
        "insufficient_quota",
      );
    case "model-timeout":
      return {
        status: 504,
        body: undefined,
        html: "<html><body><h1>504 Gateway Time-out</h1></body></html>",
      };
    case "model-error":
      // What Text Embeddings Inference's OpenAI route answers: a string error and its kind.
      return {
        status: 422,
        body: {
          error: fault.originalMessage ?? "Input validation error: inputs cannot be empty",
          error_type: "Validation",
        },
      };
    default:
      return undefined;
  }
}
