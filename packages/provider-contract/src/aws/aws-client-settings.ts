/**
 * The settings an AWS SDK v3 client needs, read from a plugin's options and the environment the same
 * way for every AWS service, without importing the SDK: region, profile, endpoint override, request
 * timeout, and static keys. Env variable names follow the SDK's own:
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html
 */
import type { ProviderSettings } from "../embedding-provider.js";
import { ConfigError } from "../errors.js";
import { readPositiveInteger, readString } from "../plugin-options.js";

export interface AwsClientSettings {
  region: string;
  profile?: string;
  /** An endpoint override (a local server, a VPC endpoint). */
  endpoint?: string;
  requestTimeoutMs?: number;
  /** Static keys from the environment, when they are to be used (no profile named). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Credential values to mask in any message. */
  secrets: string[];
  /**
   * The part any SDK v3 client's constructor takes as is: region, endpoint, profile, static keys, and
   * `maxAttempts: 1`, because the runtime owns retries (two retry layers would multiply attempts).
   * The request handler (timeouts, HTTP version) stays each plugin's choice.
   */
  clientConfig: {
    region: string;
    maxAttempts: 1;
    endpoint?: string;
    profile?: string;
    credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  };
}

export interface AwsServiceNaming {
  /** The service-specific endpoint variable, e.g. AWS_ENDPOINT_URL_BEDROCK_RUNTIME. */
  endpointVariable: string;
  /** What needs the region, for the message: "the Bedrock model". */
  subject: string;
  /** How to set it: "Set `options.region` (e.g. us-east-1) in the config, or AWS_REGION in the environment." */
  regionHint: string;
}

/** The region from `options.region`, AWS_REGION or AWS_DEFAULT_REGION. */
export function awsRegion(settings: ProviderSettings): string | undefined {
  const { options, environment } = settings;
  return readString(options, "region") ?? environment.AWS_REGION ?? environment.AWS_DEFAULT_REGION;
}

export function readAwsClientSettings(
  settings: ProviderSettings,
  naming: AwsServiceNaming,
): AwsClientSettings {
  const { options, environment } = settings;
  const region = awsRegion(settings);
  if (!region) {
    throw new ConfigError(`No AWS region for ${naming.subject}.`, {
      key: "options.region",
      hint: naming.regionHint,
    });
  }
  const profile = readString(options, "profile") ?? environment.AWS_PROFILE;
  const endpoint =
    readString(options, "endpoint") ?? environment[naming.endpointVariable] ?? environment.AWS_ENDPOINT_URL;
  const requestTimeoutMs = readPositiveInteger(options, "requestTimeoutMs");
  const accessKeyId = environment.AWS_ACCESS_KEY_ID;
  const secretAccessKey = environment.AWS_SECRET_ACCESS_KEY;
  const sessionToken = environment.AWS_SESSION_TOKEN;
  // As in the SDK's own chain: a named profile (config, or AWS_PROFILE) wins over keys in the
  // environment; keys are used when no profile is named; otherwise the SDK's default chain applies
  // (SSO, web identity, container and instance roles).
  const useEnvironmentKeys = Boolean(accessKeyId && secretAccessKey && !profile);
  const credentials = useEnvironmentKeys
    ? {
        accessKeyId: accessKeyId as string,
        secretAccessKey: secretAccessKey as string,
        ...(sessionToken ? { sessionToken } : {}),
      }
    : undefined;
  const shared = {
    region,
    ...(profile ? { profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(credentials ? { credentials } : {}),
  };
  return {
    ...shared,
    ...(requestTimeoutMs ? { requestTimeoutMs } : {}),
    secrets: [secretAccessKey, sessionToken].filter((value): value is string => typeof value === "string"),
    clientConfig: { ...shared, maxAttempts: 1 },
  };
}
