/**
 * Typed errors. Every error embedeval raises on purpose is an EmbedEvalError with a stable `code`
 * and a `hint` that says how to fix the problem. The CLI prints `message` and `hint`, never a stack.
 *
 * Errors are recognised by a symbol marker rather than `instanceof`, so an error thrown by a plugin
 * that bundles its own copy of @embedeval/core is still recognised (the vercel/ai pattern).
 */
const marker = Symbol.for("embedeval.error");

export type ErrorCode =
  | "config"
  | "dataset"
  | "usage"
  | "provider"
  | "cache"
  | "results"
  | "cancelled"
  | "internal";

export interface EmbedEvalErrorOptions {
  hint?: string;
  cause?: unknown;
  /** Where the problem is: a file, and a 1-based line when known. */
  file?: string;
  line?: number;
}

export class EmbedEvalError extends Error {
  readonly [marker] = true;
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;

  constructor(code: ErrorCode, message: string, options: EmbedEvalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "EmbedEvalError";
    this.code = code;
    this.hint = options.hint;
    this.file = options.file;
    this.line = options.line;
  }

  static is(value: unknown): value is EmbedEvalError {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[marker] === true;
  }
}

/** A config file problem: names the file, line and key, what was expected, and the closest valid value. */
export class ConfigError extends EmbedEvalError {
  readonly key: string | undefined;
  constructor(message: string, options: EmbedEvalErrorOptions & { key?: string } = {}) {
    super("config", message, options);
    this.name = "ConfigError";
    this.key = options.key;
  }
}

/** A dataset problem: malformed line, duplicate id, empty corpus. Names file and line. */
export class DatasetError extends EmbedEvalError {
  constructor(message: string, options: EmbedEvalErrorOptions = {}) {
    super("dataset", message, options);
    this.name = "DatasetError";
  }
}

/** Wrong command-line usage (exit code 2). */
export class UsageError extends EmbedEvalError {
  constructor(message: string, options: EmbedEvalErrorOptions = {}) {
    super("usage", message, options);
    this.name = "UsageError";
  }
}

/** The run was cancelled (Ctrl-C or an abort signal); what had arrived is already in the cache. */
export class CancelledError extends EmbedEvalError {
  constructor(message = "Cancelled.", options: EmbedEvalErrorOptions = {}) {
    super("cancelled", message, options);
    this.name = "CancelledError";
  }
}

export interface ProviderErrorOptions extends EmbedEvalErrorOptions {
  provider: string;
  /** True when the same request may succeed if sent again (5xx, throttling, timeouts, resets). */
  retryable: boolean;
  /** True when the provider said "slow down" (429, ThrottlingException): the runtime lowers its rate. */
  throttled?: boolean;
  status?: number;
  /** The provider's own error code, e.g. `ThrottlingException`, `ModelError`. */
  providerCode?: string;
  /** How long the provider asked us to wait, in milliseconds. */
  retryAfterMs?: number;
  requestId?: string;
}

/**
 * An error from a provider call. Plugins throw this; the runtime decides from `retryable`,
 * `throttled` and `retryAfterMs` whether and when to retry. Messages must never contain
 * credentials, signed URLs or authorization headers.
 */
export class ProviderError extends EmbedEvalError {
  readonly provider: string;
  readonly retryable: boolean;
  readonly throttled: boolean;
  readonly status: number | undefined;
  readonly providerCode: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;

  constructor(message: string, options: ProviderErrorOptions) {
    super("provider", message, options);
    this.name = "ProviderError";
    this.provider = options.provider;
    this.retryable = options.retryable;
    this.throttled = options.throttled ?? false;
    this.status = options.status;
    this.providerCode = options.providerCode;
    this.retryAfterMs = options.retryAfterMs;
    this.requestId = options.requestId;
  }

  static isProviderError(value: unknown): value is ProviderError {
    return EmbedEvalError.is(value) && value.code === "provider";
  }
}

/** Formats an error for a terminal or log: message, location, hint; no stack trace. */
export function formatError(error: unknown): string {
  if (EmbedEvalError.is(error)) {
    const location = error.file ? `${error.file}${error.line ? `:${error.line}` : ""}: ` : "";
    const hint = error.hint ? `\n  hint: ${error.hint}` : "";
    return `error: ${location}${error.message}${hint}`;
  }
  if (error instanceof Error) return `error: ${error.message}`;
  return `error: ${String(error)}`;
}
