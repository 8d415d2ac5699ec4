/**
 * The options of Bedrock batch inference (CreateModelInvocationJob), read from a model's `options:`.
 * Batch is on with `batch: true`, or with `batchAboveTexts: N` (jobs only when more than N texts are left
 * to embed after the cache). Everything else has a default except where the job reads and writes
 * (`batchInputS3Uri`) and the role Bedrock assumes to do so (`roleArn`).
 * https://docs.aws.amazon.com/bedrock/latest/userguide/batch-inference.html
 */
import {
  ConfigError,
  type PluginOptions,
  readBoolean,
  readNumber,
  readPositiveInteger,
  readString,
} from "@embedeval/provider-contract";

export const batchOptionNames = [
  "batch",
  "batchAboveTexts",
  "roleArn",
  "batchInputS3Uri",
  "batchOutputS3Uri",
  "batchJobNamePrefix",
  "batchPollSeconds",
  "batchTimeoutHours",
  "batchPricePerMillionTokens",
  "batchPriceFactor",
  "batchRetryFailedRecords",
  "batchMinimumRecords",
  "batchMaximumRecords",
  "batchConcurrentJobs",
  "batchEndpoint",
  "s3Endpoint",
] as const;

/**
 * Bedrock batch inference is priced at half the on-demand price of the same model. An assumption taken
 * from AWS's Amazon Bedrock pricing page (https://aws.amazon.com/bedrock/pricing/, "Batch": 50% of
 * on-demand for the supported models, Titan and Cohere embeddings among them); the project's reference
 * (providers.md) gives no batch prices. Check the page before relying on it; `batchPricePerMillionTokens`
 * or `batchPriceFactor` overrides it per model.
 */
export const defaultBatchPriceFactor = 0.5;

export interface S3Location {
  bucket: string;
  /** The key prefix, empty or ending with "/". */
  prefix: string;
}

export interface BedrockBatchSettings {
  /** Jobs only when more than this many texts are left to embed; 0 with `batch: true`. */
  aboveTexts: number;
  roleArn: string;
  input: S3Location;
  output: S3Location;
  jobNamePrefix: string;
  pollMilliseconds: number;
  /** The job's own timeout (CreateModelInvocationJob's timeoutDurationInHours), 24 to 168. */
  timeoutHours: number;
  /** An explicit batch price; otherwise `priceFactor` times the on-demand price. */
  pricePerMillionTokens: number | undefined;
  priceFactor: number;
  retryFailedRecords: number;
  /** Bedrock's quotas on records per job (Service Quotas; they vary by model and region). */
  minimumRecords: number;
  maximumRecords: number;
  concurrentJobs: number;
  /** Endpoint overrides for the control plane (`bedrock`) and S3, for VPC endpoints and tests. */
  batchEndpoint: string | undefined;
  s3Endpoint: string | undefined;
}

/** The batch settings, or undefined when batch inference is off for this model. */
export function readBatchSettings(options: PluginOptions): BedrockBatchSettings | undefined {
  const batch = readBoolean(options, "batch");
  const aboveTexts = readNumber(options, "batchAboveTexts", { min: 0, integer: true });
  if (batch === false || (batch === undefined && aboveTexts === undefined)) return undefined;
  const roleArn = readString(options, "roleArn");
  if (roleArn === undefined) {
    throw new ConfigError("Bedrock batch inference needs `options.roleArn`.", {
      key: "options.roleArn",
      hint: "The ARN of an IAM service role Bedrock assumes to read the input and write the output in S3 (trusting bedrock.amazonaws.com), e.g. arn:aws:iam::123456789012:role/BedrockBatch.",
    });
  }
  const inputUri = readString(options, "batchInputS3Uri");
  if (inputUri === undefined) {
    throw new ConfigError("Bedrock batch inference needs `options.batchInputS3Uri`.", {
      key: "options.batchInputS3Uri",
      hint: "An S3 folder for the jobs' input files, e.g. s3://my-bucket/embedeval/input/ (outputs go to `batchOutputS3Uri`, by default the same folder).",
    });
  }
  const input = parseS3Uri(inputUri, "batchInputS3Uri");
  const outputUri = readString(options, "batchOutputS3Uri");
  const output = outputUri === undefined ? input : parseS3Uri(outputUri, "batchOutputS3Uri");
  const jobNamePrefix = readString(options, "batchJobNamePrefix") ?? "embedeval";
  if (!/^[a-zA-Z0-9][a-zA-Z0-9-]{0,30}$/.test(jobNamePrefix)) {
    throw new ConfigError(`\`options.batchJobNamePrefix\` "${jobNamePrefix}" cannot start a job name.`, {
      key: "options.batchJobNamePrefix",
      hint: "Use up to 31 letters, digits and hyphens, starting with a letter or digit (a timestamp and a random suffix follow it).",
    });
  }
  const minimumRecords = readPositiveInteger(options, "batchMinimumRecords") ?? 100;
  const maximumRecords = readPositiveInteger(options, "batchMaximumRecords") ?? 50_000;
  if (maximumRecords < 2 * minimumRecords) {
    throw new ConfigError(
      `\`options.batchMaximumRecords\` (${maximumRecords}) must be at least twice \`batchMinimumRecords\` (${minimumRecords}).`,
      {
        key: "options.batchMaximumRecords",
        hint: "Large sets are split into jobs of equal size; each must stay within both quotas.",
      },
    );
  }
  return {
    aboveTexts: aboveTexts ?? 0,
    roleArn,
    input,
    output,
    jobNamePrefix,
    pollMilliseconds: (readNumber(options, "batchPollSeconds", { min: 0.001 }) ?? 60) * 1000,
    timeoutHours: readNumber(options, "batchTimeoutHours", { min: 24, max: 168, integer: true }) ?? 24,
    pricePerMillionTokens: readNumber(options, "batchPricePerMillionTokens", { min: 0 }),
    priceFactor: readNumber(options, "batchPriceFactor", { min: 0 }) ?? defaultBatchPriceFactor,
    retryFailedRecords: readNumber(options, "batchRetryFailedRecords", { min: 0, integer: true }) ?? 0,
    minimumRecords,
    maximumRecords,
    concurrentJobs: readPositiveInteger(options, "batchConcurrentJobs") ?? 4,
    batchEndpoint: readString(options, "batchEndpoint"),
    s3Endpoint: readString(options, "s3Endpoint"),
  };
}

/** `s3://bucket/some/prefix` -> bucket and "some/prefix/". */
export function parseS3Uri(uri: string, key: string): S3Location {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/(.*))?$/.exec(uri);
  if (!match) {
    throw new ConfigError(`\`options.${key}\` "${uri}" is not an S3 URI.`, {
      key: `options.${key}`,
      hint: "Write it as s3://bucket-name/optional/prefix/.",
    });
  }
  const path = match[2] ?? "";
  return { bucket: match[1] as string, prefix: path === "" || path.endsWith("/") ? path : `${path}/` };
}

export function s3Uri(location: S3Location, key = ""): string {
  return `s3://${location.bucket}/${location.prefix}${key}`;
}
