import { ProviderError } from "@embedeval/provider-contract";

/**
 * The error to surface once retries are exhausted: the provider's own words, plus how many retries and,
 * when the time budget ran out, over how long.
 */
export function giveUp(
  error: ProviderError,
  retries: number,
  limit: "count" | "budget",
  budgetMilliseconds: number,
): ProviderError {
  if (retries === 0 && limit === "count") return error;
  const tried = `${retries} ${retries === 1 ? "retry" : "retries"}`;
  const budget = `${budgetMilliseconds / 1000} s`;
  const suffix =
    limit === "count" ? `gave up after ${tried}` : `gave up after ${tried} within the ${budget} retry budget`;
  return new ProviderError(`${error.message} (${suffix})`, {
    provider: error.provider,
    retryable: error.retryable,
    throttled: error.throttled,
    status: error.status,
    providerCode: error.providerCode,
    retryAfterMs: error.retryAfterMs,
    requestId: error.requestId,
    cause: error,
    hint:
      error.hint ??
      (error.throttled
        ? "The provider kept throttling: lower `runtime.maxConcurrency` or `runtime.requestsPerMinute`, raise `runtime.retryBudgetSeconds`, or ask for a higher quota."
        : limit === "budget"
          ? `The provider kept failing for longer than \`runtime.retryBudgetSeconds\` (${budget}): raise it to ride out longer outages, or rerun later: vectors received so far are cached.`
          : "Raise `runtime.maxRetries` (or remove it: `runtime.retryBudgetSeconds` then bounds retries by time), or rerun later: vectors received so far are cached."),
  });
}
