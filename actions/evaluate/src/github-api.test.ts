import { describe, expect, it } from "vitest";
import { explainError, GitHubApiError, rateLimitWait } from "./github-api-error.js";

/** An octokit RequestError's shape: status, message, response headers and body. */
function refusal(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(`${message} - https://docs.github.com/rest`), {
    status,
    response: { headers, data: { message } },
  });
}

const comment = { method: "POST", url: "/repos/{owner}/{repo}/issues/{issue_number}/comments" };
const blob = { method: "POST", url: "/repos/{owner}/{repo}/git/blobs" };
const now = Date.parse("2026-12-04T12:00:00Z");

describe("rateLimitWait", () => {
  it("waits what GitHub says: retry-after, else until x-ratelimit-reset, else a minute for a secondary limit", () => {
    expect(
      rateLimitWait(refusal(403, "You have exceeded a secondary rate limit", { "retry-after": "7" }), now),
    ).toBe(7);
    expect(
      rateLimitWait(
        refusal(403, "API rate limit exceeded", {
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(now / 1000 + 30),
        }),
        now,
      ),
    ).toBe(31);
    expect(rateLimitWait(refusal(429, "You have exceeded a secondary rate limit"), now)).toBe(60);
    expect(rateLimitWait(refusal(403, "Resource not accessible by integration"), now)).toBeUndefined();
    expect(rateLimitWait(refusal(500, "Server Error", { "retry-after": "1" }), now)).toBeUndefined();
  });
});

describe("explainError", () => {
  const explain = (error: unknown, request: { method: string; url: string }, forkPullRequest = false) =>
    explainError(error, request, { forkPullRequest }) as GitHubApiError;

  it("a fork's pull request: the token is read-only, whatever the permissions say", () => {
    const error = explain(refusal(403, "Resource not accessible by integration"), comment, true);
    expect(error).toBeInstanceOf(GitHubApiError);
    expect(error.failure).toBe("read-only token");
    expect(error.message).toContain("the token is read-only (this pull request comes from a fork");
  });

  it("a missing permission names the `permissions:` line, from GitHub's header or else from the endpoint", () => {
    const fromHeader = explain(
      refusal(403, "Resource not accessible by integration", {
        "x-accepted-github-permissions": "issues=write; pull_requests=write",
      }),
      comment,
    );
    expect(fromHeader.failure).toBe("missing permission");
    expect(fromHeader.permissions).toEqual(["pull-requests: write"]);
    expect(fromHeader.hint).toContain("Add `pull-requests: write` under `permissions:`");
    const fromEndpoint = explain(refusal(403, "Resource not accessible by integration"), blob);
    expect(fromEndpoint.permissions).toEqual(["contents: write"]);
    expect(fromEndpoint.message).toBe(
      "POST /repos/{owner}/{repo}/git/blobs refused: the token lacks the `contents: write` permission (GitHub: Resource not accessible by integration)",
    );
  });

  it("a rate limit still in force after the retries, and any other refusal, say so", () => {
    const limited = explain(
      refusal(403, "You have exceeded a secondary rate limit", { "retry-after": "600" }),
      comment,
    );
    expect(limited.failure).toBe("rate limited");
    const other = explain(refusal(403, "Resource protected by organization SAML enforcement"), comment);
    expect(other.failure).toBe("other");
    expect(other.message).toContain("refused (403): Resource protected by organization SAML enforcement");
    expect(explain(refusal(404, "Not Found"), comment).status).toBe(404);
  });
});
