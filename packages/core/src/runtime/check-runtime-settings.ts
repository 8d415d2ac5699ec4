import { ConfigError } from "@embedeval/provider-contract";
import type { RuntimeSettings } from "./runtime-settings.js";

/** Refuses runtime settings no run could honour, naming the config key, before anything is paid for. */
export function checkRuntimeSettings(settings: RuntimeSettings): void {
  const positiveInteger = (value: number | undefined, key: string, optional: boolean): void => {
    if (value === undefined && optional) return;
    if (value === undefined || !Number.isInteger(value) || value < 1) {
      throw new ConfigError(`runtime.${key} must be a whole number of at least 1, got ${value}`, {
        key: `runtime.${key}`,
      });
    }
  };
  positiveInteger(settings.maxConcurrency, "maxConcurrency", false);
  positiveInteger(settings.batchSize, "batchSize", true);
  if (
    settings.maxRetries !== undefined &&
    (!Number.isInteger(settings.maxRetries) || settings.maxRetries < 0)
  ) {
    throw new ConfigError(
      `runtime.maxRetries must be a whole number of at least 0, got ${settings.maxRetries}`,
      {
        key: "runtime.maxRetries",
      },
    );
  }
  if (!(settings.timeoutSeconds > 0)) {
    throw new ConfigError(`runtime.timeoutSeconds must be above 0, got ${settings.timeoutSeconds}`, {
      key: "runtime.timeoutSeconds",
    });
  }
  for (const key of ["retryBudgetSeconds", "retryAfterCapSeconds", "cancelGraceSeconds"] as const) {
    const value = settings[key];
    if (value !== undefined && !(value >= 0 && Number.isFinite(value))) {
      throw new ConfigError(`runtime.${key} must be a number of seconds of at least 0, got ${value}`, {
        key: `runtime.${key}`,
      });
    }
  }
  if (settings.requestsPerMinute !== undefined && !(settings.requestsPerMinute > 0)) {
    throw new ConfigError(`runtime.requestsPerMinute must be above 0, got ${settings.requestsPerMinute}`, {
      key: "runtime.requestsPerMinute",
    });
  }
}
