/**
 * How long a server asked us to wait, from the headers OpenAI, Azure OpenAI and most compatible servers
 * send with a 429 (and some 5xx), as the ProviderError's `retryAfterMs`: the runtime then waits at least
 * that long before the retry, instead of guessing with backoff and being throttled again.
 *
 * Read in the order the official SDK reads them (openai-node `retryRequest`): `retry-after-ms` (not
 * standard, but exact; Azure and OpenAI send it), then `Retry-After` (seconds or an HTTP date). When
 * neither is there, OpenAI's `x-ratelimit-*` headers say which budget ran out and when it refills:
 * `x-ratelimit-remaining-requests: 0` with `x-ratelimit-reset-requests: 1s`, and the same for tokens
 * (`6m0s`, `20ms`, `1m30.5s`). https://platform.openai.com/docs/guides/rate-limits#rate-limits-in-headers
 */

/** Longer waits are capped: a wrong header must not park a run for hours; the retry then meets the limit again. */
export const longestRetryAfterMs = 10 * 60 * 1000;

const durationPart = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
const unitMilliseconds: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** OpenAI's reset durations (`1s`, `6m0s`, `20ms`, `1h2m3.5s`) in milliseconds, or undefined when malformed. */
export function parseResetDuration(value: string): number | undefined {
  const text = value.trim();
  if (text.length === 0) return undefined;
  let consumed = 0;
  let total = 0;
  for (const match of text.matchAll(durationPart)) {
    if (match.index !== consumed) return undefined;
    consumed += match[0].length;
    total += Number(match[1]) * (unitMilliseconds[match[2] as string] as number);
  }
  return consumed === text.length ? total : undefined;
}

function nonNegative(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 ? Math.min(value, longestRetryAfterMs) : undefined;
}

/** The wait the headers ask for, in milliseconds (capped at ten minutes), or undefined when they ask none. */
export function retryAfterFromHeaders(headers: Headers, now: () => number = Date.now): number | undefined {
  const milliseconds = headers.get("retry-after-ms");
  if (milliseconds !== null && milliseconds.trim() !== "") {
    const parsed = nonNegative(Number(milliseconds));
    if (parsed !== undefined) return parsed;
  }
  const retryAfter = headers.get("retry-after");
  if (retryAfter !== null && retryAfter.trim() !== "") {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) {
      const parsed = nonNegative(seconds * 1000);
      if (parsed !== undefined) return parsed;
    } else {
      const date = Date.parse(retryAfter);
      if (!Number.isNaN(date)) return Math.min(Math.max(0, date - now()), longestRetryAfterMs);
    }
  }
  // The budget that ran out decides; when both did, the later refill.
  let wait: number | undefined;
  for (const budget of ["requests", "tokens"]) {
    if (headers.get(`x-ratelimit-remaining-${budget}`)?.trim() !== "0") continue;
    const reset = headers.get(`x-ratelimit-reset-${budget}`);
    const parsed = reset === null ? undefined : parseResetDuration(reset);
    if (parsed !== undefined) wait = Math.max(wait ?? 0, parsed);
  }
  return wait === undefined ? undefined : nonNegative(wait);
}
