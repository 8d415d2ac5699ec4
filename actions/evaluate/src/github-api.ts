import { getOctokit } from "@actions/github";
import { EmbedEvalError } from "@embedeval/core";

/**
 * The few GitHub REST endpoints the action calls, behind one narrow interface (the test suite runs the
 * bundled action against a local server implementing exactly these). Base URL: GITHUB_API_URL.
 * Reference: https://docs.github.com/en/rest
 */
export interface Repository {
  owner: string;
  repo: string;
}

export interface CommitSummary {
  sha: string;
  date: Date | undefined;
}

export interface IssueComment {
  id: number;
  body: string;
  user: { login: string; type?: string } | null;
  html_url?: string;
}

/** A file a pull request changes, as the compare API lists it ("renamed" ones name their old path). */
export interface ChangedFile {
  filename: string;
  status: string;
  previousFilename?: string;
}

/** The fields of a pull request the action checks: https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request */
export interface PullRequestDetails {
  number: number;
  head: { sha: string; repo: { full_name: string } | null };
  base: { sha: string };
}

export interface GitHubApiOptions {
  /** The run is for a pull request from a fork: GitHub gives it a read-only token whatever the workflow asks. */
  forkPullRequest?: boolean;
  /** Waits before a retry (tests pass a recorder); default setTimeout. */
  pause?: (milliseconds: number) => Promise<void>;
  /** The longest wait for a rate limit to reset before giving up (default 120 s). */
  maxRateLimitWaitSeconds?: number;
  /** Where retry notices go (the action's log). */
  log?: (line: string) => void;
}

export class GitHubApi {
  private readonly octokit: ReturnType<typeof getOctokit>;

  constructor(
    token: string,
    readonly repository: Repository,
    options: GitHubApiOptions = {},
  ) {
    this.octokit = getOctokit(token);
    const pause = options.pause ?? ((milliseconds) => new Promise((done) => setTimeout(done, milliseconds)));
    const maxWait = options.maxRateLimitWaitSeconds ?? 120;
    const log = options.log ?? (() => {});
    // Every request goes through here: rate limits are waited out and retried, other failures are turned
    // into errors that say their cause (which token, which permission) instead of GitHub's bare message.
    this.octokit.hook.wrap("request", async (request, requestOptions) => {
      for (let attempt = 1; ; attempt++) {
        try {
          return await request(requestOptions);
        } catch (error) {
          const wait = rateLimitWait(error, Date.now());
          if (wait !== undefined && wait <= maxWait && attempt < rateLimitAttempts) {
            log(
              `GitHub API rate limit (${describeRequest(requestOptions)}): retrying in ${Math.ceil(wait)} s (attempt ${attempt + 1} of ${rateLimitAttempts})`,
            );
            await pause(wait * 1000);
            continue;
          }
          throw explainError(error, requestOptions, { forkPullRequest: options.forkPullRequest ?? false });
        }
      }
    });
  }

  /**
   * The merge-base of two commits and the files changed between them (up to 300, on the first page):
   * https://docs.github.com/en/rest/commits/commits#compare-two-commits
   */
  async compareCommits(base: string, head: string): Promise<{ mergeBase: string; files: ChangedFile[] }> {
    const response = await this.octokit.request("GET /repos/{owner}/{repo}/compare/{basehead}", {
      ...this.repository,
      basehead: `${base}...${head}`,
      per_page: 1,
    });
    const data = response.data as {
      merge_base_commit: { sha: string };
      files?: { filename: string; status: string; previous_filename?: string }[];
    };
    return {
      mergeBase: data.merge_base_commit.sha,
      files: (data.files ?? []).map((file) => ({
        filename: file.filename,
        status: file.status,
        ...(file.previous_filename ? { previousFilename: file.previous_filename } : {}),
      })),
    };
  }

  /** The merge-base of two commits. */
  async mergeBase(base: string, head: string): Promise<string> {
    return (await this.compareCommits(base, head)).mergeBase;
  }

  /** A commit and its ancestors, newest first: https://docs.github.com/en/rest/commits/commits#list-commits */
  async ancestors(sha: string, count: number): Promise<CommitSummary[]> {
    const response = await this.octokit.request("GET /repos/{owner}/{repo}/commits", {
      ...this.repository,
      sha,
      per_page: Math.min(100, count),
    });
    return (response.data as { sha: string; commit: { committer?: { date?: string } } }[]).map((commit) => ({
      sha: commit.sha,
      date: commit.commit.committer?.date ? new Date(commit.commit.committer.date) : undefined,
    }));
  }

  /** Every file path on a branch, or undefined when the branch does not exist. */
  async listFiles(branch: string): Promise<{ paths: string[]; truncated: boolean } | undefined> {
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/git/trees/{tree_sha}", {
        ...this.repository,
        tree_sha: branch,
        recursive: "1",
      });
      const data = response.data as { tree: { path: string; type: string }[]; truncated: boolean };
      return {
        paths: data.tree.filter((entry) => entry.type === "blob").map((entry) => entry.path),
        truncated: data.truncated,
      };
    } catch (error) {
      if (statusOf(error) === 404 || statusOf(error) === 409) return undefined;
      throw error;
    }
  }

  /** A file's raw text at a branch or commit (the raw media type reads files up to 100 MB). */
  async readFile(branch: string, path: string): Promise<string | undefined> {
    try {
      const response = await this.octokit.request("GET /repos/{owner}/{repo}/contents/{path}", {
        ...this.repository,
        path,
        ref: branch,
        mediaType: { format: "raw" },
      });
      const data: unknown = response.data;
      // Octokit decodes text/plain as a string; other content types arrive as an ArrayBuffer.
      if (typeof data === "string") return data;
      if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
      return JSON.stringify(data);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /**
   * Adds files to a branch in one commit through the git data API (blob, tree, commit, ref), creating the
   * branch as an orphan when absent. Two record runs at once (a matrix over configs) race for the ref: the
   * loser's update is refused with 422, so it re-reads the head and retries (jittered, up to 5 times).
   * https://docs.github.com/en/rest/git
   */
  async commitFiles(
    branch: string,
    files: { path: string; content: string }[],
    message: string,
    options: { attempts?: number; pause?: (milliseconds: number) => Promise<void> } = {},
  ): Promise<string> {
    const attempts = options.attempts ?? 5;
    const pause = options.pause ?? ((milliseconds) => new Promise((done) => setTimeout(done, milliseconds)));
    // Blobs do not depend on the branch head: create them once, whatever the retries.
    const tree = [];
    for (const file of files) {
      const blob = await this.octokit.request("POST /repos/{owner}/{repo}/git/blobs", {
        ...this.repository,
        content: Buffer.from(file.content).toString("base64"),
        encoding: "base64",
      });
      tree.push({ path: file.path, mode: "100644" as const, type: "blob" as const, sha: blob.data.sha });
    }
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commitTreeOnHead(branch, tree, message);
      } catch (error) {
        // 422: another run moved the branch since we read it (not a fast forward), or created it first.
        // Re-read the head and rebuild the commit on it; results files of different commits never clash.
        if (statusOf(error) !== 422 || attempt >= attempts) throw error;
        await pause(Math.round((100 + Math.random() * 400) * attempt));
      }
    }
  }

  private async commitTreeOnHead(
    branch: string,
    tree: { path: string; mode: "100644"; type: "blob"; sha: string }[],
    message: string,
  ): Promise<string> {
    let parent: string | undefined;
    let baseTree: string | undefined;
    try {
      const ref = await this.octokit.request("GET /repos/{owner}/{repo}/git/ref/{ref}", {
        ...this.repository,
        ref: `heads/${branch}`,
      });
      parent = (ref.data as { object: { sha: string } }).object.sha;
      const commit = await this.octokit.request("GET /repos/{owner}/{repo}/git/commits/{commit_sha}", {
        ...this.repository,
        commit_sha: parent,
      });
      baseTree = (commit.data as { tree: { sha: string } }).tree.sha;
    } catch (error) {
      if (statusOf(error) !== 404) throw error;
    }
    const createdTree = await this.octokit.request("POST /repos/{owner}/{repo}/git/trees", {
      ...this.repository,
      tree,
      ...(baseTree ? { base_tree: baseTree } : {}),
    });
    const commit = await this.octokit.request("POST /repos/{owner}/{repo}/git/commits", {
      ...this.repository,
      message,
      tree: createdTree.data.sha,
      parents: parent ? [parent] : [],
    });
    if (parent) {
      await this.octokit.request("PATCH /repos/{owner}/{repo}/git/refs/{ref}", {
        ...this.repository,
        ref: `heads/${branch}`,
        sha: commit.data.sha,
      });
    } else {
      await this.octokit.request("POST /repos/{owner}/{repo}/git/refs", {
        ...this.repository,
        ref: `refs/heads/${branch}`,
        sha: commit.data.sha,
      });
    }
    return commit.data.sha;
  }

  /** https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request */
  async pullRequest(number: number): Promise<PullRequestDetails> {
    const response = await this.octokit.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      ...this.repository,
      pull_number: number,
    });
    return response.data as PullRequestDetails;
  }

  /** https://docs.github.com/en/rest/issues/comments#list-issue-comments */
  async listComments(issue: number): Promise<IssueComment[]> {
    const comments: IssueComment[] = [];
    for (let page = 1; page <= 30; page++) {
      const response = await this.octokit.request(
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        {
          ...this.repository,
          issue_number: issue,
          per_page: 100,
          page,
        },
      );
      const batch = response.data as IssueComment[];
      comments.push(...batch);
      if (batch.length < 100) break;
    }
    return comments;
  }

  async createComment(issue: number, body: string): Promise<IssueComment> {
    const response = await this.octokit.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
      ...this.repository,
      issue_number: issue,
      body,
    });
    return response.data as IssueComment;
  }

  async updateComment(id: number, body: string): Promise<IssueComment> {
    const response = await this.octokit.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
      ...this.repository,
      comment_id: id,
      body,
    });
    return response.data as IssueComment;
  }

  /**
   * The login the token acts as, or undefined for an installation token (GITHUB_TOKEN or a GitHub App's),
   * which cannot call GET /user (403). Such a token comments as a bot whose login depends on the app
   * (github-actions[bot], my-app[bot]) and cannot be asked of the API without the app's private key.
   */
  async tokenLogin(): Promise<string | undefined> {
    try {
      const response = await this.octokit.request("GET /user");
      return (response.data as { login: string }).login;
    } catch {
      return undefined;
    }
  }
}

/** The HTTP status of an octokit RequestError, if any. */
export function statusOf(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === "number" ? status : undefined;
}

/** Tries per request when GitHub says to wait (a secondary rate limit, or the primary one exhausted). */
const rateLimitAttempts = 4;

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

function describeRequest(request: RequestLike): string {
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
