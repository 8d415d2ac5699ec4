import { getOctokit } from "@actions/github";
import { describeRequest, explainError, rateLimitWait, statusOf } from "./github-api-error.js";

export { GitHubApiError, statusOf } from "./github-api-error.js";

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

/** Tries per request when GitHub says to wait (a secondary rate limit, or the primary one exhausted). */
const rateLimitAttempts = 4;
