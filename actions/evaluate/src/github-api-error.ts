import { EmbedEvalError } from "@embedeval/core";

/** The HTTP status of an octokit RequestError, if any. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** Why a GitHub API call failed, in words that say what to change. */
export type GitHubFailure =
  | "read-only token"
  | "missing permission"
  | "rate limited"
  | "not found"
  | "unauthorized"
  | "other";

/**
 * A GitHub API call that failed, with its cause: `status` (for callers that treat 404 or 422 as an answer),
 * `failure`, and a hint naming the fix (the `permissions:` line to add, the token to use).
 */
export class GitHubApiError extends EmbedEvalError {
  readonly status: number | undefined;
  readonly failure: GitHubFailure;
  /** For "missing permission": the `permissions:` entries the endpoint needs, e.g. ["pull-requests: write"]. */
  readonly permissions: string[];

  constructor(
    message: string,
    options: {
      status: number | undefined;
      failure: GitHubFailure;
      permissions?: string[];
      hint?: string;
      cause?: unknown;
    },
  ) {
    super("usage", message, {
      ...(options.hint ? { hint: options.hint } : {}),
      ...(options.cause ? { cause: options.cause } : {}),
    });
    this.name = "GitHubApiError";
    this.status = options.status;
    this.failure = options.failure;
    this.permissions = options.permissions ?? [];
  }
}

interface RequestLike {
  method?: string;
  url?: string;
}

interface ResponseError {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

export function describeRequest(request: RequestLike): string {
  return `${request.method ?? "GET"} ${String(request.url ?? "").replace(/^https?:\/\/[^/]+/, "")}`;
}

function header(error: ResponseError, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

function messageOf(error: ResponseError): string {
  const data = error.response?.data as { message?: unknown } | undefined;
  if (typeof data?.message === "string") return data.message;
  return (error.message ?? "").replace(/ - https:\/\/docs\.github\.com\S*$/, "");
}

/**
 * Seconds to wait before retrying, when the failure is a rate limit: `retry-after` (secondary limits),
 * else `x-ratelimit-reset` when no requests remain (primary limit), else a minute for a secondary limit
 * that names no wait (GitHub's advice). Undefined for every other failure.
 * https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api
 */
export function rateLimitWait(error: unknown, now: number): number | undefined {
  const failed = error as ResponseError;
  if (failed.status !== 403 && failed.status !== 429) return undefined;
  const retryAfter = Number(header(failed, "retry-after"));
  if (header(failed, "retry-after") !== undefined && Number.isFinite(retryAfter))
    return Math.max(0, retryAfter);
  const reset = Number(header(failed, "x-ratelimit-reset"));
  if (header(failed, "x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset - now / 1000) + 1;
  }
  if (/secondary rate limit/i.test(messageOf(failed))) return 60;
  return undefined;
}

/** The `permissions:` entries an endpoint needs when GitHub does not say (x-accepted-github-permissions). */
function permissionsFor(request: RequestLike): string[] {
  const method = (request.method ?? "GET").toUpperCase();
  const url = String(request.url ?? "");
  const write = method !== "GET" && method !== "HEAD";
  if (/\/issues\/([^/]+\/)?comments/.test(url))
    return write ? ["pull-requests: write"] : ["pull-requests: read"];
  if (/\/pulls\//.test(url)) return ["pull-requests: read"];
  return write ? ["contents: write"] : ["contents: read"];
}

/** GitHub's `x-accepted-github-permissions: issues=write; pull_requests=write` as workflow `permissions:` lines. */
function acceptedPermissions(error: ResponseError): string[] | undefined {
  const value = header(error, "x-accepted-github-permissions");
  if (!value) return undefined;
  const entries = value
    .split(/[;,]/)
    .map((entry) => entry.trim())
    .filter((entry) => entry.includes("="))
    .map((entry) => {
      const [scope, level] = entry.split("=");
      return `${(scope as string).replace(/_/g, "-")}: ${level}`;
    });
  // Any one of the accepted permissions is enough; for comments on pull requests, prefer pull-requests.
  const preferred = entries.filter((entry) => entry.startsWith("pull-requests"));
  return preferred.length > 0 ? preferred : entries.slice(0, 1);
}

/** Turns an octokit error into a GitHubApiError that says what failed and how to fix it. */
export function explainError(
  error: unknown,
  request: RequestLike,
  context: { forkPullRequest: boolean },
): unknown {
  if (error instanceof GitHubApiError) return error;
  const failed = error as ResponseError;
  const status = failed.status;
  if (typeof status !== "number") return error;
  const what = describeRequest(request);
  const message = messageOf(failed);
  if (status === 403 || status === 429) {
    if (rateLimitWait(error, Date.now()) !== undefined) {
      const reset = Number(header(failed, "x-ratelimit-reset"));
      return new GitHubApiError(
        `GitHub API rate limit on ${what}: ${message}${Number.isFinite(reset) ? ` (resets at ${new Date(reset * 1000).toISOString()})` : ""}`,
        {
          status,
          failure: "rate limited",
          hint: "Retried after the wait GitHub asked for; run the job again later, or spread the jobs that share this token.",
          cause: error,
        },
      );
    }
    if (/not accessible by integration|permission/i.test(message)) {
      if (context.forkPullRequest) {
        return new GitHubApiError(
          `${what} refused: the token is read-only (this pull request comes from a fork, and GitHub gives such runs a read-only token)`,
          {
            status,
            failure: "read-only token",
            hint: "Use the two-workflow pattern (examples/workflows): the pull_request run uploads the results, a workflow_run job comments.",
            cause: error,
          },
        );
      }
      const permissions = acceptedPermissions(failed) ?? permissionsFor(request);
      return new GitHubApiError(
        `${what} refused: the token lacks the \`${permissions.join("` or `")}\` permission (GitHub: ${message})`,
        {
          status,
          failure: "missing permission",
          permissions,
          hint: `Add \`${permissions[0]}\` under \`permissions:\` in the workflow (job or top level); a workflow that sets \`permissions:\` gets only what it lists.`,
          cause: error,
        },
      );
    }
    return new GitHubApiError(`${what} refused (403): ${message}`, {
      status,
      failure: "other",
      hint: "Check the token's access to this repository (an organization's SSO or IP allow list can refuse it).",
      cause: error,
    });
  }
  if (status === 401) {
    return new GitHubApiError(`${what}: the token was rejected (401: ${message})`, {
      status,
      failure: "unauthorized",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the workflow expression, as users write it.
      hint: "Keep `github-token` at its default (`${{ github.token }}`), or pass a valid token.",
      cause: error,
    });
  }
  return new GitHubApiError(`${what} failed (${status}): ${message}`, {
    status,
    failure: status === 404 ? "not found" : "other",
    cause: error,
  });
}
