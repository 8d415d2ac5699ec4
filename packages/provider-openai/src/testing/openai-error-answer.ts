import type { RetryAfterHeader } from "./openai-server-options.js";

/** An error the fake server answers with: status, body and headers as OpenAI or Azure OpenAI send them. */
export interface ErrorAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Sent as text/html instead of JSON (a proxy's page). */
  html?: string;
}

export class Rejection extends Error {
  constructor(readonly answer: ErrorAnswer) {
    super(`HTTP ${answer.status}`);
  }
}

export function openAIError(
  status: number,
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): ErrorAnswer {
  return { status, body: { error: { message, type, param, code } } };
}

export function azureError(status: number, code: string, message: string): ErrorAnswer {
  return { status, body: { error: { code, message } } };
}

/** What OpenAI's 401 shows of a wrong key: the start and the last four characters. */
export function maskedKey(key: string): string {
  return key.length <= 12
    ? "*".repeat(key.length)
    : `${key.slice(0, 8)}${"*".repeat(key.length - 12)}${key.slice(-4)}`;
}

export function retryAfterHeaders(
  milliseconds: number,
  which: readonly RetryAfterHeader[],
): Record<string, string> {
  const headers: Record<string, string> = {};
  if (which.includes("retry-after-ms")) headers["retry-after-ms"] = String(milliseconds);
  if (which.includes("retry-after")) headers["retry-after"] = String(Math.ceil(milliseconds / 1000));
  if (which.includes("x-ratelimit")) {
    headers["x-ratelimit-remaining-requests"] = "0";
    headers["x-ratelimit-reset-requests"] = `${milliseconds}ms`;
  }
  return headers;
}
