/**
 * Errors of Bedrock batch inference: a control-plane or S3 call that failed (classified like every AWS
 * error, with hints for what a batch job needs), and a job that ended without output (Failed, Expired,
 * Stopped). None is retryable by the runtime: resubmitting a job is a rerun's decision, and what earlier
 * jobs returned is cached by then.
 */
import { ProviderError } from "@embedeval/provider-contract";
import { type AwsErrorClassification, classifyAwsError } from "@embedeval/provider-contract/aws";
import { type BedrockBatchSettings, s3Uri } from "./bedrock-batch-options.js";

const batchServiceErrors: Readonly<Record<string, AwsErrorClassification>> = {
  AccessDeniedException: {
    retryable: false,
    hint: "The credentials need bedrock:CreateModelInvocationJob, GetModelInvocationJob and StopModelInvocationJob, and iam:PassRole on `options.roleArn`.",
  },
  ValidationException: {
    retryable: false,
    hint: "Check `options.roleArn` (a role Bedrock can assume), the S3 URIs (same region as the job), `batchTimeoutHours` (24 to 168), that the model supports batch inference in this region, and the records-per-job quotas (`batchMinimumRecords`, `batchMaximumRecords`).",
  },
  ServiceQuotaExceededException: {
    retryable: false,
    hint: "Too many batch jobs in progress or submitted for this model: lower `options.batchConcurrentJobs`, wait for running jobs, or request a higher quota.",
  },
  ResourceNotFoundException: {
    retryable: false,
    hint: "Check the model id and the region: not every model supports batch inference in every region.",
  },
  ThrottlingException: {
    retryable: false,
    throttled: true,
    hint: "The control plane kept throttling; rerun later.",
  },
  NoSuchBucket: {
    retryable: false,
    hint: "The bucket of `options.batchInputS3Uri` or `batchOutputS3Uri` does not exist (or is in another account).",
  },
  NoSuchKey: {
    retryable: false,
    hint: "The job's output file is not where Bedrock writes it (<batchOutputS3Uri>/<job id>/<input file>.out); check the bucket's lifecycle rules and that nothing else writes under the prefix.",
  },
  AccessDenied: {
    retryable: false,
    hint: "The credentials need s3:PutObject on `batchInputS3Uri` and s3:GetObject on `batchOutputS3Uri`.",
  },
};

export function classifyBatchError(
  error: unknown,
  operation: string,
  modelId: string,
  secrets: readonly string[],
): ProviderError {
  return classifyAwsError(error, {
    provider: "bedrock",
    target: `batch inference for model ${modelId} (${operation})`,
    secrets,
    serviceErrors: batchServiceErrors,
  });
}

const jobEndHints: Readonly<Record<string, string>> = {
  Expired:
    "The job was scheduled but did not start within `options.batchTimeoutHours`: rerun to submit it again (vectors of earlier jobs are cached), raise `batchTimeoutHours` (up to 168), or turn `batch` off for on-demand calls.",
  Failed:
    "Bedrock could not run the job: read its message above; common causes are a role that cannot read the input or write the output bucket, and a model without batch support in this region.",
  Stopped:
    "The job was stopped (in the console, or by another tool) before it finished: rerun to submit it again.",
};

/** A job that ended without usable output, or whose output could not be read. */
export function batchJobError(
  job: string,
  status: string,
  message: string | undefined,
  settings: BedrockBatchSettings,
): ProviderError {
  return new ProviderError(`bedrock batch job ${job} ended ${status}${message ? `: ${message}` : ""}`, {
    provider: "bedrock",
    retryable: false,
    providerCode: `Job${status.replace(/\s+/g, "")}`,
    hint:
      jobEndHints[status] ??
      `Inspect the job's files under ${s3Uri(settings.output)} and rerun; vectors of jobs that completed are cached.`,
  });
}
