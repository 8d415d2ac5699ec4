import type { EmbeddingProvider, EmbedRequest, EmbedResponse } from "@embedeval/provider-contract";
import { ProviderError } from "@embedeval/provider-contract";

/**
 * Calls the plugin, but settles as soon as the signal aborts even if the plugin ignores the signal:
 * a hung plugin must not hang the run.
 */
export function callProvider(provider: EmbeddingProvider, request: EmbedRequest): Promise<EmbedResponse> {
  const signal = request.signal as AbortSignal;
  return new Promise<EmbedResponse>((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    let pending: Promise<EmbedResponse>;
    try {
      pending = Promise.resolve(provider.embed(request));
    } catch (error) {
      signal.removeEventListener("abort", onAbort);
      reject(error);
      return;
    }
    pending.then(
      (response) => {
        signal.removeEventListener("abort", onAbort);
        resolve(response);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** One signal that aborts when either does; `release` detaches it from the long-lived run signal. */
export function combineSignals(
  run: AbortSignal | undefined,
  timeout: AbortSignal,
): { signal: AbortSignal; release(): void } {
  const controller = new AbortController();
  const fromRun = (): void => controller.abort(run?.reason);
  const fromTimeout = (): void => controller.abort(timeout.reason);
  if (run?.aborted) controller.abort(run.reason);
  run?.addEventListener("abort", fromRun, { once: true });
  timeout.addEventListener("abort", fromTimeout, { once: true });
  return {
    signal: controller.signal,
    release() {
      run?.removeEventListener("abort", fromRun);
      timeout.removeEventListener("abort", fromTimeout);
    },
  };
}

export function asProviderError(
  provider: EmbeddingProvider,
  error: unknown,
  timedOut: boolean,
  timeoutSeconds: number,
  endpoint: string | undefined,
): ProviderError {
  if (timedOut) {
    return new ProviderError(
      `${provider.provider} ${provider.modelId}: no answer within ${timeoutSeconds} s${endpoint ? ` from ${endpoint}` : ""}`,
      {
        provider: provider.provider,
        retryable: true,
        providerCode: "Timeout",
        hint: "Raise `runtime.timeoutSeconds` for this model, or lower `runtime.batchSize` so each call does less.",
      },
    );
  }
  if (ProviderError.isProviderError(error)) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ProviderError(
    `${provider.provider} ${provider.modelId}: the plugin failed unexpectedly: ${message}`,
    {
      provider: provider.provider,
      retryable: false,
      cause: error,
      hint: "This is a bug in the provider plugin: plugins report failures as ProviderError (see the provider contract).",
    },
  );
}

export function firstLine(message: string): string {
  const line = message.split("\n", 1)[0] ?? message;
  return line.length > 200 ? `${line.slice(0, 200)}...` : line;
}
